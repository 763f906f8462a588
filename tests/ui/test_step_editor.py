"""The step editor, driven like a user would: reorder, undo/redo, autosave, keyboard only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from baton.core.library import ProcessDraft
from baton.core.models import ProcessStatus
from baton.core.steps import StepContent, StepRow, Steps
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.process import ProcessDialog
from baton.ui.models.rows import ROW_ROLE
from baton.ui.models.steps import StepListModel
from baton.ui.pages.library import LibraryView
from baton.ui.steps.editor import StepEditor
from helpers.images import png

TITLES = ["Open the bank", "Log in", "Find the invoice", "Pay"]
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@dataclass
class Opened:
    editor: StepEditor
    services: Services
    process_id: int

    def saved(self) -> list[StepRow]:
        """The steps as a brand-new service on the same database sees them."""
        return Steps(self.services.database.sessions).list(self.process_id)

    def titles(self) -> list[str]:
        return [row.title for row in self.saved()]


def open_editor(qtbot: QtBot, services: Services, process_id: int) -> StepEditor:
    editor = StepEditor(Steps(services.database.sessions), services.media, services.library,
                        process_id, save_delay_ms=50)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    return editor


@pytest.fixture
def opened(qtbot: QtBot, services: Services) -> Iterator[Opened]:
    steps = Steps(services.database.sessions)
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    for number, title in enumerate(TITLES):
        key = services.media.put_bytes(png(40 * number + 20), "png")
        steps.add(process.id, StepContent(title=title, instruction=f"Do {number}",
                                          screenshot=key))
    editor = open_editor(qtbot, services, process.id)
    qtbot.waitUntil(lambda: editor.canvas.image is not None)
    yield Opened(editor, services, process.id)
    editor.close()


def state(opened: Opened) -> list[tuple[Any, ...]]:
    return [(r.title, r.instruction, r.caution, r.screenshot, r.annotations, r.redactions)
            for r in opened.saved()]


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def test_opens_with_steps_and_loads_thumbnails_lazily(
    qtbot: QtBot, opened: Opened, qtmodeltester: Any
) -> None:
    editor = opened.editor
    assert editor.windowTitle() == "Steps — Pay invoices"
    assert editor.model.rowCount() == 4
    assert editor.model.data(editor.model.index(1)) == "2. Log in"
    assert editor.current_row() is not None
    assert editor.current_row().title == "Open the bank"
    assert editor.form.title.text() == "Open the bank"
    first = editor.model.index(0)
    qtbot.waitUntil(lambda: editor.model.data(first, Qt.ItemDataRole.DecorationRole)
                    is not editor.thumbnails.placeholder)
    icon = editor.model.data(first, Qt.ItemDataRole.DecorationRole)
    assert icon.availableSizes()[0] == QSize(144, 90)
    qtmodeltester.check(editor.model)


def test_only_the_thumbnails_in_view_are_loaded(qtbot: QtBot, services: Services) -> None:
    steps = Steps(services.database.sessions)
    process = services.library.add_process(ProcessDraft("Long one"))
    for number in range(60):
        key = services.media.put_bytes(png(number), "png")
        steps.add(process.id, StepContent(title=f"Step {number}", screenshot=key))
    editor = open_editor(qtbot, services, process.id)
    qtbot.waitUntil(lambda: editor.canvas.image is not None)
    editor.thumbnails.wait()
    asked = len(editor.thumbnails._thumbnails) + len(editor.thumbnails._pending)
    assert 0 < asked < 20
    editor.close()


def test_reorder_by_drag_and_drop_and_move_keys(qtbot: QtBot, opened: Opened) -> None:
    editor, model = opened.editor, opened.editor.model
    data = model.mimeData([model.index(0)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert opened.titles() == ["Log in", "Find the invoice", "Open the bank", "Pay"]
    assert [model.data(model.index(i)) for i in range(4)][2] == "3. Open the bank"
    assert editor.current_row().title == "Open the bank"
    # what QListView calls for an internal move
    assert model.moveRows(QModelIndex(), 3, 1, QModelIndex(), 0)
    assert opened.titles() == ["Pay", "Log in", "Find the invoice", "Open the bank"]
    assert editor.current_row().title == "Pay"
    focus(qtbot, editor.list)
    qtbot.keyClick(editor.list, Qt.Key.Key_End)
    qtbot.keyClick(editor.list, Qt.Key.Key_Up, ALT)
    assert opened.titles() == ["Pay", "Log in", "Open the bank", "Find the invoice"]
    qtbot.keyClick(editor.list, Qt.Key.Key_Down, ALT)
    qtbot.keyClick(editor.list, Qt.Key.Key_Up, ALT)
    qtbot.keyClick(editor.list, Qt.Key.Key_Up, ALT)
    assert opened.titles() == ["Pay", "Open the bank", "Log in", "Find the invoice"]
    for _ in range(6):
        editor.undo_stack.undo()
    assert opened.titles() == TITLES
    assert not editor.undo_stack.canUndo()


def test_undo_and_redo_every_kind_of_edit(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    before = state(opened)
    focus(qtbot, editor.form.title)
    qtbot.keyClicks(editor.form.title, " now")
    editor.flush()
    editor.add_step()
    editor.select_row(1)
    editor.duplicate_step()
    editor.merge_with_next()
    editor.select_row(3)
    editor.delete_step()
    editor.canvas.set_marks([{"kind": "rect", "x": 1, "y": 1, "w": 9, "h": 9}], [])
    editor._marks_edited([{"kind": "rect", "x": 1, "y": 1, "w": 9, "h": 9}],
                         [{"x": 0, "y": 0, "w": 4, "h": 4}], "")
    after = state(opened)
    assert after != before
    assert len(after) == 4
    assert [row[0] for row in after] == ["Open the bank now", "", "Log in", "Pay"]
    while editor.undo_stack.canUndo():
        editor.undo_stack.undo()
    assert state(opened) == before
    assert editor.form.title.text() == "Open the bank"
    while editor.undo_stack.canRedo():
        editor.undo_stack.redo()
    assert state(opened) == after


def test_ctrl_z_in_a_text_field_undoes_through_the_editor(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    focus(qtbot, editor.form.instruction)
    qtbot.keyClicks(editor.form.instruction, "!!")
    assert editor.undo_stack.count() == 1  # one typing run, one undo step
    qtbot.keyClick(editor.form.instruction, Qt.Key.Key_Z, CTRL)
    assert editor.form.instruction.toPlainText() == "Do 0"
    qtbot.keyClick(editor.form.instruction, Qt.Key.Key_Z, CTRL | SHIFT)
    assert editor.form.instruction.toPlainText() == "Do 0!!"
    qtbot.waitUntil(lambda: opened.saved()[0].instruction == "Do 0!!")


def test_typing_is_saved_without_asking(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    focus(qtbot, editor.form.caution)
    qtbot.keyClicks(editor.form.caution, "Check the amount twice")
    assert editor.status.text() == "Saving…"
    qtbot.waitUntil(lambda: opened.saved()[0].caution == "Check the amount twice")
    assert editor.status.text() == "All changes saved"
    focus(qtbot, editor.form.title)
    qtbot.keyClicks(editor.form.title, " site")
    editor.close()  # closing saves what is waiting, at once
    assert opened.saved()[0].title == "Open the bank site"
    assert opened.services.library.get(opened.process_id).step_count == 4


def test_switching_steps_saves_at_once(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    editor.saver._timer.setInterval(60_000)
    focus(qtbot, editor.form.title)
    qtbot.keyClicks(editor.form.title, "!")
    editor.select_row(2)
    assert opened.saved()[0].title == "Open the bank!"
    assert editor.form.title.text() == "Find the invoice"


def test_keyboard_only_flow(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    qtbot.keyClick(editor, Qt.Key.Key_S, ALT)  # the "Steps" label's mnemonic
    assert QApplication.focusWidget() is editor.list
    qtbot.keyClick(editor.list, Qt.Key.Key_Down)
    assert editor.current_row().title == "Log in"
    qtbot.keyClick(editor.list, Qt.Key.Key_N, CTRL)
    assert QApplication.focusWidget() is editor.form.title
    qtbot.keyClicks(editor.form.title, "Check the balance")
    qtbot.keyClick(editor.form.title, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.form.instruction
    qtbot.keyClicks(editor.form.instruction, "Top right corner")
    qtbot.keyClick(editor.form.instruction, Qt.Key.Key_Up, ALT)
    qtbot.keyClick(editor.form.instruction, Qt.Key.Key_D, CTRL)  # the copy is selected
    qtbot.keyClick(editor, Qt.Key.Key_S, ALT)
    qtbot.keyClick(editor.list, Qt.Key.Key_Up)
    qtbot.keyClick(editor.list, Qt.Key.Key_M, CTRL)
    editor.flush()
    assert opened.titles() == ["Open the bank", "Check the balance", "Log in",
                               "Find the invoice", "Pay"]
    assert opened.saved()[1].instruction == "Top right corner\nTop right corner"
    qtbot.keyClick(editor, Qt.Key.Key_S, ALT)
    qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
    assert len(opened.saved()) == 4
    qtbot.keyClick(editor.list, Qt.Key.Key_Z, CTRL)
    assert len(opened.saved()) == 5
    qtbot.keyClick(editor.list, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(opened.saved()) == 4


def test_tab_order_reaches_every_field(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    focus(qtbot, editor.list)
    seen = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [editor.form.title, editor.form.instruction, editor.form.caution,
                    editor.canvas]


def test_details_button_edits_the_process(
    qtbot: QtBot, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ProcessDialog, "ask", classmethod(
        lambda cls, parent, row=None: ProcessDraft(row.title + " weekly", minutes_per_run=20,
                                                  status=ProcessStatus.READY)))
    qtbot.keyClick(opened.editor, Qt.Key.Key_D, ALT)  # the button clicks a moment later
    qtbot.waitUntil(lambda: opened.editor.windowTitle() == "Steps — Pay invoices weekly")
    row = opened.services.library.get(opened.process_id)
    assert (row.title, row.minutes_per_run, row.status) == (
        "Pay invoices weekly", 20, ProcessStatus.READY)


def test_a_step_deleted_elsewhere_is_reported_and_reloaded(
    qtbot: QtBot, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    editor = opened.editor
    Steps(opened.services.database.sessions).delete(opened.saved()[0].id)
    focus(qtbot, editor.form.title)
    qtbot.keyClicks(editor.form.title, "x")
    editor.flush()
    assert problems
    assert "no longer exists" in problems[0]
    assert editor.model.rowCount() == 3
    editor.select_row(0)
    editor.delete_step()
    assert opened.titles() == ["Find the invoice", "Pay"]


def test_library_enter_opens_the_steps_and_f2_the_details(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = services.library.add_process(ProcessDraft("Payroll"))
    opened_ids: list[int] = []
    view = LibraryView(services.library, lambda text: None, open_steps=opened_ids.append)
    qtbot.addWidget(view)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    view.table.selectRow(0)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened_ids == [row.id]
    asked: list[str] = []
    monkeypatch.setattr(ProcessDialog, "ask", classmethod(
        lambda cls, parent, row=None: asked.append(row.title)))
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    assert asked == ["Payroll"]
    assert opened_ids == [row.id]
    view.steps_action.trigger()
    assert opened_ids == [row.id, row.id]


def test_step_list_model(qtmodeltester: Any) -> None:
    model = StepListModel()
    rows = [StepRow(id=i, process_id=1, position=i, title=t) for i, t in enumerate(TITLES, 1)]
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.data(model.index(0)) == "1. Open the bank"
    assert model.data(model.index(3), ROW_ROLE).id == 4
    moved = [rows[1], rows[2], rows[0], rows[3]]
    model.set_rows(moved)
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)
    assert model.data(model.index(0)) is None


def test_several_steps_are_deleted_at_once_and_come_back_with_one_undo(
    qtbot: QtBot, opened: Opened
) -> None:
    editor = opened.editor
    before = state(opened)
    focus(qtbot, editor.list)
    editor.select_row(1)
    # Shift+Down twice: "Log in", "Find the invoice" and "Pay" picked with the keyboard.
    qtbot.keyClick(editor.list, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(editor.list, Qt.Key.Key_Down, SHIFT)
    assert [row.title for row in editor.selected_rows()] == TITLES[1:]
    assert editor.delete_action.text() == "Delete 3 steps"
    qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
    assert opened.titles() == TITLES[:1]
    assert editor.undo_stack.count() == 1
    assert editor.undo_stack.undoText() == "Delete 3 steps"
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    assert state(opened) == before
    assert editor.model.rowCount() == 4
    editor.undo_stack.redo()
    assert opened.titles() == TITLES[:1]
    editor.undo_stack.undo()
    # Ctrl+click picks steps that are not next to each other.
    editor.select_row(0)
    index = editor.model.index(2)
    qtbot.mouseClick(editor.list.viewport(), Qt.MouseButton.LeftButton, CTRL,
                     editor.list.visualRect(index).center())
    assert [row.title for row in editor.selected_rows()] == [TITLES[0], TITLES[2]]
    editor.delete_step()
    assert opened.titles() == [TITLES[1], TITLES[3]]
    editor.undo_stack.undo()
    assert state(opened) == before


def test_the_editor_opens_wholly_on_screen(qtbot: QtBot, services: Services) -> None:
    from baton.ui.main_window import MainWindow, make_state

    process = services.library.add_process(ProcessDraft("Pay invoices"))
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    window.show()
    window.open_steps(process.id)
    editor = window.editors[process.id]
    area = editor.screen().availableGeometry()
    assert area.contains(editor.frameGeometry()), (area, editor.frameGeometry())
    assert editor.width() < 1200  # the offscreen screen is smaller than the editor's wish
    editor.close()
