"""Baton's own windows kept out of a recording (the recording bar, above all).

X11 cannot leave a window out of a screen grab, so the recorder does it: the area of the
window shows, in every frame, what it showed in the last frame grabbed before the window
appeared, and clicks on the window draw no ring and make no event.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from baton.capture.platform.screens import Region
from baton.capture.recording.sources import Frame


@dataclass
class _Patch:
    area: Region  # on the screen
    rows: slice  # in the frame
    columns: slice
    pixels: Frame | None = None


class HiddenWindows:
    """The areas to keep out of frames grabbed from ``region`` (screen pixels)."""

    def __init__(self, region: Region) -> None:
        self._region = region
        self._lock = threading.Lock()
        self._patches: list[_Patch] = []
        self._taken = threading.Condition(self._lock)

    def hide(self, area: Region, timeout: float = 0.5) -> bool:
        """Keep ``area`` out of the frames from the next grab on.

        Call it just before the window appears: it waits (up to ``timeout`` seconds) until
        a frame without the window has been grabbed.

        Returns:
            True when the picture under the window was taken in time.
        """
        region = self._region
        left, top = max(area.left, region.left), max(area.top, region.top)
        right, bottom = min(area.right, region.right), min(area.bottom, region.bottom)
        patch = _Patch(area, slice(0, 0), slice(0, 0))
        if right > left and bottom > top:
            patch.rows = slice(top - region.top, bottom - region.top)
            patch.columns = slice(left - region.left, right - region.left)
        with self._lock:
            self._patches.append(patch)
            if patch.rows.stop == patch.rows.start:
                return True  # not in the recorded area: only its clicks are left out
            return self._taken.wait_for(lambda: patch.pixels is not None, timeout)

    def covers(self, x: int, y: int) -> bool:
        """Whether screen point ``x, y`` is on one of the hidden windows."""
        with self._lock:
            return any(
                patch.area.left <= x < patch.area.right and patch.area.top <= y < patch.area.bottom
                for patch in self._patches
            )

    def apply(self, frame: Frame) -> None:
        """Paint the hidden areas of a freshly grabbed frame (in place)."""
        with self._lock:
            if not self._patches:
                return
            for patch in self._patches:
                if patch.rows.stop == patch.rows.start:
                    continue
                if patch.pixels is None:  # the first frame since hide(): the window's not up
                    patch.pixels = frame[patch.rows, patch.columns].copy()
                    self._taken.notify_all()
                else:
                    frame[patch.rows, patch.columns] = patch.pixels
