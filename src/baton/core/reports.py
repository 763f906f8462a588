"""Exports the owner can open in a spreadsheet."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from baton.core.handoffs import HandoffRow
from baton.errors import UserError
from baton.util.atomic import atomic_text

HANDOFF_HEADER = (
    "Process", "Version", "Assistant", "Status", "Sent", "Check in by", "Last activity",
    "Overdue",
)


FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection).

    Spreadsheets skip what they do not show before deciding a cell is a formula, so the
    first *visible* character counts: after whitespace, control characters (NUL, ...) and
    zero-width or other format characters (U+200B, U+FEFF, ...). A cell whose first visible
    character is ``=``, ``+``, ``-`` or ``@`` (or a full-width form of one), or that starts
    with a tab or carriage return, gets a leading ``'``, which every spreadsheet reads as
    "this is text".
    """
    if text[:1] in ("\t", "\r"):
        return "'" + text
    for character in text:
        if character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs"):
            continue
        if unicodedata.normalize("NFKC", character)[:1] in FORMULA_STARTS:
            return "'" + text
        break
    return text


def write_handoffs_csv(rows: Iterable[HandoffRow], path: Path, today: date) -> int:
    """Write the handoff table to ``path`` (replaced atomically); returns the row count."""
    path = path.expanduser()
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    count = 0
    try:
        with atomic_text(path, encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HANDOFF_HEADER)
            for row in rows:
                writer.writerow([
                    spreadsheet_safe(row.process_title),
                    row.version_number,
                    spreadsheet_safe(row.assistant_name),
                    row.status.value,
                    row.sent_at.isoformat(sep=" ", timespec="minutes"),
                    row.due_on.isoformat() if row.due_on else "",
                    row.last_event_at.isoformat(sep=" ", timespec="minutes"),
                    "yes" if row.is_overdue(today) else "",
                ])
                count += 1
    except OSError as error:
        raise UserError(f"Cannot write {path}: {error.strerror}") from None
    return count
