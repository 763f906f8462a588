"""Drawing on a step's screenshot, by mouse and by keyboard, through to the exported PNG."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from baton.capture.steps.annotation import render_png
from baton.core.library import ProcessDraft
from baton.core.steps import StepContent, StepRow, Steps
from baton.services import Services
from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.editor import StepEditor
from baton.ui.steps.text import toggle_bold, toggle_bullets
from baton.ui.steps.tools import (
    Tool,
    make_mark,
    moved,
    next_marker_number,
    resized,
    with_mark,
)
from helpers.images import Pixels, png, png_pixels

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
GRAY = 128


@pytest.fixture
def editor(qtbot: QtBot, services: Services) -> Iterator[StepEditor]:
    steps = Steps(services.database.sessions)
    process = services.library.add_process(ProcessDraft("Order stock"))
    key = services.media.put_bytes(png(GRAY), "png")
    steps.add(process.id, StepContent(title="Open the supplier site", screenshot=key))
    steps.add(process.id, StepContent(title="No picture here"))
    opened = StepEditor(steps, services.media, services.library, process.id, save_delay_ms=50)
    qtbot.addWidget(opened)
    with qtbot.waitActive(opened):
        opened.show()
        opened.activateWindow()
    qtbot.waitUntil(lambda: opened.canvas.image is not None)
    yield opened
    opened.close()


def saved(editor: StepEditor) -> StepRow:
    """The first step as a new service on the same database sees it."""
    return Steps(editor.steps._sessions).list(editor.process_id)[0]


def drag(qtbot: QtBot, canvas: AnnotationCanvas, start: tuple[int, int],
         end: tuple[int, int]) -> None:
    """Press at ``start`` and release at ``end`` (screenshot pixels)."""
    a, b = (canvas.to_widget(*p).toPoint() for p in (start, end))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)


def near(mark: dict[str, Any], **expected: int) -> bool:
    return all(abs(mark[key] - value) <= 1 for key, value in expected.items())


def exported(editor: StepEditor) -> Pixels:
    row = saved(editor)
    assert row.screenshot is not None
    data = render_png(editor.thumbnails._media.read_bytes(row.screenshot),
                      list(row.annotations), list(row.redactions))
    return png_pixels(data)


def test_annotations_drawn_with_the_mouse_are_saved_and_exported(
    qtbot: QtBot, editor: StepEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    canvas = editor.canvas
    for tool, start, end in [
        (Tool.RECT, (20, 20), (120, 80)),
        (Tool.ARROW, (200, 180), (150, 120)),
        (Tool.MARKER, (250, 40), (250, 40)),
        (Tool.TEXT, (20, 150), (20, 150)),
        (Tool.REDACT, (160, 20), (220, 60)),
        (Tool.CROP, (10, 10), (300, 190)),
    ]:
        editor.canvas_tools.actions[tool].trigger()
        drag(qtbot, canvas, start, end)
        if tool is Tool.TEXT:  # typed in place, on the screenshot
            entry = canvas.text_entry
            assert entry is not None
            assert entry.isVisible()
            qtbot.keyClicks(entry, "Click here")
            qtbot.keyClick(entry, Qt.Key.Key_Return)
    row = saved(editor)
    kinds = [mark["kind"] for mark in row.annotations]
    assert kinds == ["rect", "arrow", "marker", "text", "crop"]
    assert near(row.annotations[0], x=20, y=20, w=100, h=60)
    assert near(row.annotations[1], x1=200, y1=180, x2=150, y2=120)
    assert row.annotations[2]["n"] == 1
    assert row.annotations[3]["text"] == "Click here"
    assert near(row.redactions[0], x=160, y=20, w=60, h=40)
    image = exported(editor)
    assert abs(image.shape[1] - 290) <= 2
    assert abs(image.shape[0] - 180) <= 2
    crop_x, crop_y = row.annotations[4]["x"], row.annotations[4]["y"]
    left_edge = image[50 - crop_y, 20 - crop_x]
    assert left_edge[2] > 180
    assert left_edge[1] < 110
    box = row.redactions[0]
    covered = image[box["y"] - crop_y:box["y"] + box["h"] - crop_y,
                    box["x"] - crop_x:box["x"] + box["w"] - crop_x]
    assert (covered == 0).all()
    assert len(editor.model.row_at(0).annotations) == 5
    for _ in range(6):
        editor.undo_stack.undo()
    assert saved(editor).annotations == ()
    assert saved(editor).redactions == ()


def test_the_select_tool_moves_a_mark(qtbot: QtBot, editor: StepEditor) -> None:
    editor.canvas_tools.actions[Tool.RECT].trigger()
    drag(qtbot, editor.canvas, (20, 20), (80, 60))
    editor.canvas_tools.actions[Tool.SELECT].trigger()
    drag(qtbot, editor.canvas, (50, 21), (150, 101))
    assert near(saved(editor).annotations[0], x=120, y=100, w=60, h=40)


def test_drawing_with_the_keyboard_only(qtbot: QtBot, editor: StepEditor) -> None:
    canvas = editor.canvas
    editor.form.caution.setFocus()
    qtbot.keyClick(editor.form.caution, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is canvas
    qtbot.keyClick(canvas, Qt.Key.Key_R)
    assert canvas.tool is Tool.RECT
    assert editor.canvas_tools.actions[Tool.RECT].isChecked()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    [rect] = saved(editor).annotations
    assert rect == {"kind": "rect", "x": 128, "y": 80, "w": 64, "h": 40}
    for _ in range(3):
        qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, SHIFT)
    assert saved(editor).annotations[0] == {"kind": "rect", "x": 137, "y": 80, "w": 64,
                                            "h": 43}
    assert editor.undo_stack.count() == 3  # place, three moves merged into one, resize
    qtbot.keyClick(canvas, Qt.Key.Key_X)
    qtbot.keyClick(canvas, Qt.Key.Key_Left, CTRL)  # the rectangle is still selected: 1 px
    assert saved(editor).annotations[0]["x"] == 136
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    qtbot.keyClick(canvas, Qt.Key.Key_Up)  # nothing selected: the crosshair moves
    qtbot.keyClick(canvas, Qt.Key.Key_Enter)
    assert saved(editor).redactions == ({"x": 128, "y": 77, "w": 64, "h": 40},)
    qtbot.keyClick(canvas, Qt.Key.Key_PageUp)
    assert canvas.selected is not None
    assert not canvas.selected.redaction
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)  # removes the mark, not the step
    assert saved(editor).annotations == ()
    assert editor.model.rowCount() == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Z, CTRL)
    assert len(saved(editor).annotations) == 1


def test_a_step_without_a_screenshot_has_no_canvas(qtbot: QtBot, editor: StepEditor) -> None:
    editor.select_row(1)
    assert not editor.canvas.isEnabled()
    assert editor.canvas.image is None
    editor.select_row(0)
    qtbot.waitUntil(lambda: editor.canvas.image is not None)
    assert editor.canvas.isEnabled()


def test_bold_and_bullets_in_the_instructions(qtbot: QtBot, editor: StepEditor) -> None:
    field = editor.form.instruction
    field.setFocus()
    qtbot.keyClicks(field, "Pay now")
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_B, CTRL)
    assert field.toPlainText() == "**Pay now**"
    qtbot.keyClick(field, Qt.Key.Key_L, CTRL | SHIFT)
    assert field.toPlainText() == "- **Pay now**"
    qtbot.waitUntil(lambda: saved(editor).instruction == "- **Pay now**")


def test_formatting_helpers() -> None:
    assert toggle_bold("pay now", 4, 7) == ("pay **now**", 6, 9)
    assert toggle_bold("pay **now**", 6, 9) == ("pay now", 4, 7)
    assert toggle_bold("pay **now**", 4, 11) == ("pay now", 4, 7)
    assert toggle_bold("ab", 1, 1) == ("a****b", 3, 3)
    assert toggle_bullets("one\ntwo\nthree", 0, 5) == ("- one\n- two\nthree", 0, 11)
    assert toggle_bullets("- one\n- two", 0, 11) == ("one\ntwo", 0, 7)


def test_tool_geometry() -> None:
    size = (320, 200)
    assert make_mark(Tool.RECT, (50, 40), (10, 10), size) == {
        "kind": "rect", "x": 10, "y": 10, "w": 40, "h": 30}
    assert make_mark(Tool.REDACT, (5, 5), (5, 5), size) == {"x": 0, "y": 0, "w": 37, "h": 25}
    assert make_mark(Tool.REDACT, (300, 190), (400, 400), size) == {
        "x": 300, "y": 190, "w": 20, "h": 10}
    assert make_mark(Tool.ARROW, (100, 100), (101, 100), size) == {
        "kind": "arrow", "x1": 69, "y1": 120, "x2": 101, "y2": 100}
    assert make_mark(Tool.TEXT, (1, 1), (1, 1), size) is None
    assert make_mark(Tool.SELECT, (1, 1), (9, 9), size) is None
    arrow = {"kind": "arrow", "x1": 0, "y1": 0, "x2": 5, "y2": 5}
    assert moved(arrow, 1, 2) == {"kind": "arrow", "x1": 1, "y1": 2, "x2": 6, "y2": 7}
    assert resized(arrow, -5, -5) == arrow
    assert resized({"kind": "rect", "x": 0, "y": 0, "w": 2, "h": 2}, -9, 3)["w"] == 1
    crop = {"kind": "crop", "x": 0, "y": 0, "w": 5, "h": 5}
    marks, _, picked = with_mark([crop, {"kind": "marker", "x": 1, "y": 1, "n": 4}], [],
                                 dict(crop, w=9), False)
    assert [m.get("w") for m in marks] == [None, 9]
    assert picked.index == 1
    assert next_marker_number(marks) == 5


def test_the_text_tool_types_in_place_and_a_double_click_changes_the_words(
    qtbot: QtBot, editor: StepEditor
) -> None:
    canvas = editor.canvas
    editor.canvas_tools.actions[Tool.TEXT].trigger()
    drag(qtbot, canvas, (40, 60), (40, 60))
    entry = canvas.text_entry
    assert entry is not None
    assert entry.parent() is canvas
    assert not editor.findChildren(
        QDialog)
    where = canvas.to_widget(40, 60).toPoint()
    assert abs(entry.x() - where.x()) <= 1
    assert abs(entry.y() - where.y()) <= 1
    qtbot.keyClicks(entry, "Pick this one")
    qtbot.keyClick(entry, Qt.Key.Key_Escape)  # Escape drops it
    assert saved(editor).annotations == ()
    assert canvas.text_entry is None
    drag(qtbot, canvas, (40, 60), (40, 60))
    assert canvas.text_entry is not None
    qtbot.keyClicks(canvas.text_entry, "Pick this one")
    qtbot.keyClick(canvas.text_entry, Qt.Key.Key_Return)
    [mark] = saved(editor).annotations
    assert (mark["kind"], mark["text"], mark["x"], mark["y"]) == ("text", "Pick this one", 40, 60)
    assert canvas.hasFocus()

    editor.canvas_tools.actions[Tool.SELECT].trigger()
    spot = canvas.to_widget(mark["x"] + 10, mark["y"] + 5).toPoint()
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=spot)
    entry = canvas.text_entry
    assert entry is not None
    assert entry.text() == "Pick this one"
    entry.selectAll()
    qtbot.keyClicks(entry, "Not that one")
    canvas.setFocus()  # clicking elsewhere keeps what was typed
    qtbot.waitUntil(lambda: saved(editor).annotations[0]["text"] == "Not that one")
    assert len(saved(editor).annotations) == 1
    editor.undo_stack.undo()
    assert saved(editor).annotations[0]["text"] == "Pick this one"
