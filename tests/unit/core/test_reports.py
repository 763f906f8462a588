"""The CSV export never hands a spreadsheet a formula, however the text hides it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.handoffs import Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import ProcessStatus
from baton.core.reports import spreadsheet_safe, write_handoffs_csv


@pytest.mark.parametrize(
    "text",
    [
        "=HYPERLINK(\"http://evil\")",
        "\x00=HYPERLINK(\"http://evil\")",  # NUL first: LibreOffice still sees a formula
        "\x01\x1f=1+1",
        " =1+1",
        "\u200b=1+1",  # zero-width space
        "\ufeff@SUM(A1)",  # byte order mark
        "\u2060\u200d+1",  # word joiner, zero-width joiner
        "\u00a0-1",  # no-break space
        "\u3000=1",  # ideographic space
        "\uff1d1+1",  # full-width equals sign
        "\t=1",
        "\r=1",
        "\tanything",
        "\ranything",
        "+44 20 7946 0000",
        "-",
        "@handle",
    ],
)
def test_hidden_formula_starts_are_neutralised(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Payroll", "", "  Send invoices", "\u200bPayroll", "a=b", "Zoë", "1+1", "'quoted"]
)
def test_plain_text_is_left_alone(text: str) -> None:
    assert spreadsheet_safe(text) == text


def test_the_csv_file_carries_the_neutralised_cells(
    library: Library, assistants: Assistants, handoffs: Handoffs, tmp_path: Path
) -> None:
    # PostgreSQL stores no NUL (the function is tested with one above): another control
    # character and a zero-width space hide the formula here.
    title = "\x01\u200b=HYPERLINK(\"http://evil\",\"click\")"
    process = library.add_process(ProcessDraft(title[:200], status=ProcessStatus.READY)).id
    ana = assistants.add(AssistantDraft("\u200b@Ana")).id
    handoffs.create(library.freeze_version(process).id, ana)
    out = tmp_path / "handoffs.csv"
    assert write_handoffs_csv(handoffs.list(), out, today=date(2026, 3, 2)) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        _, row = list(csv.reader(handle))
    assert row[0] == "'" + title
    assert row[2] == "'\u200b@Ana"
