"""The pictures the encoder gets: I420 kept up to date band by band, handed out from a pool.

The recorder converts only the rows of the screen that changed (XDamage's bands, the rows the
overlay drew on now and in the frame before) into one persistent I420 picture, with the
conversion of ``yuv`` (BT.601 limited range, each 2x2 block's chroma from its average),
then a [1 2 1] x [1 2 1] smoothing of the chroma planes made of four ``yuv.Halves`` passes
(0.1 ms at 1080p with libyuv). The smoothing keeps files as small as swscale's wider chroma
filter does (without it x264 spends 15-20% more bits on screen content); colours are as
before. A band's chroma is smoothed with the raw chroma of one neighbour row each side, and
the raw planes keep a one-pixel border copied from their edge, so the result is identical
to converting the whole frame.

The encoder thread gets ``av.VideoFrame`` objects from a small pool; each is brought up to
date by copying only the rows changed since it was last handed out, and comes back to the
pool once libx264 has copied it. Memory stays bounded: a few 1080p pictures (3 MB each),
never a queue of 8 MB screen images.
"""

from __future__ import annotations

import queue
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from baton.capture.recording.sources import Frame
from baton.capture.recording.yuv import (
    Halves,
    RowConverter,
    chroma_halves,
    plane_view,
    row_converter,
)

Rows = tuple[int, int]
Plane = npt.NDArray[np.uint8]


def even_bands(bands: list[Rows], height: int) -> list[Rows]:
    """``bands`` widened to even rows (a 2x2 chroma block never straddles two), clipped to
    ``height`` and merged."""
    widened = sorted((max(0, start - start % 2), min(height, stop + stop % 2))
                     for start, stop in bands if stop > start)
    merged: list[list[int]] = []
    for start, stop in widened:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [(start, stop) for start, stop in merged if stop > start]


class _Picture:
    def __init__(self, width: int, height: int) -> None:
        self.frame: Any = av.VideoFrame(width, height, "yuv420p")
        self.planes = (
            plane_view(self.frame.planes[0], height, width),
            plane_view(self.frame.planes[1], height // 2, width // 2),
            plane_view(self.frame.planes[2], height // 2, width // 2),
        )
        self.version = -1


class Pictures:
    """The current picture of the recorded area, and a pool of copies for the encoder.

    Only the capture thread calls ``update`` and ``take``; the encoder thread calls
    ``give_back``.

    Args:
        width, height: the picture size (even).
        pool: pictures that can be waiting for or inside the encoder at one time.
        convert: the colour conversion (None: ``yuv.row_converter()``).
        halves: the smoothing's primitive (None: ``yuv.chroma_halves()``).
    """

    def __init__(self, width: int, height: int, pool: int = 4,
                 convert: RowConverter | None = None, halves: Halves | None = None) -> None:
        self.width, self.height = width, height
        self._convert = convert or row_converter()
        self._halves = halves or chroma_halves()
        self._luma: Plane = np.zeros((height, width), np.uint8)
        half = (height // 2, width // 2)
        # Raw chroma with a one-pixel border (a copy of the edge), the vertical pass, and
        # the smoothed planes the encoder gets.
        self._raw = [np.zeros((half[0] + 2, half[1] + 2), np.uint8) for _ in range(2)]
        self._vertical = np.zeros((half[0] + 2, half[1] + 2), np.uint8)
        self._chroma: list[Plane] = [np.zeros(half, np.uint8) for _ in range(2)]
        self._version = 0
        self._changes: list[tuple[int, Rows]] = [(0, (0, height))]  # (version, luma rows)
        self._pool_size = pool
        self._free: queue.SimpleQueue[_Picture] = queue.SimpleQueue()
        self._by_frame: dict[int, _Picture] = {}
        for _ in range(pool):
            picture = _Picture(width, height)
            self._by_frame[id(picture.frame)] = picture
            self._free.put(picture)

    # -- the current picture -------------------------------------------------------------

    def update(self, bgra: Frame, bands: list[Rows]) -> None:
        """Convert the rows ``bands`` of the BGRA ``bgra`` into the current picture."""
        for start, stop in even_bands(bands, self.height):
            first, last = start // 2, stop // 2
            u, v = (raw[1:-1, 1:-1] for raw in self._raw)
            self._convert(bgra, start, stop, self._luma, u, v)
            for raw, smooth in zip(self._raw, self._chroma, strict=True):
                self._border(raw, first, last)
                self._smooth(raw, smooth, max(0, first - 1), min(len(smooth), last + 1))
            self._version += 1
            rows = (max(0, start - 2), min(self.height, stop + 2))
            self._changes.append((self._version, rows))
        self._forget_old_changes()

    @staticmethod
    def _border(raw: Plane, first: int, last: int) -> None:
        """Copy the edge of the raw chroma rows ``first..last`` into the border."""
        rows = raw[first + 1:last + 1]
        rows[:, 0], rows[:, -1] = rows[:, 1], rows[:, -2]
        if first == 0:
            raw[0] = raw[1]
        if last + 2 == len(raw):
            raw[-1] = raw[-2]

    def _smooth(self, raw: Plane, smooth: Plane, first: int, last: int) -> None:
        """Smooth chroma rows ``first..last`` from the raw rows around them."""
        halves, vertical = self._halves, self._vertical[first + 1:last + 1]
        halves(raw[first:last], raw[first + 2:last + 2], vertical)  # [1 0 1] / 2
        halves(vertical, raw[first + 1:last + 1], vertical)  # [1 2 1] / 4
        out = smooth[first:last]
        halves(vertical[:, :-2], vertical[:, 2:], out)
        halves(out, vertical[:, 1:-1], out)

    def planes(self) -> tuple[Plane, Plane, Plane]:
        """The current Y, U and V planes (for tests and checks)."""
        return self._luma, self._chroma[0], self._chroma[1]

    def _forget_old_changes(self) -> None:
        if len(self._changes) > 64 * self._pool_size:
            # Pictures older than this get a full copy (see ``_changed_since``).
            self._changes = self._changes[-32 * self._pool_size:]

    def _changed_since(self, version: int) -> list[Rows]:
        if version < 0 or not self._changes or self._changes[0][0] > version + 1:
            return [(0, self.height)]
        return even_bands([rows for seen, rows in self._changes if seen > version],
                          self.height)

    # -- the pool --------------------------------------------------------------------------

    def take(self, timeout: float | None = None) -> Any | None:
        """A pool picture showing the current picture (None: the encoder holds them all).

        ``timeout``: wait that many seconds for one to come back (None: do not wait).
        """
        try:
            picture = (self._free.get(timeout=timeout) if timeout is not None
                       else self._free.get_nowait())
        except queue.Empty:
            return None
        y, u, v = picture.planes
        for start, stop in self._changed_since(picture.version):
            y[start:stop] = self._luma[start:stop]
            u[start // 2:stop // 2] = self._chroma[0][start // 2:stop // 2]
            v[start // 2:stop // 2] = self._chroma[1][start // 2:stop // 2]
        picture.version = self._version
        return picture.frame

    def release(self) -> None:
        """Free the pool (the recording is over)."""
        while not self._free.empty():
            self._free.get_nowait()
        self._by_frame.clear()

    def give_back(self, frame: Any) -> None:
        """Return a picture from ``take`` once the encoder is done with it."""
        self._free.put(self._by_frame[id(frame)])
