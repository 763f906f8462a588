"""The recording flow in the app: pick an area → countdown → record → pause → stop → trim →
attach, with a real encoder and a synthetic screen (the same code path as the real one)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from baton.capture.platform.screens import Region
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.core.library import ProcessDraft
from baton.services import Services
from baton.ui import messages
from baton.ui.main_window import MainWindow, make_state
from baton.ui.recording.countdown import Countdown
from baton.ui.recording.review import ReviewChoice, ReviewDialog, probe_duration
from baton.ui.recording.setup_dialog import Setup, SetupDialog
from helpers.fakes import FakeDesktop, synthetic_recorder


def open_window(qtbot: QtBot, services: Services) -> MainWindow:
    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=synthetic_recorder, desktop=FakeDesktop())
    qtbot.addWidget(window)
    window.show()
    return window


def test_pick_record_pause_stop_trim_attach(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = services.library.add_process(ProcessDraft("Pay invoices"))
    window = open_window(qtbot, services)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(fps=10), draw_region=True)))
    reviewed: list[tuple[Path, float]] = []

    def review(cls: object, parent: object, video: Path, duration: float, processes: object,
               preselected: int | None = None) -> ReviewChoice:
        reviewed.append((video, duration))
        assert preselected == process.id
        return ReviewChoice(0.5, duration, duration, process.id, "")

    monkeypatch.setattr(ReviewDialog, "ask", classmethod(review))
    window.library.select_where(lambda row: row.id == process.id)
    window._record_selected()
    picker = window.recording._picker
    assert picker is not None
    assert window.recording.state == "picking"
    shade = picker.shades[0]  # the picker's window on the (only, offscreen) screen
    qtbot.mousePress(shade, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(shade, QPoint(200, 150))
    qtbot.mouseRelease(shade, Qt.MouseButton.LeftButton, pos=QPoint(330, 250))
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    recorder = window.recording.recorder
    assert recorder is not None
    assert (recorder.video.width, recorder.video.height) == (320, 240)
    assert window.stop_action.isEnabled()
    qtbot.waitUntil(lambda: recorder.elapsed() > 1.0, timeout=5000)
    window.recording.pause_or_resume()
    assert window.recording.state == "paused"
    assert window.recording.bar.pause.text() == "Resume"
    paused_at = recorder.elapsed()
    qtbot.wait(600)
    assert recorder.elapsed() == pytest.approx(paused_at, abs=0.05)
    window.recording.pause_or_resume()
    qtbot.waitUntil(lambda: recorder.elapsed() > paused_at + 1.0, timeout=5000)
    with qtbot.waitSignal(window.recording.attached, timeout=30_000) as attached:
        window.recording.bar.stop.click()
    assert attached.args == [process.id]
    [(video, duration)] = reviewed
    assert duration == pytest.approx(recorder.stats.duration)
    assert 1.8 < duration < 4.0  # the pause left no gap and no extra time
    assert not video.exists()  # moved into the media store

    shown = services.library.snapshot(process.id)
    stored = services.media.path(shown["recording"])
    assert probe_duration(stored) == pytest.approx(duration - 0.5, abs=0.25)
    with av.open(str(stored)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    assert services.library.get(process.id).has_recording
    assert window.recording.state == "idle"


def test_discarding_a_recording_keeps_nothing(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, services)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(monitor=1, fps=10), False)))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(lambda cls, *args: None))
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    qtbot.wait(300)
    window.recording.stop()
    qtbot.waitUntil(lambda: window.recording.state == "idle", timeout=30_000)
    assert list(services.paths.recordings_dir.glob("*")) == []
    assert list(services.media.keys()) == []


def test_a_recorder_that_cannot_start_says_why(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.errors import UserError

    def broken(request: RecordingRequest, out: Path) -> Recorder:
        raise UserError("Cannot connect to the display :99: is an X server running?")

    services.settings.set("recording.countdown_seconds", 0)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=broken, desktop=FakeDesktop())
    qtbot.addWidget(window)
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(), False)))
    window._record_selected()
    qtbot.waitUntil(lambda: bool(problems), timeout=5000)
    assert "X server" in problems[0]
    assert window.recording.state == "idle"


def test_countdown_counts_and_can_be_cancelled(qtbot: QtBot) -> None:
    countdown = Countdown(1)
    qtbot.addWidget(countdown)
    with qtbot.waitSignal(countdown.finished, timeout=3000):
        countdown.start()
    second = Countdown(3)
    qtbot.addWidget(second)
    second.start()
    with qtbot.waitSignal(second.cancelled, timeout=1000):
        qtbot.keyClick(second, Qt.Key.Key_Escape)


def test_setup_dialog_offers_screens_windows_and_drawing(qtbot: QtBot) -> None:
    desktop = FakeDesktop()
    dialog = SetupDialog(desktop.monitors(), desktop.windows(), 15, "sharp", False, "")
    qtbot.addWidget(dialog)
    labels = [dialog.area.itemText(i) for i in range(dialog.area.count())]
    assert labels[0].startswith("Screen 1")
    assert "Invoices" in labels[1]
    dialog.area.setCurrentIndex(1)
    setup = dialog.setup()
    assert setup.request.region == Region(0, 0, 640, 480)
    assert setup.request.fps == 15
    assert setup.request.quality == "sharp"
    assert not setup.draw_region
    dialog.area.setCurrentIndex(2)
    assert dialog.setup().draw_region


def test_on_wayland_the_desktop_asks_what_to_share(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Baton cannot list or draw on a Wayland desktop's screens (XWayland's are not them):
    # the portal's own dialog asks after Start, and the bar is placed by the desktop.
    desktop = FakeDesktop(desktop_chooses=True)
    dialog = SetupDialog(desktop.monitors(), desktop.windows(), 30, "balanced", False, "",
                         desktop_chooses=True)
    qtbot.addWidget(dialog)
    assert [dialog.area.itemText(i) for i in range(dialog.area.count())] == [
        "The screen you choose in your desktop's sharing dialog"]
    setup = dialog.setup()
    assert (setup.request.monitor, setup.request.region, setup.draw_region) == (None, None, False)

    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=synthetic_recorder, desktop=desktop)
    qtbot.addWidget(window)
    asked: list[dict[str, object]] = []

    def ask(cls: object, parent: object, **options: object) -> Setup:
        asked.append(options)
        return Setup(RecordingRequest(fps=10), False)

    monkeypatch.setattr(SetupDialog, "ask", classmethod(ask))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(lambda cls, *args: None))
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    assert asked[0]["desktop_chooses"] is True
    assert window.recording.bar.isVisible()
    window.recording.stop()
    qtbot.waitUntil(lambda: window.recording.state == "idle", timeout=30_000)


class NoMicrophone:
    """An audio source on a machine without a microphone (what MicrophoneSource raises)."""

    sample_rate = 48_000
    channels = 1

    def start(self, deliver: object) -> None:
        from baton.errors import UserError

        raise UserError("Recording without sound: no microphone was found.")

    def stop(self) -> None:
        return None


def test_without_a_microphone_it_records_silently_and_says_why(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.capture.recording.sources import SyntheticSource
    from baton.capture.recording.video_settings import VideoSettings

    def silent(request: RecordingRequest, out: Path) -> Recorder:
        region = Region(0, 0, 320, 240)
        return Recorder(SyntheticSource(region), out,
                        VideoSettings.for_quality(320, 240, 10, "balanced"), audio=NoMicrophone())

    services.settings.set("recording.countdown_seconds", 0)
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        make_recorder=silent, desktop=FakeDesktop(), global_shortcuts=False)
    qtbot.addWidget(window)
    monkeypatch.setattr(SetupDialog, "ask", classmethod(
        lambda cls, parent, **options: Setup(RecordingRequest(), False)))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(lambda cls, *args: None))
    window._record_selected()
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    assert window.recording.bar.note.text() == "Recording without sound: no microphone was found."
    window.recording.stop()
    qtbot.waitUntil(lambda: window.recording.state == "idle", timeout=30_000)


# The offscreen platform has no tray and says so when a tray icon is made anyway.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_the_tray_offers_record_and_stop_where_there_is_a_tray(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    window = open_window(qtbot, services)
    assert window.tray is not None
    entries = window.tray.entries
    assert list(entries) == ["Record a walkthrough…", "Stop recording", "Capture steps on/off",
                             "Show Baton", "Quit"]
    assert not entries["Stop recording"].isEnabled()
    window._recording_state("recording")
    assert entries["Stop recording"].isEnabled()
    assert window.tray.toolTip() == "Baton — recording"
    window.tray.hide()


def test_the_setup_dialog_names_screens_left_to_right_with_scale_and_main(qtbot: QtBot) -> None:
    from baton.capture.platform.screens import Monitor

    monitors = [Monitor(1, Region(0, 0, 1920, 1080), 1.0, False, "DP-1"),
                Monitor(2, Region(1920, 0, 2880, 1800), 2.0, True, "eDP-1")]
    dialog = SetupDialog(monitors, [], 30, "balanced", False, "")
    qtbot.addWidget(dialog)
    labels = [dialog.area.itemText(index) for index in range(2)]
    assert labels == ["Screen 1 — 1920×1080", "Screen 2 — 2880×1800 at 200% (main)"]
