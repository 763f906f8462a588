"""Step capture from the window, alone and in one take with a recording (synthetic input
through the same controller; tests/e2e/test_step_capture.py drives real clicks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from baton.capture.recording.request import RecordingRequest
from baton.core.library import ProcessDraft
from baton.core.states import ProcessStatus
from baton.core.steps import StepContent
from baton.services import Services
from baton.ui.main_window import MainWindow, make_state
from baton.ui.recording.review import ReviewChoice, ReviewDialog
from baton.ui.recording.setup_dialog import Setup, SetupDialog
from baton.ui.steps.capture_target import CaptureTarget, CaptureTargetDialog
from helpers.fakes import FakeCapture, FakeDesktop, synthetic_recorder


def window_with(qtbot: QtBot, services: Services, captures: list[FakeCapture]) -> MainWindow:
    def open_capture(process_id: int, **options: Any) -> FakeCapture:
        capture = FakeCapture(services, process_id, **options)
        captures.append(capture)
        return capture

    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=synthetic_recorder, desktop=FakeDesktop(),
                        open_capture=open_capture, global_shortcuts=False)
    qtbot.addWidget(window)
    window.show()
    return window


def test_capture_steps_for_the_process_the_owner_picks(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures: list[FakeCapture] = []
    window = window_with(qtbot, services, captures)
    offered: list[int | None] = []

    def pick(target: CaptureTarget | None) -> None:
        monkeypatch.setattr(CaptureTargetDialog, "ask", classmethod(
            lambda cls, parent, processes, selected: offered.append(selected) or target))

    pick(None)  # the owner cancels: nothing starts
    window.capture_action.trigger()
    assert offered == [None]
    assert not captures
    assert not window.capture_action.isChecked()

    process = services.library.add_process(ProcessDraft("Pay invoices"))
    window.library.refresh()
    window.library.select_where(lambda row: row.id == process.id)
    pick(CaptureTarget(process.id))
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: bool(captures) and captures[0].running)
    [capture] = captures
    assert offered[-1] == process.id
    assert window.capture_action.isChecked()
    assert capture.options["skip_window"] is not None
    capture.click('Click in "Bank — Firefox"')
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1
                    and window.library.model.row_at(0).step_count == 1)
    assert 'Click in "Bank — Firefox"' in window.statusBar().currentMessage()
    capture.double_click('Double-click in "Bank — Firefox"')
    qtbot.waitUntil(lambda: "Double-click" in window.statusBar().currentMessage())
    assert [s.title for s in window.step_capture.saved] == ['Double-click in "Bank — Firefox"']
    window.toggle_requested.emit()  # what the global shortcut does
    assert not capture.running
    assert not window.capture_action.isChecked()
    window.editors[process.id].close()


def test_capture_steps_aside_and_comes_back_to_the_editor_with_the_new_steps(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures: list[FakeCapture] = []
    window = window_with(qtbot, services, captures)
    services.settings.set("recording.hide_baton_windows", True)
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    services.steps.add(process.id, StepContent(title="Already there"))
    selected = services.library.add_process(ProcessDraft("Order stock"))
    window.library.refresh()
    window.library.select_where(lambda row: row.id == selected.id)
    offered: list[int | None] = []
    monkeypatch.setattr(CaptureTargetDialog, "ask", classmethod(
        lambda cls, parent, processes, chosen: offered.append(chosen)
        or CaptureTarget(process.id)))
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: bool(captures) and captures[0].running)
    [capture] = captures
    assert offered == [selected.id]  # offered first, but the owner picked another process
    indicator = window.capture_flow.indicator
    assert window.isMinimized()
    assert indicator.isVisible()
    capture.click('Click in "Bank — Firefox"')
    capture.click('Click "Pay"')
    qtbot.waitUntil(lambda: "2 steps" in indicator.label.text())
    assert "Pay invoices" in indicator.label.text()
    indicator.stop.click()
    assert not capture.running
    assert not indicator.isVisible()
    assert not window.isMinimized()
    editor = window.editors[process.id]
    assert editor.isVisible()
    current = editor.current_row()
    assert current is not None
    assert current.title == 'Click in "Bank — Firefox"'
    assert [s.title for s in services.steps.list(process.id)] == [
        "Already there", 'Click in "Bank — Firefox"', 'Click "Pay"']
    assert services.steps.list(selected.id) == []
    editor.close()


def test_captured_steps_can_start_a_new_process(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures: list[FakeCapture] = []
    window = window_with(qtbot, services, captures)
    monkeypatch.setattr(CaptureTargetDialog, "ask", classmethod(
        lambda cls, parent, processes, chosen: CaptureTarget(None, "Refund an order")))
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: bool(captures) and captures[0].running)
    row = services.library.find("Refund an order")
    assert row.status is ProcessStatus.DRAFT
    assert captures[0].process_id == row.id
    window.capture_action.trigger()  # stopped with no clicks: nothing to open
    assert row.id not in window.editors
    assert "No steps were captured" in (
        window.statusBar().currentMessage())


def test_the_target_dialog_offers_the_selected_process_or_a_new_one(
    qtbot: QtBot, services: Services
) -> None:
    first = services.library.add_process(ProcessDraft("Pay invoices"))
    second = services.library.add_process(ProcessDraft("Order stock"))
    rows = services.library.list_processes()
    dialog = CaptureTargetDialog(rows, second.id)
    qtbot.addWidget(dialog)
    assert dialog.target() == CaptureTarget(second.id)
    dialog = CaptureTargetDialog(rows, None)
    qtbot.addWidget(dialog)
    assert dialog.is_new()
    assert not dialog.start.isEnabled()
    qtbot.keyClicks(dialog.title, "Refund an order")
    assert dialog.start.isEnabled()
    assert dialog.target() == CaptureTarget(None, "Refund an order")
    dialog.process.setCurrentIndex(dialog.process.findData(first.id))
    assert dialog.target() == CaptureTarget(first.id)
    assert not dialog.title.isEnabled()


def test_one_take_steps_land_at_their_moment_in_the_trimmed_video(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures: list[FakeCapture] = []
    process = services.library.add_process(ProcessDraft("Ship orders"))
    window = window_with(qtbot, services, captures)
    window.library.select_where(lambda row: row.id == process.id)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(fps=10), False)))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(
        lambda cls, parent, video, duration, processes, pre=None:
        ReviewChoice(1.0, duration, duration, process.id, "")))
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    [capture] = captures
    recorder = window.recording.recorder
    assert recorder is not None
    capture.click("Too early")  # before the trimmed start: no moment in the video
    qtbot.waitUntil(lambda: recorder.elapsed() > 1.6, timeout=5000)
    capture.click("Print the label")
    with qtbot.waitSignal(window.recording.attached, timeout=30_000):
        window.recording.stop()
    early, label = services.steps.list(process.id)
    assert early.video_time is None
    assert label.video_time == pytest.approx(0.6, abs=0.35)
    assert not capture.running


def test_no_steps_are_made_when_the_setting_is_off(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    captures: list[FakeCapture] = []
    process = services.library.add_process(ProcessDraft("Ship orders"))
    services.settings.set("recording.make_steps", False)
    window = window_with(qtbot, services, captures)
    window.library.select_where(lambda row: row.id == process.id)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(fps=10), False)))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(lambda cls, *args: None))
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    window.recording.stop()
    qtbot.waitUntil(lambda: window.recording.state == "idle", timeout=30_000)
    assert captures == []


def test_the_tray_shows_a_capture_is_running(qtbot: QtBot) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget

    from baton.ui.main_window import app_icon
    from baton.ui.tray import Tray

    owner = QWidget()
    qtbot.addWidget(owner)
    tray = Tray(app_icon(), [QAction("Stop recording", owner)], owner)
    idle = tray.icon().pixmap(32, 32).toImage()
    tray.capturing(True)
    assert "capturing steps" in tray.toolTip()
    assert "Ctrl+Alt+C" in tray.toolTip()
    busy = tray.icon().pixmap(32, 32).toImage()
    assert busy != idle
    red = busy.pixelColor(26, 26)
    assert red.red() > 180
    assert red.green() < 100
    tray.capturing(False)
    assert tray.toolTip() == "Baton"
    assert tray.icon().pixmap(32, 32).toImage() == idle


def test_take_step_hides_the_bar_while_the_screen_is_read(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures: list[FakeCapture] = []
    window = window_with(qtbot, services, captures)
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    monkeypatch.setattr(CaptureTargetDialog, "ask", classmethod(
        lambda cls, parent, processes, chosen: CaptureTarget(process.id)))
    window.capture_action.trigger()
    qtbot.waitUntil(lambda: bool(captures) and captures[0].running)
    [capture] = captures
    indicator = window.capture_flow.indicator
    assert capture.options["take_step_key"] == "Ctrl+Alt+P"
    assert capture.options["take_step_only"]  # the app can capture without input: Take step
    assert "Ctrl+Alt+P" in indicator.take.toolTip()
    capture.options["hidden"] = lambda: not indicator.isVisible()
    indicator.take.click()
    assert not indicator.isVisible()
    qtbot.waitUntil(lambda: "1 step" in indicator.label.text() and indicator.isVisible())
    assert capture.taken_while_hidden
    capture.taken_while_hidden = False
    capture.options["on_take_step_key"]()  # the shortcut, pressed in another program
    qtbot.waitUntil(lambda: "2 steps" in indicator.label.text() and indicator.isVisible())
    assert capture.taken_while_hidden
    indicator.stop.click()
    assert [s.title for s in services.steps.list(process.id)] == [
        'Step in "Bank — Firefox"', 'Step in "Bank — Firefox"']
    window.editors[process.id].close()
