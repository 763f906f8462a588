"""The main window and its views, driven like a user would (pytest-qt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft
from baton.core.models import Arrangement, ProcessStatus
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.assistant import AssistantDialog
from baton.ui.dialogs.process import ProcessDialog
from baton.ui.main_window import MainWindow, make_state


def open_window(qtbot: QtBot, services: Services) -> MainWindow:
    window = MainWindow(services, make_state(services.paths.ui_state_file))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def test_empty_library_tells_the_user_what_to_do(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    assert window.current_page() == "Library"
    assert window.library.stack.currentWidget() is window.library.empty
    assert not window.library.edit_action.isEnabled()
    window.show_page("Dashboard")
    assert "add a process" in window.dashboard.next_step.text()


def test_add_edit_delete_a_process(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, services)
    monkeypatch.setattr(ProcessDialog, "ask", classmethod(
        lambda cls, parent, row=None: ProcessDraft("Pay invoices", minutes_per_run=30,
                                                  runs_per_week=2)))
    window.library.empty.button.click()
    assert window.library.stack.currentWidget() is window.library.table
    assert window.library.selected() is not None
    assert "Added" in window.statusBar().currentMessage()

    monkeypatch.setattr(ProcessDialog, "ask", classmethod(
        lambda cls, parent, row=None: ProcessDraft(row.title + " weekly",
                                                  status=ProcessStatus.READY)))
    window.library.edit_action.trigger()
    [row] = services.library.list_processes()
    assert (row.title, row.status) == ("Pay invoices weekly", ProcessStatus.READY)
    assert window.library.model.data(window.library.model.index(0, 0)) == "Pay invoices weekly"

    monkeypatch.setattr(messages, "confirm", lambda *args: False)
    window.library.delete_action.trigger()
    assert len(services.library.list_processes()) == 1
    monkeypatch.setattr(messages, "confirm", lambda *args: True)
    window.library.delete_action.trigger()
    assert services.library.list_processes() == []
    assert window.library.stack.currentWidget() is window.library.empty


def test_a_stale_edit_shows_a_message_and_reloads(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = services.library.add_process(ProcessDraft("Payroll"))
    window = open_window(qtbot, services)
    window.library.select_where(lambda r: r.id == row.id)
    services.library.update_process(row.id, ProcessDraft("Payroll (changed elsewhere)"))
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    monkeypatch.setattr(ProcessDialog, "ask", classmethod(
        lambda cls, parent, row=None: ProcessDraft("Payroll (mine)")))
    window.library.edit_action.trigger()
    assert problems
    assert "changed by someone else" in problems[0]
    assert window.library.model.data(window.library.model.index(0, 0)) == (
        "Payroll (changed elsewhere)")


def test_search_filters_and_did_it_myself_nudges(qtbot: QtBot, services: Services) -> None:
    for title in ("Pay invoices", "Order stock", "Answer email"):
        services.library.add_process(ProcessDraft(title))
    window = open_window(qtbot, services)
    qtbot.keyClicks(window.library.search, "stock")
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1)
    assert window.library.stack.currentWidget() is window.library.table
    qtbot.keyClicks(window.library.search, " nothing like it")
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 0)
    assert window.library.search.isEnabled()
    window.library.search.clear()
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 3)
    qtbot.keyClicks(window.library.search, "stock")
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1)
    window.library.table.selectRow(0)
    window.library.myself_action.trigger()
    window.library.myself_action.trigger()
    assert "record it" in window.statusBar().currentMessage()
    assert services.library.find("Order stock").times_done_myself == 2


def test_assistants_view(qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch):
    window = open_window(qtbot, services)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "Assistants"
    monkeypatch.setattr(AssistantDialog, "ask", classmethod(
        lambda cls, parent, row=None: AssistantDraft("Ana", arrangement=Arrangement.OFFSHORE)))
    window.assistants.empty.button.click()
    assert [a.name for a in services.assistants.list()] == ["Ana"]
    assert window.assistants.model.data(window.assistants.model.index(0, 2)) == "Offshore"


def test_window_geometry_and_page_are_remembered(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    window.resize(780, 520)
    window.show_page("Handoffs")
    window.close()
    again = open_window(qtbot, services)
    assert (again.width(), again.height()) == (780, 520)
    assert again.current_page() == "Handoffs"


def test_process_dialog_validates_before_closing(qtbot: QtBot) -> None:
    dialog = ProcessDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert dialog.isVisible()
    assert "needs a title" in dialog.error.text()
    qtbot.keyClicks(dialog.title, "Payroll")
    dialog.minutes.setValue(40)
    save.click()
    assert not dialog.isVisible()
    assert dialog.draft_result is not None
    assert dialog.draft_result.minutes_per_run == 40


def test_assistant_dialog_start_date_and_email(qtbot: QtBot) -> None:
    dialog = AssistantDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Ana")
    qtbot.keyClicks(dialog.email, "not-an-email")
    dialog.accept()
    assert dialog.draft_result is None
    assert "email" in dialog.error.text()
    dialog.email.clear()
    assert dialog.draft().started_on is None
    dialog.has_start.setChecked(True)
    dialog.accept()
    assert dialog.draft_result is not None
    assert dialog.draft_result.started_on is not None


def test_right_click_on_a_row_offers_every_action_and_shortcuts_fire_once(
    qtbot: QtBot, services: Services
) -> None:
    services.library.add_process(ProcessDraft("Order stock"))
    window = open_window(qtbot, services)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1)
    table = window.library.table
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    toolbar = [a.text() for a in window.library.toolbar.actions() if a.text()]
    assert [a.text() for a in table.actions()] == toolbar
    assert {"Record…", "Capture steps", "Send…", "Update holders…"} <= set(toolbar)
    table.selectRow(0)
    table.setFocus()
    window.activateWindow()
    qtbot.waitUntil(table.hasFocus)
    # On the table and on its page: one shortcut, not an ambiguous pair (a Qt warning).
    qtbot.keyClick(table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: services.library.find("Order stock").times_done_myself == 1)
