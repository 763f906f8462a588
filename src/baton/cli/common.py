"""What every command module shares: the parser class, JSON output, argument types."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

Subparsers = Any  # argparse's _SubParsersAction is private


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments in one line (exit 2), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        words = self.prog.split()[1:]
        hint = " ".join(words) + " " if words else ""
        self.exit(2, f"baton: {message} (see baton {hint}--help)\n")


def print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, sort_keys=True, default=str))


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file")
    return path


def megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size in MB") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the size must be more than 0 MB")
    return int(value * 1_000_000)


def start_qt_for_documents() -> object:
    """Qt's PDF writer needs a QGuiApplication; on the command line it needs no screen."""
    import os

    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QGuiApplication(["baton"])
