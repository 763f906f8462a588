"""The command line (a stable contract: tests and scripts use it).

The commands are listed in README.md ("Command line"); docs/ARCHITECTURE.md says where each
lives.

Each area registers its commands: ``library`` (process, assistant), ``recording`` (record,
steps from video), ``handoffs`` (handoff send, package, receipt), ``steps`` (steps
capture), ``redaction`` (boxes hidden in the video and screenshots), ``system`` (selftest).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from baton import __version__
from baton.cli import handoffs, library, recording, redaction, steps, system
from baton.cli.common import Parser
from baton.core.upgrade import UpgradeNotice
from baton.errors import UserError
from baton.paths import resolve_paths
from baton.services import open_services, open_user_files

log = logging.getLogger("baton.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="baton", description="Record how you work, hand it off, track it.")
    parser.add_argument("--version", action="version", version=f"baton {__version__}")
    parser.add_argument("--data-dir", help="the library folder (default: your data folder)")
    parser.add_argument("--database-url", help="a PostgreSQL URL for team mode")
    parser.add_argument("--upgrade-without-backup", action="store_true",
                        help="upgrade a team library even when pg_dump cannot back it up")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    system.register(commands)
    process_actions = library.register(commands)
    recording.register(commands)
    recording.register_process_actions(process_actions)
    handoffs.register(commands)
    steps.register(commands)
    redaction.register(commands)
    return parser


def _confirm_upgrade(notice: UpgradeNotice, args: argparse.Namespace) -> bool:
    """A team library is upgraded when it was backed up, or the owner said to go on."""
    go_on = notice.backup is not None or bool(args.upgrade_without_backup)
    if go_on:
        print(f"baton: {notice.sentence()}", file=sys.stderr)
    return go_on


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
    if not getattr(args, "needs_library", True):
        return _run_without_library(args)
    try:
        open_user_files(resolve_paths(args.data_dir))
        services = open_services(args.data_dir, args.database_url,
                                 confirm=lambda notice: _confirm_upgrade(notice, args))
    except UserError as error:
        print(f"baton: {error}", file=sys.stderr)
        return 1
    try:
        result: int = args.run(args, services)
        return result
    except UserError as error:
        log.info("command failed: %s", error)
        print(f"baton: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("baton: stopped", file=sys.stderr)
        return 130
    finally:
        services.close()


def _run_without_library(args: argparse.Namespace) -> int:
    """A command that needs no library (``package verify``): no data folder is touched."""
    try:
        result: int = args.run(args, None)
        return result
    except UserError as error:
        print(f"baton: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("baton: stopped", file=sys.stderr)
        return 130
