"""Take step on a real X server: Baton in its own process on the xcb platform, its real
step capture, the button clicked and the shortcut pressed through xdotool. The step's
screenshot shows what is under the capture bar, not the bar (hidden, not painted over)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from Xlib import X, Xatom, display

from baton.core.media import MediaStore
from helpers.capture_app import CaptureApp
from helpers.images import png_pixels
from helpers.xvfb import XDisplay

pytestmark = [pytest.mark.display, pytest.mark.slow]

LEDGER = "Ledger — Test"
RED, YELLOW = (220, 30, 30), (240, 220, 20)
STRIPE = 8
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


def xdotool(xvfb: XDisplay, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=xvfb.env(), check=True, timeout=10)


def expected_stripes(left: int, width: int) -> np.ndarray:
    """The BGR colours of the stripes in columns ``left .. left + width``."""
    columns = np.arange(left, left + width)
    colours = np.where((columns % (2 * STRIPE) < STRIPE)[:, None],
                       np.array(RED[::-1]), np.array(YELLOW[::-1]))
    return colours.astype(np.uint8)


def test_take_step_shows_the_screen_under_the_bar_not_the_bar(
    xdisplay: XDisplay, ledger: StripedWindow, tmp_path: Path
) -> None:
    app = CaptureApp(xdisplay.env(), "xcb", tmp_path / "library")
    try:
        started = app.expect("bar")
        assert "Ctrl+Alt+P" in started["tip"]
        left, top, width, height = started["bar"]
        ledger.focus()
        time.sleep(0.3)  # (the capture's first frames: nothing to wait for but time)
        xdotool(xdisplay, "mousemove", *map(str, started["take"]), "click", "1")
        first = app.expect("step")
        assert first["step"] == f'Step in "{LEDGER}"'
        ledger.focus()
        xdotool(xdisplay, "key", "ctrl+alt+p")  # the shortcut, in another program
        second = app.expect("step")
        while second["id"] == first["id"]:  # (the first step retitled, if it was)
            second = app.expect("step")
        steps = app.finish()
    finally:
        app.close()
    assert [(s["title"], s["window"]) for s in steps] == [(f'Step in "{LEDGER}"', LEDGER)] * 2
    media = MediaStore(tmp_path / "library" / "media")
    for step in steps:
        full = png_pixels(media.read_bytes(step["full"]))
        assert full.shape == (1080, 1920, 3)
        under_bar = full[top:top + height, left:left + width]
        stripes = expected_stripes(left, width)
        assert (under_bar == stripes[None, :, :]).all(), "the bar is in the screenshot"
