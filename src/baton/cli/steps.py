"""``baton steps capture``: the GUI's step capture from the command line."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from baton.cli.common import Subparsers, print_json
from baton.errors import UserError
from baton.services import Services


def register(commands: Subparsers) -> None:
    steps = commands.add_parser("steps", help="steps of a process")
    actions = steps.add_subparsers(dest="action", required=True, metavar="ACTION")
    capture = actions.add_parser(
        "capture", help="make a step of every click and typed field until stopped")
    capture.add_argument("process", help="id or exact title")
    capture.add_argument("--seconds", type=positive_seconds,
                         help="stop after this long (default: Ctrl+C or SIGTERM)")
    capture.add_argument("--json", action="store_true")
    capture.set_defaults(run=capture_command)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the time must be more than 0 seconds")
    return value


def capture_command(args: argparse.Namespace, services: Services) -> int:
    from baton.capture.recording.hotkeys import TAKE_STEP_LABEL
    from baton.capture.steps.live import open_step_capture
    from baton.capture.steps.privacy import parse_apps
    from baton.settings import ScreenSharingTokens

    process = services.library.find(args.process)
    saved: dict[int, int] = {}  # step id -> position, in the order they came
    problems: list[str] = []
    quiet = args.json

    def step(row: Any) -> None:
        if row.step_id not in saved and not quiet:
            print(f"Step {row.position}: {row.title}", flush=True)
        saved.setdefault(row.step_id, row.position)

    def problem(error: UserError) -> None:
        problems.append(str(error))
        if not quiet:
            print(f"baton: {error}", flush=True)

    capture = open_step_capture(
        services.steps.appender(process.id), services.media,
        keep_typing_in=parse_apps(services.settings.get("steps.keep_typing_in")),
        on_step=step, on_error=problem, take_step_key=TAKE_STEP_LABEL,
        tokens=ScreenSharingTokens(services.settings),
    )
    done = threading.Event()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        capture.start()
        # With --json stdout holds only the document; the start goes to stderr, so a
        # script knows when clicks count.
        print(f"Capturing steps for “{process.title}”: every click is a step "
              f"({TAKE_STEP_LABEL} takes one of the screen as it is). "
              + ("Ctrl+C stops." if args.seconds is None else f"Stops in {args.seconds:g} s."),
              file=sys.stderr if quiet else sys.stdout, flush=True)
        done.wait(args.seconds)
    finally:
        stats = capture.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    rows = [services.steps.get(step_id) for step_id in saved]  # titles named late included
    if args.json:
        print_json({
            "process_id": process.id,
            "steps": [{"id": row.id, "position": row.position, "title": row.title,
                       "video_time": row.video_time} for row in rows],
            "clicks": stats.clicks, "steps_saved": stats.steps_saved,
            "steps_failed": stats.steps_failed, "named_late": stats.named_late,
            "errors": stats.errors,
        })
    else:
        print(f"Saved {stats.steps_saved} steps to “{process.title}”"
              + (f" ({stats.steps_failed} failed)" if stats.steps_failed else "") + ":")
        for row in rows:
            print(f"  {row.position}. {row.title}")
    return 0
