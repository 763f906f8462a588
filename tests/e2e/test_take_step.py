"""Take step on a real X server: Baton in its own process on the xcb platform, its real
step capture, the button clicked and the shortcut pressed through xdotool. The step's
screenshot shows what is under the capture bar, not the bar (hidden, not painted over)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from Xlib import X, Xatom, display

from baton.core.media import MediaStore
from helpers.images import png_pixels
from helpers.xvfb import XDisplay

pytestmark = [pytest.mark.display, pytest.mark.slow]

LEDGER = "Ledger — Test"
RED, YELLOW = (220, 30, 30), (240, 220, 20)
STRIPE = 8
APP = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from baton.core.library import ProcessDraft
from baton.services import open_services
from baton.ui.main_window import MainWindow, make_state
from baton.ui.steps.capture_target import CaptureTarget, CaptureTargetDialog

data = Path(sys.argv[1])
app = QApplication(sys.argv)
services = open_services(str(data))
services.settings.set("recording.countdown_seconds", 0)
services.settings.set("recording.hide_baton_windows", True)
process = services.library.add_process(ProcessDraft("Ledger"))
CaptureTargetDialog.ask = classmethod(lambda cls, *args: CaptureTarget(process.id))
window = MainWindow(services, make_state(services.paths.ui_state_file), global_shortcuts=False)
window.show()
flow, bar = window.capture_flow, window.capture_flow.indicator

def say(**fields):
    print(json.dumps(fields), flush=True)

def running():
    if not (window.step_capture.running and bar.isVisible()):
        return QTimer.singleShot(100, running)
    frame, take = bar.frameGeometry(), bar.take
    middle = take.mapToGlobal(take.rect().center())
    say(bar=[frame.x(), frame.y(), frame.width(), frame.height()],
        take=[middle.x(), middle.y()], tip=take.toolTip())

window.step_capture.step_saved.connect(lambda step: say(step=step.title, id=step.step_id))
flow.finished.connect(lambda process_id, ids: (
    say(steps=[{"title": row.title, "window": row.window_title, "full": row.full_screenshot}
               for row in services.steps.list(process.id)]), app.quit()))

def stop_when_told():
    if (data / "stop").exists():
        flow.stop()
    else:
        QTimer.singleShot(100, stop_when_told)

flow.begin(process.id)
running()
stop_when_told()
app.exec()
services.close()
"""


class StripedWindow:
    """A full-screen application window of red and yellow stripes, STRIPE pixels wide.

    The stripes are its background pixmap, so the X server repaints them by itself when the
    capture bar above them is hidden (no client has to answer the exposure).
    """

    def __init__(self, width: int, height: int) -> None:
        self.display: Any = display.Display()
        screen = self.display.screen()
        root = screen.root
        tile = root.create_pixmap(STRIPE * 2, 1, screen.root_depth)
        gc = root.create_gc()
        for left, (r, g, b) in ((0, RED), (STRIPE, YELLOW)):
            gc.change(foreground=(r << 16) | (g << 8) | b)
            tile.fill_rectangle(gc, left, 0, STRIPE, 1)
        self.window: Any = root.create_window(
            0, 0, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixmap=tile)
        self.window.change_property(self.display.intern_atom("_NET_WM_NAME"),
                                    self.display.intern_atom("UTF8_STRING"), 8,
                                    LEDGER.encode())
        self.window.change_property(self.display.intern_atom("_NET_WM_PID"), Xatom.CARDINAL,
                                    32, [os.getpid()])
        self.window.map()
        self.display.sync()

    def focus(self) -> None:
        self.window.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.display.sync()

    def close(self) -> None:
        self.window.destroy()
        self.display.close()


@pytest.fixture
def ledger(xdisplay: XDisplay) -> Iterator[StripedWindow]:
    window = StripedWindow(1920, 1080)
    yield window
    window.close()


def expected_stripes(left: int, width: int) -> np.ndarray:
    """The BGR colours of the stripes in columns ``left .. left + width``."""
    columns = np.arange(left, left + width)
    colours = np.where((columns % (2 * STRIPE) < STRIPE)[:, None],
                       np.array(RED[::-1]), np.array(YELLOW[::-1]))
    return colours.astype(np.uint8)


class App:
    def __init__(self, xvfb: XDisplay, data: Path) -> None:
        environment = xvfb.env()
        environment["QT_QPA_PLATFORM"] = "xcb"
        environment["PYTHONPATH"] = os.pathsep.join(sys.path)
        self.data = data
        self.process = subprocess.Popen([sys.executable, "-c", APP, str(data)],
                                        env=environment, text=True, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.xvfb = xvfb

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(10)
            raise AssertionError(self.process.stderr.read() if self.process.stderr else "")
        parsed: dict[str, Any] = json.loads(line)
        return parsed

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.xvfb.env(), check=True, timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def test_take_step_shows_the_screen_under_the_bar_not_the_bar(
    xdisplay: XDisplay, ledger: StripedWindow, tmp_path: Path
) -> None:
    app = App(xdisplay, tmp_path / "library")
    try:
        started = app.read()
        assert "Ctrl+Alt+P" in started["tip"]
        left, top, width, height = started["bar"]
        ledger.focus()
        time.sleep(0.3)  # (the capture's first frames: nothing to wait for but time)
        app.xdotool("mousemove", *map(str, started["take"]), "click", "1")
        first = app.read()
        assert first["step"] == f'Step in "{LEDGER}"'
        ledger.focus()
        app.xdotool("key", "ctrl+alt+p")  # the shortcut, in another program
        second = app.read()
        while second["id"] == first["id"]:  # (the first step retitled, if it was)
            second = app.read()
        (tmp_path / "library" / "stop").touch()
        done = app.read()
        while "steps" not in done:
            done = app.read()
        app.process.wait(30)
    finally:
        app.close()
    steps = done["steps"]
    assert [(s["title"], s["window"]) for s in steps] == [(f'Step in "{LEDGER}"', LEDGER)] * 2
    media = MediaStore(tmp_path / "library" / "media")
    for step in steps:
        full = png_pixels(media.read_bytes(step["full"]))
        assert full.shape == (1080, 1920, 3)
        under_bar = full[top:top + height, left:left + width]
        stripes = expected_stripes(left, width)
        assert (under_bar == stripes[None, :, :]).all(), "the bar is in the screenshot"
