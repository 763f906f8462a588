"""``baton selftest`` (and the hidden ``qt-probe`` it runs in a child process)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from baton.cli.common import Subparsers, print_json
from baton.services import Services


def register(commands: Subparsers) -> None:
    selftest = commands.add_parser("selftest", help="check this installation")
    selftest.add_argument("--json", action="store_true")
    selftest.set_defaults(run=selftest_command)
    commands.add_parser("qt-probe")  # used by selftest in a child process


def selftest_command(args: argparse.Namespace, services: Services) -> int:
    from baton.selftest import run_selftest

    checks = run_selftest(services)
    if args.json:
        print_json({"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]})
    else:
        for check in checks:
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return 0 if all(check.ok for check in checks) else 1
