"""Handoffs view (timeline, check-in, revoke, CSV) and the dashboard, with real services."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft
from baton.core.models import EventKind, HandoffStatus, ProcessStatus
from baton.errors import NotFound
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.check_in import CheckIn, CheckInDialog
from baton.ui.pages import handoffs as handoffs_view
from baton.ui.pages.dashboard import DashboardView
from baton.ui.pages.handoffs import HandoffsView


def send(services: Services, title: str, assistant: str, minutes: int = 30) -> int:
    process = services.library.add_process(
        ProcessDraft(title, minutes_per_run=minutes, runs_per_week=2, status=ProcessStatus.READY))
    try:
        person = services.assistants.find(assistant).id
    except NotFound:
        person = services.assistants.add(AssistantDraft(assistant)).id
    version = services.library.freeze_version(process.id)
    return services.handoffs.create(version.id, person, due_on=date(2026, 3, 1)).id


def test_timeline_check_in_revoke_and_csv(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    handoff = send(services, "Invoices", "Ana")
    view = HandoffsView(services.handoffs, today=lambda: date(2026, 3, 2))
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 1
    assert view.table.isVisible()
    assert view.table.width() > 200
    view.table.selectRow(0)
    assert view.timeline.count() == 1
    assert "Sent" in view.timeline.item(0).text()

    monkeypatch.setattr(CheckInDialog, "ask", classmethod(
        lambda cls, parent, row, today: CheckIn(HandoffStatus.PRACTISING, "going well",
                                                date(2026, 3, 9))))
    view.check_in_action.trigger()
    assert services.handoffs.get(handoff).status is HandoffStatus.PRACTISING
    assert services.handoffs.get(handoff).due_on == date(2026, 3, 9)
    view.table.selectRow(0)
    assert "Check in → practising: going well" in view.timeline.item(1).text()

    target = tmp_path / "out.csv"
    monkeypatch.setattr(handoffs_view, "ask_save_path", lambda *args: target)
    view.export_action.trigger()
    assert "Invoices" in target.read_text(encoding="utf-8-sig")

    monkeypatch.setattr(messages, "confirm", lambda *args: True)
    view.table.selectRow(0)
    view.revoke_action.trigger()
    assert services.handoffs.get(handoff).status is HandoffStatus.REVOKED


def test_check_in_dialog_never_offers_revoke(qtbot: QtBot, services: Services) -> None:
    send(services, "Invoices", "Ana")
    [row] = services.handoffs.list()
    dialog = CheckInDialog(row, date(2026, 3, 2))
    qtbot.addWidget(dialog)
    values = [dialog.status.itemData(i) for i in range(dialog.status.count())]
    assert "revoked" not in values
    assert "independent" in values
    dialog.has_due.setChecked(False)
    assert dialog.result_value().next_due is None


def test_dashboard_shows_what_needs_attention(
    qtbot: QtBot, services: Services, qtmodeltester: Any
) -> None:
    first = send(services, "Invoices", "Ana", minutes=60)
    services.handoffs.check_in(first, HandoffStatus.INDEPENDENT)
    second = send(services, "Payroll", "Ben")
    services.handoffs.add_event(second, EventKind.QUESTION, "Which bank account?",
                                new_status=HandoffStatus.NEEDS_HELP)
    view = DashboardView(services.dashboard)
    qtbot.addWidget(view)
    assert view.cards["open_questions"].value.text() == "–"  # nothing computed until shown
    view.show()
    assert view.cards["hours_per_week_handed_off"].value.text() == "2.0"
    assert view.cards["open_questions"].value.text() == "1"
    assert "Ben asked about “Payroll”: Which bank account?" in view.attention.item(0).text()
    assert "question" in view.next_step.text()
    qtmodeltester.check(view.holdings)
    assert view.holdings.rowCount() == 2
    assert view.holdings.columnCount() == 2
    assert view.holdings.headerData(0, Qt.Orientation.Vertical) == "Ana"
    assert [r.assistant_name for r in view.chart.rows()] == ["Ana"]
    view.resize(900, 700)
    image = view.grab().toImage()
    assert not image.isNull()


def test_assistants_page_suggests_what_to_hand_next(qtbot: QtBot, services: Services) -> None:
    from baton.core.models import Audience
    from baton.ui.pages.assistants import AssistantsView

    services.library.add_process(ProcessDraft("File receipts", status=ProcessStatus.READY,
                                              minutes_per_run=10, runs_per_week=5))
    services.library.add_process(ProcessDraft("Answer customers", status=ProcessStatus.READY,
                                              audience=Audience.CUSTOMER_FACING))
    services.assistants.add(AssistantDraft("Ana"))
    view = AssistantsView(services.assistants, lambda text: None, ladder=services.ladder)
    qtbot.addWidget(view)
    view.show()
    assert view.table.isVisible()
    view.table.selectRow(0)
    lines = [view.next_up.item(i).text() for i in range(view.next_up.count())]
    assert lines[0] == "Hand Ana next:"
    assert lines[1].startswith("• File receipts")
    assert "good first handoff" in lines[1]
    assert not any("Answer customers" in line for line in lines)
