"""The command line (a stable contract: tests and scripts use it).

The commands are listed in README.md ("Command line"); docs/ARCHITECTURE.md says where each
lives.

Each area registers its commands: ``library`` (process, assistant), ``recording`` (record,
steps from video), ``handoffs`` (handoff send, package, receipt), ``system`` (selftest).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from baton import __version__
from baton.cli import handoffs, library, recording, system
from baton.cli.common import Parser
from baton.errors import UserError
from baton.log import setup_logging
from baton.services import open_services

log = logging.getLogger("baton.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="baton", description="Record how you work, hand it off, track it.")
    parser.add_argument("--version", action="version", version=f"baton {__version__}")
    parser.add_argument("--data-dir", help="the library folder (default: your data folder)")
    parser.add_argument("--database-url", help="a PostgreSQL URL for team mode")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    system.register(commands)
    process_actions = library.register(commands)
    recording.register(commands)
    recording.register_process_actions(process_actions)
    handoffs.register(commands)
    return parser


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
        services = open_services(args.data_dir, args.database_url)
    except UserError as error:
        print(f"baton: {error}", file=sys.stderr)
        return 1
    try:
        setup_logging(services.paths.log_dir)
    except OSError:
        pass  # a read-only library: the command still runs, without a log file
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
