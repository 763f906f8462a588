"""Fixtures for recording tests on a real X server: a coloured window, decoding helpers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest


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


@dataclass
class Probe:
    codec: str
    width: int
    height: int
    duration: float
    frames: list[np.ndarray[Any, Any]]
    times: list[float]


def probe(path: Path, keep_frames: bool = True) -> Probe:
    """Decode the video stream of ``path`` with PyAV (frames as RGB arrays)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames: list[np.ndarray[Any, Any]] = []
        times: list[float] = []
        for frame in container.decode(video=0):
            times.append(float(frame.time))
            if keep_frames:
                frames.append(frame.to_ndarray(format="rgb24"))
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        return Probe(stream.codec_context.name, stream.width, stream.height, duration,
                     frames, times)


def ffprobe_duration(path: Path) -> float:
    """The container duration as ffprobe reports it (an independent reader)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)], capture_output=True, text=True, check=True, timeout=30,
    )
    return float(result.stdout.strip())


@pytest.fixture
def probe_video() -> Any:
    return probe


@pytest.fixture
def run_xdotool() -> Any:
    return xdotool


@pytest.fixture
def probe_duration() -> Any:
    return ffprobe_duration
