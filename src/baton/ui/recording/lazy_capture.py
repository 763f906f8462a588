"""The capture and video code (PyAV, OpenCV) behind names that load it on first use, so
opening Baton does not wait for it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from baton.capture.screens import Monitor
from baton.capture.windows.base import WindowInfo

if TYPE_CHECKING:
    from baton.capture.recorder import Recorder
    from baton.capture.request import RecordingRequest


def screen_recorder(request: RecordingRequest, out: Path) -> Recorder:
    from baton.capture import live

    return live.screen_recorder(request, out)


def trim(src: Path, dst: Path, start: float, end: float) -> object:
    from baton.capture import trim as trimming

    return trimming.trim(src, dst, start, end)


class ScreenDesktop:
    def monitors(self) -> list[Monitor]:
        from baton.capture import live

        return live.ScreenDesktop().monitors()

    def windows(self) -> list[WindowInfo]:
        from baton.capture import live

        return live.ScreenDesktop().windows()
