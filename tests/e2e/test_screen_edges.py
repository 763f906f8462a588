"""The app on real X screens: windows that fit a scaled screen, and a recording bar that
stays out of the recording it controls. Baton runs in its own process on the xcb platform,
as users run it; the dialogs' answers are the only parts set by the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from Xlib import X, display

from helpers.xvfb import XDisplay, start_xvfb

pytestmark = [pytest.mark.display, pytest.mark.slow]

APP = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton
from baton.capture.recording.request import RecordingRequest
from baton.core.library import ProcessDraft
from baton.services import open_services
from baton.ui.main_window import MainWindow, make_state
from baton.ui.recording.review import ReviewChoice, ReviewDialog
from baton.ui.recording.setup_dialog import Setup, SetupDialog

mode, data = sys.argv[1], sys.argv[2]
app = QApplication(sys.argv)
services = open_services(data)
services.settings.set("recording.countdown_seconds", 0)
services.settings.set("recording.hide_baton_windows", True)
process = services.library.add_process(ProcessDraft("Edges"))
window = MainWindow(services, make_state(services.paths.ui_state_file), global_shortcuts=False)

def say(**fields):
    print(json.dumps(fields), flush=True)

def box(widget):
    frame = widget.frameGeometry()
    return [frame.x(), frame.y(), frame.width(), frame.height()]

if mode == "sizes":
    window.show()
    def review():
        screen = window.screen().availableGeometry()
        video = Path(sys.argv[3])
        dialog = ReviewDialog(video, 2.0, services.library.list_processes(), None, window)
        dialog.show()
        def measure():
            buttons = [b for b in dialog.findChildren(QPushButton) if b.isVisible()]
            lowest = max(b.mapToGlobal(b.rect().bottomRight()).y() for b in buttons)
            say(screen=[screen.x(), screen.y(), screen.width(), screen.height()],
                main=box(window), review=box(dialog), lowest_button=lowest)
            app.quit()
        QTimer.singleShot(800, measure)
    QTimer.singleShot(800, review)
else:
    SetupDialog.ask = classmethod(lambda cls, parent, **options: Setup(
        RecordingRequest(monitor=1, fps=15, narration=False), False))
    ReviewDialog.ask = classmethod(lambda cls, parent, video, duration, processes,
                                   preselected=None: ReviewChoice(0.0, duration, duration,
                                                                  preselected, ""))
    told = []
    def started(state):
        if state == "recording" and not told:
            told.append(state)
            bar = window.recording.bar
            def centre(button):
                point = button.mapToGlobal(button.rect().center())
                return [point.x(), point.y()]
            QTimer.singleShot(300, lambda: say(bar=box(bar), pause=centre(bar.pause),
                                               stop=centre(bar.stop)))
    window.recording.state_changed.connect(started)
    def attached(process_id):
        say(video=str(services.media.path(services.library.snapshot(process_id)["recording"])))
        app.quit()
    window.recording.attached.connect(attached)
    QTimer.singleShot(500, lambda: window.recording.begin(process.id))
app.exec()
services.close()
"""

TEAL = (30, 140, 150)  # RGB


class PlainWall:
    """An override-redirect window of one colour over the whole screen (a desktop)."""

    def __init__(self, width: int, height: int, rgb: tuple[int, int, int]) -> None:
        self.display: Any = display.Display()
        screen = self.display.screen()
        red, green, blue = rgb
        self.window: Any = screen.root.create_window(
            0, 0, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=(red << 16) | (green << 8) | blue, override_redirect=True,
        )
        self.window.map()
        self.display.sync()

    def close(self) -> None:
        self.window.destroy()
        self.display.close()


def run_app(xvfb: XDisplay, args: list[str], env: dict[str, str] | None = None
            ) -> subprocess.Popen[str]:
    environment = xvfb.env()
    environment["QT_QPA_PLATFORM"] = "xcb"
    environment["PYTHONPATH"] = os.pathsep.join(sys.path)
    environment.update(env or {})
    return subprocess.Popen([sys.executable, "-c", APP, *args], env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_json(app: subprocess.Popen[str]) -> dict[str, Any]:
    assert app.stdout is not None
    line = app.stdout.readline()
    if not line:
        app.wait(10)
        raise AssertionError(app.stderr.read() if app.stderr else "no output")
    parsed: dict[str, Any] = json.loads(line)
    return parsed


@pytest.fixture
def laptop_at_2x() -> Iterator[XDisplay]:
    """A 1920x1080 screen; the app is told it is scaled 200% (960x540 logical)."""
    process, xvfb = start_xvfb(1920, 1080)
    try:
        yield xvfb
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_video(path: Path) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(20):
            image = np.full((180, 320, 3), index * 10, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_windows_open_within_a_screen_scaled_200_percent(
    laptop_at_2x: XDisplay, tmp_path: Path
) -> None:
    video = tmp_path / "take.mp4"
    make_video(video)
    app = run_app(laptop_at_2x, ["sizes", str(tmp_path / "library"), str(video)],
                  {"QT_SCREEN_SCALE_FACTORS": "2"})
    try:
        sizes = read_json(app)
        app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate()
    left, top, width, height = sizes["screen"]
    assert (width, height) == (960, 540)
    for name in ("main", "review"):
        x, y, w, h = sizes[name]
        assert left <= x, (name, sizes)
        assert top <= y, (name, sizes)
        assert x + w <= left + width, (name, sizes)
        assert y + h <= top + height, (name, sizes)
    assert sizes["lowest_button"] < top + height  # the dialog's buttons can be reached


def test_the_recording_bar_stays_out_of_the_video_and_its_clicks_draw_no_rings(
    xdisplay: XDisplay, tmp_path: Path
) -> None:
    wall = PlainWall(xdisplay.width, xdisplay.height, TEAL)
    app = run_app(xdisplay, ["record", str(tmp_path / "library")])
    try:
        where = read_json(app)
        x, y, w, h = where["bar"]
        assert (x, y) != (0, 0)
        assert abs(x + w / 2 - xdisplay.width / 2) <= 2
        env = xdisplay.env()
        for button in ("pause", "pause", "stop"):
            time.sleep(0.8)
            px, py = where[button]
            subprocess.run(["xdotool", "mousemove", str(px), str(py), "click", "1"],
                           env=env, check=True, timeout=10)
        done = read_json(app)
        app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate()
        wall.close()
    frames = []
    with av.open(done["video"]) as container:
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24").astype(int))
    assert len(frames) >= 3  # (a still screen is encoded twice a second)
    # The bar's place shows the desktop, except where the pointer (drawn into the video,
    # as it should be) went to click.
    mask = np.ones(frames[0].shape[:2], bool)
    for px, py in (where["pause"], where["stop"]):
        mask[py - 8:py + 40, px - 8:px + 32] = False
    bar_area = np.zeros_like(mask)
    bar_area[y:y + h, x:x + w] = True
    for frame in frames:
        seen = frame[bar_area & mask]
        assert np.abs(seen - np.array(TEAL)).max() < 24, "the bar shows in the recording"
    # No click ring (amber) anywhere in the video: the three clicks were on the bar.
    for frame in frames:
        red, green, blue = frame[:, :, 0], frame[:, :, 1], frame[:, :, 2]
        amber = (red > 180) & (green > 110) & (green < 220) & (blue < 90)
        assert int(np.count_nonzero(amber)) < 20
