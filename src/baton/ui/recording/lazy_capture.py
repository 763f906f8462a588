"""The capture and video code (PyAV, OpenCV) behind names that load it on first use, so
opening Baton does not wait for it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Monitor

if TYPE_CHECKING:
    from baton.capture.recording.recorder import Recorder
    from baton.capture.recording.request import RecordingRequest
    from baton.capture.recording.wayland import RestoreTokens


def screen_recorder(request: RecordingRequest, out: Path,
                    tokens: RestoreTokens | None = None) -> Recorder:
    from baton.capture.recording import live

    return live.screen_recorder(request, out, tokens=tokens)


def trim(src: Path, dst: Path, start: float, end: float) -> object:
    from baton.capture.recording import trim as trimming

    return trimming.trim(src, dst, start, end)


class ScreenTargets:
    def desktop_chooses(self) -> bool:
        from baton.capture.recording import live

        return live.ScreenTargets().desktop_chooses()

    def monitors(self) -> list[Monitor]:
        from baton.capture.recording import live

        return live.ScreenTargets().monitors()

    def windows(self) -> list[WindowInfo]:
        from baton.capture.recording import live

        return live.ScreenTargets().windows()
