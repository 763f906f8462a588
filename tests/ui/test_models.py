"""Item models are checked with Qt's model tester and filled from plain rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt

from baton.core.assistants import AssistantRow
from baton.core.handoffs import HandoffRow
from baton.core.library import ProcessRow
from baton.core.models import (
    Arrangement,
    Audience,
    Complexity,
    Engagement,
    HandoffStatus,
    ProcessStatus,
)
from baton.ui.models.rows import ROW_ROLE, SORT_ROLE
from baton.ui.models.tables import AssistantTableModel, HandoffTableModel, ProcessTableModel


def process_row(id: int, title: str, minutes: int = 30) -> ProcessRow:
    return ProcessRow(id, title, "", Audience.INTERNAL, Complexity.SIMPLE, minutes, 2.0,
                      ProcessStatus.DRAFT, 0, 3, False, 1, "2026-03-02 09:00")


def test_process_model(qtmodeltester: Any) -> None:
    model = ProcessTableModel()
    model.set_rows([process_row(1, "Payroll", 45), process_row(2, "Invoices")])
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.data(model.index(0, 0)) == "Payroll"
    assert model.data(model.index(0, 4)) == "1.5"
    assert model.data(model.index(0, 4), SORT_ROLE) == 1.5
    assert model.data(model.index(1, 0), ROW_ROLE).id == 2
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Status"
    model.set_rows([])
    qtmodeltester.check(model)


def test_assistant_and_handoff_models(qtmodeltester: Any) -> None:
    assistants = AssistantTableModel()
    assistants.set_rows([AssistantRow(1, "Ana", "ana@example.com", Arrangement.OFFSHORE,
                                      Engagement.TASK_BASED, "Upwork", "Asia/Manila",
                                      date(2026, 1, 5), "", True, 2, 1)])
    qtmodeltester.check(assistants)
    assert assistants.data(assistants.index(0, 3)) == "Task based"
    handoffs = HandoffTableModel()
    handoffs.set_rows([HandoffRow(1, 1, "Invoices", 2, 1, "Ana", datetime(2026, 3, 2, 9, 0),
                                  None, HandoffStatus.NEEDS_HELP, datetime(2026, 3, 3, 9, 0))])
    qtmodeltester.check(handoffs)
    assert handoffs.data(handoffs.index(0, 1)) == "v2"
    assert handoffs.data(handoffs.index(0, 3)) == "Needs help"
