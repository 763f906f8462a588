"""The pictures the encoder gets: I420 kept up to date band by band, handed out from a pool.

The recorder converts only the rows of the screen that changed (XDamage's bands, the rows the
overlay drew on now and in the frame before) into one persistent I420 picture, with exactly
the colour conversion of ``encoder.I420Converter``: OpenCV's BT.601 limited range, then a
3x3 box blur of the chroma planes. A band's chroma is blurred with one row of real
neighbours on each side, so the result is identical to converting the whole frame.

The encoder thread gets ``av.VideoFrame`` objects from a small pool; each is brought up to
date by copying only the rows changed since it was last handed out, and comes back to the
pool once libx264 has copied it. Memory stays bounded: a few 1080p pictures (3 MB each),
never a queue of 8 MB screen images.
"""

from __future__ import annotations

import queue
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from baton.capture.recording.sources import Frame

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


def _plane_view(plane: Any, rows: int, width: int) -> Plane:
    """A writable numpy view of an ``av`` plane (its rows may be padded)."""
    data = np.frombuffer(plane, np.uint8)
    return data.reshape(rows, plane.line_size)[:, :width]


class _Picture:
    def __init__(self, width: int, height: int) -> None:
        self.frame: Any = av.VideoFrame(width, height, "yuv420p")
        self.planes = (
            _plane_view(self.frame.planes[0], height, width),
            _plane_view(self.frame.planes[1], height // 2, width // 2),
            _plane_view(self.frame.planes[2], height // 2, width // 2),
        )
        self.version = -1


class Pictures:
    """The current picture of the recorded area, and a pool of copies for the encoder.

    Only the capture thread calls ``update`` and ``take``; the encoder thread calls
    ``give_back``.

    Args:
        width, height: the picture size (even).
        pool: pictures that can be waiting for or inside the encoder at one time.
    """

    def __init__(self, width: int, height: int, pool: int = 4) -> None:
        self.width, self.height = width, height
        self._i420: Plane = np.zeros((height * 3 // 2, width), np.uint8)
        self._luma = self._i420[:height]
        self._chroma_raw: list[Plane] = list(
            self._i420[height:].reshape(2, height // 2, width // 2))
        self._chroma: list[Plane] = [np.zeros_like(plane) for plane in self._chroma_raw]
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
        chroma_height = self.height // 2
        for start, stop in even_bands(bands, self.height):
            rows = stop - start
            half = rows // 2
            first, last = start // 2, start // 2 + half
            if rows == self.height:
                cv2.cvtColor(bgra, cv2.COLOR_BGRA2YUV_I420, dst=self._i420)
            else:
                i420 = cv2.cvtColor(bgra[start:stop], cv2.COLOR_BGRA2YUV_I420)
                self._luma[start:stop] = i420[:rows]
                chroma = i420[rows:].reshape(-1)
                quarter = half * (self.width // 2)
                for index in range(2):
                    self._chroma_raw[index][first:last] = (
                        chroma[index * quarter:(index + 1) * quarter].reshape(half, -1))
            # Blurred rows first-1 .. last depend on raw rows first-2 .. last+1; a band cut
            # at the picture's edge reflects as the full-frame blur does.
            out0, out1 = max(0, first - 1), min(chroma_height, last + 1)
            src0, src1 = max(0, first - 2), min(chroma_height, last + 2)
            for raw, blurred in zip(self._chroma_raw, self._chroma, strict=True):
                smooth = cv2.blur(raw[src0:src1], (3, 3))
                blurred[out0:out1] = smooth[out0 - src0:out1 - src0]
            self._version += 1
            self._changes.append((self._version, (max(0, start - 2), min(self.height, stop + 2))))
        self._forget_old_changes()

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
