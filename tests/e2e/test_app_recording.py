"""The app's recording flow on a real X server with the real recorder (no synthetic parts
except the answers to the dialogs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest

from baton.capture.platform.screens import Region
from baton.capture.recording.request import RecordingRequest
from baton.core.library import ProcessDraft
from baton.services import open_services
from baton.ui.main_window import MainWindow, make_state
from baton.ui.recording.review import ReviewChoice, ReviewDialog
from baton.ui.recording.setup_dialog import Setup, SetupDialog


@pytest.mark.display
@pytest.mark.slow
def test_record_a_window_sized_area_of_the_real_screen(
    xdisplay: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = open_services(str(tmp_path / "library"))
    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    process = services.library.add_process(ProcessDraft("Reconcile the bank"))
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    offered: list[int] = []

    def setup(cls: object, parent: object, **options: Any) -> Setup:
        offered.append(len(options["monitors"]))
        return Setup(RecordingRequest(region=Region(0, 0, 640, 360), fps=15), False)

    monkeypatch.setattr(SetupDialog, "ask", classmethod(setup))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(
        lambda cls, parent, video, duration, processes, preselected=None:
        ReviewChoice(0.0, duration, duration, preselected, "")))
    try:
        window.library.select_where(lambda row: row.id == process.id)
        window._record_selected()
        qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=10_000)
        recorder = window.recording.recorder
        assert recorder is not None
        # Narration from the default microphone; without one (as on CI) the recording goes
        # on silently and the bar says why.
        note = window.recording.bar.note.text()
        assert recorder.stats.audio or note.startswith("Recording without sound")
        qtbot.waitUntil(lambda: recorder.elapsed() > 2.0, timeout=10_000)
        with qtbot.waitSignal(window.recording.attached, timeout=60_000):
            window.recording.stop()
        assert offered == [1]
        stored = services.media.path(services.library.snapshot(process.id)["recording"])
        with av.open(str(stored)) as container:
            video = container.streams.video[0]
            assert (video.codec_context.name, video.width, video.height) == ("h264", 640, 360)
            assert float(container.duration or 0) / 1e6 >= 1.8
    finally:
        window.close()
        services.close()
