"""Hiding areas of the video: from the recording review, and from the step editor, where a
box on a screenshot from the recorded take also hides that part of the video."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from baton.capture.recording.request import RecordingRequest
from baton.capture.steps.from_video import import_video_steps
from baton.core.library import ProcessDraft, RecordingInfo
from baton.core.steps import StepContent
from baton.handoff.step_boxes import MARGIN
from baton.handoff.video_plan import TimedBox
from baton.services import Services
from baton.ui import messages
from baton.ui.main_window import MainWindow, make_state
from baton.ui.recording.clip import ReviewChoice
from baton.ui.recording.hide_area import HideAreaDialog, describe, picture_at
from baton.ui.recording.review import ReviewDialog
from baton.ui.recording.setup_dialog import Setup, SetupDialog
from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.editor import StepEditor
from baton.ui.steps.tools import Tool
from helpers.fakes import FakeDesktop, synthetic_recorder
from takes import scene_take


def drag(qtbot: QtBot, canvas: AnnotationCanvas, start: tuple[int, int],
         end: tuple[int, int]) -> None:
    a, b = (canvas.to_widget(*p).toPoint() for p in (start, end))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)


def test_boxes_are_drawn_on_a_picture_for_the_whole_take_or_a_stretch(qtbot: QtBot) -> None:
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(QColor(90, 120, 150))
    dialog = HideAreaDialog(image, 12.0)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.canvas.isVisible())
    hide = dialog.buttons.buttons()[0]
    assert dialog.canvas.tool is Tool.REDACT
    assert not hide.isEnabled()
    drag(qtbot, dialog.canvas, (40, 30), (140, 70))
    assert hide.isEnabled()
    [box] = dialog.chosen()
    assert (box.start, box.end) == (0.0, None)  # the whole take unless told
    assert abs(box.x - 40) <= 1
    assert abs(box.w - 100) <= 2
    assert abs(box.h - 40) <= 2
    dialog.start.setValue(2.0)
    dialog.end.setValue(5.5)
    assert [(b.start, b.end) for b in dialog.chosen()] == [(2.0, 5.5)]
    assert describe([box, *dialog.chosen()]) == (
        "Hidden in the video: 2 boxes (1 for the whole take, 1 for a stretch)")


def test_the_review_hides_areas_on_the_picture_at_the_playhead(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = scene_take(tmp_path)
    assert picture_at(video, 2.5).pixelColor(300, 5).red() == 130  # the second screen
    asked: list[QImage] = []

    def ask(cls: object, parent: object, image: QImage, duration: float) -> list[TimedBox]:
        asked.append(image)
        return [TimedBox(10, 20, 30, 40, 1.0, 4.0)]

    monkeypatch.setattr(HideAreaDialog, "ask", classmethod(ask))
    dialog = ReviewDialog(video, 6.0, [])
    qtbot.addWidget(dialog)
    dialog.hide_area()
    assert asked
    assert (asked[0].width(), asked[0].height()) == (320, 240)
    assert dialog.hidden.text() == "Hidden in the video: 1 box (1 for a stretch)"
    dialog.new_title.setText("Pay the rent")
    dialog.mark_start(2.0)
    dialog.accept()
    assert dialog.choice is not None
    # Trimmed from 2 s: the box now runs from the start of what is kept to 2 s into it.
    assert dialog.choice.kept_redactions() == [TimedBox(10, 20, 30, 40, 0.0, 2.0)]


def test_areas_hidden_in_the_review_are_stored_in_the_kept_videos_time(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=synthetic_recorder, desktop=FakeDesktop())
    qtbot.addWidget(window)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(fps=10), False)))
    boxes = (TimedBox(5, 5, 50, 20), TimedBox(60, 60, 10, 10, 0.0, 0.4),
             TimedBox(100, 100, 20, 20, 1.0, 1.5))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(
        lambda cls, parent, video, duration, processes, preselected=None: ReviewChoice(
            0.5, duration, duration, process.id, "", boxes)))
    window.library.select_where(lambda row: row.id == process.id)
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    recorder = window.recording.recorder
    assert recorder is not None
    qtbot.waitUntil(lambda: recorder.elapsed() > 2.0, timeout=5000)
    with qtbot.waitSignal(window.recording.attached, timeout=30_000):
        window.recording.stop()
    stored = [(r.box, r.start, r.end) for r in services.redactions.list(process.id)]
    # The box over 0-0.4 s was trimmed away with the first half second.
    assert stored == [((5, 5, 50, 20), 0.0, None), ((100, 100, 20, 20), 0.5, 1.0)]


def test_a_box_on_a_step_from_the_take_also_hides_the_video(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = scene_take(tmp_path)
    process = services.library.add_process(ProcessDraft("Pay the rent")).id
    services.library.attach_recording(process, RecordingInfo(
        services.media.put_file(video, "mp4"), 6.0, video.stat().st_size, 10.0, 320, 240))
    import_video_steps(services.steps.appender(process), services.media, video)
    typed = services.steps.add(process, StepContent("Typed by hand")).id
    editor = StepEditor(services.steps, services.media, services.library, process,
                        redactions=services.redactions)
    qtbot.addWidget(editor)
    editor.show()
    sync = editor.video_boxes
    assert sync is not None
    editor.select_row(1)
    qtbot.waitUntil(lambda: editor.canvas.image is not None)
    second = editor.current_row()
    assert second is not None
    assert second.video_time is not None
    assert sync.widget.isVisible()
    assert sync.checkbox.isChecked()
    editor.canvas.set_tool(Tool.REDACT)
    drag(qtbot, editor.canvas, (20, 40), (140, 70))
    qtbot.waitUntil(lambda: bool(services.redactions.step_boxes(second.id)), timeout=10_000)
    [carried] = services.redactions.step_boxes(second.id)
    [drawn] = services.steps.get(second.id).redactions
    assert carried.box == (drawn["x"] - MARGIN, drawn["y"] - MARGIN,
                           drawn["w"] + 2 * MARGIN, drawn["h"] + 2 * MARGIN)
    assert (carried.start, carried.end) == (0.0, pytest.approx(4.0, abs=0.15))
    qtbot.waitUntil(lambda: sync.note.text().startswith("Hidden on the video from 0.0 s"))
    # Undo takes the box off the screenshot and the video.
    editor.undo_stack.undo()
    qtbot.waitUntil(lambda: not services.redactions.step_boxes(second.id), timeout=10_000)
    editor.undo_stack.redo()
    qtbot.waitUntil(lambda: bool(services.redactions.step_boxes(second.id)), timeout=10_000)
    # Turned off, the box hides the screenshot only.
    sync.checkbox.click()
    qtbot.waitUntil(lambda: not services.redactions.step_boxes(second.id), timeout=10_000)
    assert services.steps.get(second.id).redactions
    # A step typed by hand is not in the video: nothing to offer.
    editor.select_row(editor.model.row_of(typed))
    assert not sync.widget.isVisible()
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    assert sync.wait()
    assert problems == []
    editor.close()
