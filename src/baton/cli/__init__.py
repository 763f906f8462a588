"""The command line (a stable contract: tests and scripts use it). See DESIGN.md."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, NoReturn

from baton import __version__
from baton.core.library import ProcessDraft, ProcessRow
from baton.core.models import Arrangement, Audience, Complexity, Engagement, ProcessStatus
from baton.core.tracking import AssistantDraft, AssistantRow
from baton.errors import UserError
from baton.log import setup_logging
from baton.services import Services, open_services

log = logging.getLogger("baton.cli")

Command = Callable[[argparse.Namespace, Services], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments in one line (exit 2), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"baton: {message} (see baton {self._command_hint()}--help)\n")

    def _command_hint(self) -> str:
        words = self.prog.split()[1:]
        return " ".join(words) + " " if words else ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="baton", description="Record how you work, hand it off, track it.")
    parser.add_argument("--version", action="version", version=f"baton {__version__}")
    parser.add_argument("--data-dir", help="the library folder (default: your data folder)")
    parser.add_argument("--database-url", help="a PostgreSQL URL for team mode")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    selftest = commands.add_parser("selftest", help="check this installation")
    selftest.add_argument("--json", action="store_true")
    selftest.set_defaults(run=cmd_selftest)

    probe = commands.add_parser("qt-probe")  # used by selftest in a child process
    probe.set_defaults(run=None)

    process = commands.add_parser("process", help="processes in the library")
    process_commands = process.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = process_commands.add_parser("add", help="add a process")
    add.add_argument("title")
    add.add_argument("--summary", default="")
    add.add_argument("--audience", choices=[a.value for a in Audience], default="internal")
    add.add_argument("--complexity", choices=[c.value for c in Complexity], default="simple")
    add.add_argument("--minutes", type=int, default=0, help="minutes per run")
    add.add_argument("--runs-per-week", type=float, default=0.0)
    add.add_argument("--status", choices=[s.value for s in ProcessStatus], default="idea")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_process_add)
    listing = process_commands.add_parser("list", help="list processes")
    listing.add_argument("--search", default="")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_process_list)
    show = process_commands.add_parser("show", help="show one process with its steps")
    show.add_argument("process", help="id or exact title")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_process_show)

    assistant = commands.add_parser("assistant", help="assistants you hand work to")
    assistant_commands = assistant.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = assistant_commands.add_parser("add", help="add an assistant")
    add.add_argument("name")
    add.add_argument("--email", default="")
    add.add_argument("--arrangement", choices=[a.value for a in Arrangement], default="on-site")
    add.add_argument("--engagement", choices=[e.value for e in Engagement], default="part-time")
    add.add_argument("--hired-via", default="")
    add.add_argument("--time-zone", default="")
    add.add_argument("--started-on", type=_date, help="YYYY-MM-DD")
    add.add_argument("--notes", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_assistant_add)
    listing = assistant_commands.add_parser("list", help="list assistants")
    listing.add_argument("--search", default="")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_assistant_list)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, sort_keys=True, default=str))


def _process_json(row: ProcessRow) -> dict[str, Any]:
    document = asdict(row)
    document["hours_per_week"] = round(row.hours_per_week, 2)
    return document


def cmd_selftest(args: argparse.Namespace, services: Services) -> int:
    from baton.selftest import run_selftest

    checks = run_selftest(services)
    if args.json:
        _print_json({"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]})
    else:
        for check in checks:
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return 0 if all(check.ok for check in checks) else 1


def cmd_process_add(args: argparse.Namespace, services: Services) -> int:
    row = services.library.add_process(
        ProcessDraft(
            title=args.title,
            summary=args.summary,
            audience=Audience(args.audience),
            complexity=Complexity(args.complexity),
            minutes_per_run=args.minutes,
            runs_per_week=args.runs_per_week,
            status=ProcessStatus(args.status),
        )
    )
    if args.json:
        _print_json(_process_json(row))
    else:
        print(f"Added process {row.id}: {row.title}")
    return 0


def cmd_process_list(args: argparse.Namespace, services: Services) -> int:
    rows = services.library.list_processes(args.search)
    if args.json:
        _print_json([_process_json(row) for row in rows])
    elif not rows:
        print("No processes yet. Add one with: baton process add TITLE")
    else:
        for row in rows:
            print(f"{row.id:>5}  {row.status.value:<8}  {row.step_count:>3} steps  {row.title}")
    return 0


def cmd_process_show(args: argparse.Namespace, services: Services) -> int:
    row = services.library.find(args.process)
    snapshot = services.library.snapshot(row.id)
    if args.json:
        document = _process_json(row)
        document["steps"] = snapshot["steps"]
        document["recording"] = snapshot["recording"]
        _print_json(document)
        return 0
    print(f"{row.title}  (id {row.id}, {row.status.value}, {row.audience.value})")
    if row.summary:
        print(row.summary)
    print(f"{row.minutes_per_run} min x {row.runs_per_week:g}/week = {row.hours_per_week:.1f} h")
    for step in snapshot["steps"]:
        print(f"  {step['position']:>3}. {step['title']}")
    return 0


def cmd_assistant_add(args: argparse.Namespace, services: Services) -> int:
    row = services.tracking.add_assistant(
        AssistantDraft(
            name=args.name,
            email=args.email,
            arrangement=Arrangement(args.arrangement),
            engagement=Engagement(args.engagement),
            hired_via=args.hired_via,
            time_zone=args.time_zone,
            started_on=args.started_on,
            notes=args.notes,
        )
    )
    if args.json:
        _print_json(asdict(row))
    else:
        print(f"Added assistant {row.id}: {row.name}")
    return 0


def cmd_assistant_list(args: argparse.Namespace, services: Services) -> int:
    rows: list[AssistantRow] = services.tracking.list_assistants(args.search)
    if args.json:
        _print_json([asdict(row) for row in rows])
    elif not rows:
        print("No assistants yet. Add one with: baton assistant add NAME")
    else:
        for row in rows:
            state = "active" if row.active else "inactive"
            print(f"{row.id:>5}  {row.arrangement.value:<9} {state:<8}  {row.name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command, or open the app when there is none."""
    args = build_parser().parse_args(argv)
    if args.command == "qt-probe":
        from baton.selftest import qt_probe

        print(qt_probe())
        return 0
    if args.command is None:
        from baton.app import run_app

        return run_app(data_dir=args.data_dir, database_url=args.database_url)
    try:
        services = open_services(args.data_dir, args.database_url)
    except UserError as error:
        print(f"baton: {error}", file=sys.stderr)
        return 1
    setup_logging(services.paths.log_dir)
    try:
        result: int = args.run(args, services)
        return result
    except UserError as error:
        log.info("command failed: %s", error)
        print(f"baton: {error}", file=sys.stderr)
        return 1
    finally:
        services.close()
