"""``baton recording redact|redactions|unredact`` and ``baton step redact``: boxes that hide
part of the video (and of a step's screenshot) in every package sent from now on."""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from typing import Any

from baton.cli.common import Subparsers, print_json
from baton.core.redactions import Box, VideoBoxRow
from baton.errors import NotFound, UserError
from baton.services import Services


def box_argument(text: str) -> tuple[float, float, float, float]:
    """``X,Y,W,H`` in pixels."""
    parts = text.split(",")
    try:
        x, y, w, h = (float(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a box: give X,Y,W,H in pixels, like 100,200,300,40") from None
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} needs a width and height above 0")
    return x, y, w, h


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError("seconds must be 0 or more")
    return value


def register(commands: Subparsers) -> None:
    recording = commands.add_parser("recording", help="a process's recording")
    actions = recording.add_subparsers(dest="action", required=True, metavar="ACTION")
    redact = actions.add_parser("redact", help="hide a box of the video in what is sent")
    redact.add_argument("process", help="id or exact title")
    redact.add_argument("box", type=box_argument, help="X,Y,W,H in the recording's pixels")
    redact.add_argument("--from", dest="start", type=seconds, default=0.0,
                        help="from this many seconds (default: the start)")
    redact.add_argument("--to", dest="end", type=seconds, help="to this many seconds "
                        "(default: the end)")
    redact.add_argument("--json", action="store_true")
    redact.set_defaults(run=recording_redact)
    listing = actions.add_parser("redactions", help="list the boxes hidden in the video")
    listing.add_argument("process", help="id or exact title")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=recording_redactions)
    remove = actions.add_parser("unredact", help="take a box off the video")
    remove.add_argument("process", help="id or exact title")
    remove.add_argument("id", type=int, help="the box's id (see recording redactions)")
    remove.set_defaults(run=recording_unredact)

    step = commands.add_parser("step", help="one step of a process")
    actions = step.add_subparsers(dest="action", required=True, metavar="ACTION")
    redact = actions.add_parser(
        "redact", help="hide a box of a step's screenshot (and of the video over its stretch)")
    redact.add_argument("process", help="id or exact title")
    redact.add_argument("number", type=int, help="the step's number, from 1")
    redact.add_argument("box", type=box_argument, help="X,Y,W,H in the screenshot's pixels")
    redact.add_argument("--screenshot-only", action="store_true",
                        help="do not hide it on the video too")
    redact.add_argument("--json", action="store_true")
    redact.set_defaults(run=step_redact)


def _json(row: VideoBoxRow) -> dict[str, Any]:
    return {"id": row.id, "step_id": row.step_id, **row.to_json()}


def _stretch(row: VideoBoxRow) -> str:
    end = "the end" if row.end is None else f"{row.end:g} s"
    return f"from {row.start:g} s to {end}"


def recording_redact(args: argparse.Namespace, services: Services) -> int:
    process = services.library.find(args.process)
    row = services.redactions.add(process.id, args.box, args.start, args.end)
    if args.json:
        print_json(_json(row))
    else:
        x, y, w, h = row.box
        print(f"Box {row.id} ({x},{y},{w},{h}) hides that part of the video of “{process.title}” "
              f"{_stretch(row)} in every package from now on.")
    return 0


def recording_redactions(args: argparse.Namespace, services: Services) -> int:
    process = services.library.find(args.process)
    rows = services.redactions.list(process.id)
    if args.json:
        print_json([_json(row) for row in rows])
        return 0
    if not rows:
        print(f"Nothing is hidden in the video of “{process.title}”.")
    for row in rows:
        x, y, w, h = row.box
        origin = f" (from step {row.step_id}'s screenshot)" if row.step_id else ""
        print(f"{row.id}: {x},{y},{w},{h} {_stretch(row)}{origin}")
    return 0


def recording_unredact(args: argparse.Namespace, services: Services) -> int:
    process = services.library.find(args.process)
    if args.id not in {row.id for row in services.redactions.list(process.id)}:
        raise NotFound(f"“{process.title}” has no video box {args.id}.")
    services.redactions.remove(args.id)
    print(f"Box {args.id} no longer hides anything in the video of “{process.title}”.")
    return 0


def step_redact(args: argparse.Namespace, services: Services) -> int:
    from baton.handoff.step_boxes import step_video_boxes

    process = services.library.find(args.process)
    steps = services.steps.list(process.id)
    if not 1 <= args.number <= len(steps):
        raise UserError(f"“{process.title}” has {len(steps)} steps: there is no step "
                        f"{args.number}.")
    step = steps[args.number - 1]
    if step.screenshot is None:
        raise UserError(f"Step {args.number} has no screenshot to redact.")
    x, y, w, h = args.box
    boxes = [dict(box) for box in step.redactions] + [{"x": x, "y": y, "w": w, "h": h}]
    # Everything is worked out before anything is saved: a box that cannot be carried over
    # leaves the step as it was.
    video: list[Box] | None = None
    if not args.screenshot_only:
        video = step_video_boxes(replace(step, redactions=tuple(boxes)), services.redactions,
                                 services.media)
    saved = services.steps.update(step.id, redactions=boxes)
    rows = services.redactions.set_step_boxes(step.id, video) if video is not None else []
    if args.json:
        print_json({"step_id": saved.id, "redactions": list(saved.redactions),
                    "video": [_json(row) for row in rows]})
        return 0
    where = f"Step {args.number} of “{process.title}”: the screenshot"
    if rows:
        print(f"{where} and the video {_stretch(rows[-1])} are hidden under the box.")
    elif args.screenshot_only:
        print(f"{where} is hidden under the box (not the video, as asked).")
    else:
        print(f"{where} is hidden under the box (the step is not in a recording).")
    return 0
