"""``baton process ...`` and ``baton assistant ...``."""

from __future__ import annotations

import argparse
import enum
from dataclasses import asdict
from typing import Any

from baton.cli.common import Subparsers, iso_date, print_json
from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft, ProcessRow
from baton.core.states import Arrangement, Audience, Complexity, Engagement, ProcessStatus
from baton.services import Services


def register(commands: Subparsers) -> Subparsers:
    """Add ``process`` and ``assistant``; returns the process actions for other areas."""
    process = commands.add_parser("process", help="processes in the library")
    process_actions = process.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions = process_actions
    add = actions.add_parser("add", help="add a process")
    add.add_argument("title")
    add.add_argument("--summary", default="")
    _choice(add, "--audience", Audience.INTERNAL)
    _choice(add, "--complexity", Complexity.SIMPLE)
    add.add_argument("--minutes", type=int, default=0, help="minutes per run")
    add.add_argument("--runs-per-week", type=float, default=0.0)
    _choice(add, "--status", ProcessStatus.IDEA)
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=process_add)
    listing = actions.add_parser("list", help="list processes")
    listing.add_argument("--search", default="")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=process_list)
    show = actions.add_parser("show", help="show one process with its steps")
    show.add_argument("process", help="id or exact title")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=process_show)

    assistant = commands.add_parser("assistant", help="assistants you hand work to")
    actions = assistant.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an assistant")
    add.add_argument("name")
    add.add_argument("--email", default="")
    _choice(add, "--arrangement", Arrangement.ON_SITE)
    _choice(add, "--engagement", Engagement.PART_TIME)
    add.add_argument("--hired-via", default="")
    add.add_argument("--time-zone", default="")
    add.add_argument("--started-on", type=iso_date, help="YYYY-MM-DD")
    add.add_argument("--notes", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=assistant_add)
    listing = actions.add_parser("list", help="list assistants")
    listing.add_argument("--search", default="")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=assistant_list)
    return process_actions


def _choice(parser: argparse.ArgumentParser, flag: str, default: enum.StrEnum) -> None:
    """An option taking one of ``default``'s enum values (given as the stored string)."""
    parser.add_argument(flag, choices=[member.value for member in type(default)],
                        default=default.value)


def process_json(row: ProcessRow) -> dict[str, Any]:
    document = asdict(row)
    document["hours_per_week"] = round(row.hours_per_week, 2)
    return document


def process_add(args: argparse.Namespace, services: Services) -> int:
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
        print_json(process_json(row))
    else:
        print(f"Added process {row.id}: {row.title}")
    return 0


def process_list(args: argparse.Namespace, services: Services) -> int:
    rows = services.library.list_processes(args.search)
    if args.json:
        print_json([process_json(row) for row in rows])
    elif not rows:
        print("No processes yet. Add one with: baton process add TITLE")
    else:
        for row in rows:
            print(f"{row.id:>5}  {row.status.value:<8}  {row.step_count:>3} steps  {row.title}")
    return 0


def process_show(args: argparse.Namespace, services: Services) -> int:
    row = services.library.find(args.process)
    snapshot = services.library.snapshot(row.id)
    if args.json:
        document = process_json(row)
        document["steps"] = snapshot["steps"]
        document["recording"] = snapshot["recording"]
        print_json(document)
        return 0
    print(f"{row.title}  (id {row.id}, {row.status.value}, {row.audience.value})")
    if row.summary:
        print(row.summary)
    print(f"{row.minutes_per_run} min x {row.runs_per_week:g}/week = {row.hours_per_week:.1f} h")
    for step in snapshot["steps"]:
        when = f"  [{step['video_time']:.1f} s]" if step["video_time"] is not None else ""
        print(f"  {step['position']:>3}. {step['title']}{when}")
    return 0


def assistant_add(args: argparse.Namespace, services: Services) -> int:
    row = services.assistants.add(
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
        print_json(asdict(row))
    else:
        print(f"Added assistant {row.id}: {row.name}")
    return 0


def assistant_list(args: argparse.Namespace, services: Services) -> int:
    rows = services.assistants.list(args.search)
    if args.json:
        print_json([asdict(row) for row in rows])
    elif not rows:
        print("No assistants yet. Add one with: baton assistant add NAME")
    else:
        for row in rows:
            state = "active" if row.active else "inactive"
            print(f"{row.id:>5}  {row.arrangement.value:<9} {state:<8}  {row.name}")
    return 0
