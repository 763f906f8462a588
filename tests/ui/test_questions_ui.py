"""A question from the Dashboard: open it at its step, answer it, see it in the next package."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft
from baton.core.models import EventKind, HandoffStatus, ProcessStatus
from baton.core.questions import QuestionRow
from baton.core.steps import StepContent
from baton.services import Services
from baton.ui.actions import MainAction
from baton.ui.dialogs.answer import AnswerDialog
from baton.ui.dialogs.send import SendDialog, SendRequest
from baton.ui.main_window import MainWindow, make_state


def open_window(qtbot: QtBot, services: Services) -> MainWindow:
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    window.show()
    return window


def send_from_the_window(qtbot: QtBot, window: MainWindow, process_id: int, assistant: int,
                         folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder.mkdir()
    monkeypatch.setattr(SendDialog, "ask", classmethod(
        lambda cls, parent, **options: SendRequest(assistant, date(2099, 12, 1), "", folder,
                                                   None)))
    window.show_page("Library")
    window.library.refresh()
    window.library.select_where(lambda row: row.id == process_id)
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        window.main_actions[MainAction.SEND].trigger()
    [package] = folder.glob("*.zip")
    return package


def test_answer_a_question_from_the_dashboard_and_find_it_in_the_next_package(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    for title in ("Open the bank", "Find the invoice", "Click Pay"):
        services.steps.add(process.id, StepContent(title=title))
    ana = services.assistants.add(AssistantDraft("Ana")).id
    window = open_window(qtbot, services)
    first = send_from_the_window(qtbot, window, process.id, ana, tmp_path / "one", monkeypatch)
    assert services.library.get(process.id).status is ProcessStatus.READY
    [handoff] = services.handoffs.list()
    services.handoffs.add_event(handoff.id, EventKind.QUESTION, "Which card do I use?",
                                step_position=3, new_status=HandoffStatus.NEEDS_HELP)

    window.show_page("Dashboard")
    attention = window.dashboard.attention
    qtbot.waitUntil(lambda: attention.count() > 0)
    item = attention.item(0)
    assert item.text() == ("Ana asked about “Pay invoices” at step 3, “Click Pay”: "
                           "Which card do I use?")
    asked: list[QuestionRow] = []

    def answer(cls: Any, parent: Any, question: QuestionRow, open_step: Any = None) -> str:
        asked.append(question)
        open_step(question)  # "Open step 3": the editor opens at that step
        return "The blue company card."

    monkeypatch.setattr(AnswerDialog, "ask", classmethod(answer))
    attention.setCurrentItem(item)
    attention.setFocus()
    qtbot.keyClick(attention, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(asked))
    assert window.current_page() == "Handoffs"
    assert asked[0].step is not None
    assert asked[0].step.number == 3
    editor = window.editors[process.id]
    current = editor.current_row()
    assert current is not None
    assert current.title == "Click Pay"
    editor.close()
    timeline = [window.handoffs.timeline.item(i).text()
                for i in range(window.handoffs.timeline.count())]
    assert any("Your answer (step 3): The blue company card." in line for line in timeline)
    assert services.handoffs.get(handoff.id).status is HandoffStatus.SENT
    window.show_page("Dashboard")
    assert "no open questions" in window.dashboard.attention.item(0).text()

    second = send_from_the_window(qtbot, window, process.id, ana, tmp_path / "two", monkeypatch)
    assert first != second
    with zipfile.ZipFile(second) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        page = archive.read("index.html").decode()
    assert manifest["answers"][0]["answer"] == "The blue company card."
    data = json.loads(re.search(r'id="baton-data">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert data["steps"][2]["answers"][0]["question"] == "Which card do I use?"
