"""Fixtures for recording tests on a real X server: a coloured window, decoding helpers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from helpers.video import decode, ffprobe_duration


class ColorWindow:
    """A plain X window whose colour a test can change while recording."""

    def __init__(self, x: int, y: int, width: int, height: int, rgb: tuple[int, int, int]):
        from Xlib import X, display

        self._display: Any = display.Display()
        screen = self._display.screen()
        self._colormap = screen.default_colormap
        self.window: Any = screen.root.create_window(
            x, y, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=self._pixel(rgb), override_redirect=True,
        )
        self.window.map()
        self._display.sync()

    def _pixel(self, rgb: tuple[int, int, int]) -> int:
        red, green, blue = rgb
        return (red << 16) | (green << 8) | blue

    def set_color(self, rgb: tuple[int, int, int]) -> None:
        self.window.change_attributes(background_pixel=self._pixel(rgb))
        self.window.clear_area()
        self._display.sync()

    def close(self) -> None:
        self.window.destroy()
        self._display.sync()
        self._display.close()


@pytest.fixture
def color_window(xdisplay: Any) -> Iterator[ColorWindow]:
    window = ColorWindow(0, 0, 640, 480, (200, 30, 30))
    try:
        yield window
    finally:
        window.close()


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


@pytest.fixture
def probe_video() -> Any:
    return decode


@pytest.fixture
def run_xdotool() -> Any:
    return xdotool


@pytest.fixture
def probe_duration() -> Any:
    return ffprobe_duration
