"""Screen grabs straight into one shared-memory segment, told by XDamage what changed.

The X server writes each grab into a SysV segment attached once; the frame handed out is a
numpy view of that memory (no copy, no new buffer per grab). XDamage reports every drawing
on the screen as a rectangle, so a grab fetches only the row bands drawn since the last
one, and a screen on which nothing was drawn is not read at all.

Which drawings a grab already shows is decided by sequence numbers: an event is stamped
with the last of our requests the server had handled when the drawing happened, so a
drawing stamped before a grab request, inside the rows that request fetched, is in the
picture; anything else is fetched at the next grab.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from baton.capture.platform.screens import Region, display_name
from baton.capture.platform.xcb import Damage, Xcb, XcbUnavailable, happened_before
from baton.capture.recording.sources import DisplayLost

Rows = tuple[int, int]
"""A band of rows ``[start, stop)`` of the grabbed area."""

MERGE_GAP = 32  # bands closer than this are fetched as one (one round trip each)
MAX_BANDS = 6
MAX_PENDING = 512  # damage events kept apart before they are folded into one band


@dataclass(frozen=True)
class _Pending:
    sequence: int
    rows: Rows


def merge_rows(bands: list[Rows], gap: int = 0) -> list[Rows]:
    """Sorted, non-overlapping bands covering ``bands`` (joined when ``gap`` rows apart)."""
    merged: list[list[int]] = []
    for start, stop in sorted(bands):
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [(start, stop) for start, stop in merged]


class XShmSource:
    """Grabs one area of the X screen through MIT-SHM, with XDamage saying what changed.

    Raises:
        XcbUnavailable: on construction, when libxcb, MIT-SHM (e.g. a remote display) or
            DAMAGE cannot be used; the caller then reads the screen another way.
    """

    def __init__(self, region: Region, display: str | None = None) -> None:
        self._region = region
        self._display = display
        self._xcb = Xcb(display)
        if self._xcb.depth not in (24, 32):
            self._xcb.close()
            raise XcbUnavailable(f"a {self._xcb.depth}-bit screen")
        size = region.width * region.height * 4
        self._shmid, self._address = -1, 0
        try:
            self._shmid, self._address = self._xcb.new_segment(size)
            self._segment = self._xcb.new_id()
            self._xcb.attach_shm(self._segment, self._shmid)
        except XcbUnavailable:
            self._release_memory()
            self._xcb.close()
            raise
        self._xcb.forget_segment(self._shmid)  # gone with the last user, even after a kill
        buffer = (ctypes.c_uint8 * size).from_address(self._address)
        self._frame: npt.NDArray[np.uint8] = np.frombuffer(memoryview(buffer), np.uint8).reshape(
            region.height, region.width, 4)
        self._damage = self._xcb.watch_damage()
        self._pending: list[_Pending] = []
        self._grabbed_once = False

    @property
    def region(self) -> Region:
        return self._region

    def grab(self) -> npt.NDArray[np.uint8]:
        """Read the whole area; the frame is overwritten by the next grab.

        Raises:
            DisplayLost: the X server went away.
        """
        self._take_damage()
        self._fetch([(0, self._region.height)])
        return self._frame

    def grab_changes(self) -> tuple[npt.NDArray[np.uint8], list[Rows]]:
        """Bring the frame up to date; returns it and the row bands that were fetched
        (empty: nothing was drawn since the last grab, and nothing was read).

        Raises:
            DisplayLost: the X server went away.
        """
        if not self._grabbed_once:
            return self.grab(), [(0, self._region.height)]
        self._take_damage()
        if not self._pending:
            self._check_alive()
            return self._frame, []
        bands = merge_rows([p.rows for p in self._pending], MERGE_GAP)
        if len(bands) > MAX_BANDS:
            bands = [(bands[0][0], bands[-1][1])]
        self._fetch(bands)
        return self._frame, bands

    def watch(self) -> None:
        """Collect the damage reported so far (call it now and then while not grabbing)."""
        self._take_damage()

    def _take_damage(self) -> None:
        region = self._region
        for damage in self._xcb.damage():
            rows = _rows_in(damage, region)
            if rows is not None:
                self._pending.append(_Pending(damage.sequence, rows))
        if len(self._pending) > MAX_PENDING:
            # Events read before the next grab request all precede it: one band will do.
            start = min(p.rows[0] for p in self._pending)
            stop = max(p.rows[1] for p in self._pending)
            self._pending = [_Pending(self._pending[-1].sequence, (start, stop))]

    def _fetch(self, bands: list[Rows]) -> None:
        region, xcb = self._region, self._xcb
        row_bytes = region.width * 4
        requests = [
            (xcb.request_image(self._segment, start * row_bytes, region.left,
                               region.top + start, region.width, stop - start), (start, stop))
            for start, stop in bands
        ]
        for sequence, _rows in requests:
            if not xcb.wait_image(sequence):
                self._check_alive()
                raise _lost(self._display)
        self._grabbed_once = True
        self._take_damage()
        self._pending = [p for p in self._pending if not _shown(p, requests)]

    def _check_alive(self) -> None:
        if self._xcb.broken:
            raise _lost(self._display)

    def close(self) -> None:
        xcb = self._xcb
        if not xcb.broken:
            xcb.stop_damage(self._damage)
            xcb.detach_shm(self._segment)
        xcb.close()
        self._release_memory()

    def _release_memory(self) -> None:
        if self._address:
            self._xcb.unmap_segment(self._address)
            self._address = 0


def _rows_in(damage: Damage, region: Region) -> Rows | None:
    """The rows of ``region`` a damaged root rectangle covers (None: outside it)."""
    if damage.x >= region.right or damage.x + damage.width <= region.left:
        return None
    start = max(damage.y, region.top) - region.top
    stop = min(damage.y + damage.height, region.bottom) - region.top
    return (start, stop) if stop > start else None


def _shown(pending: _Pending, requests: list[tuple[int, Rows]]) -> bool:
    """Whether one of the grab requests fetched the damaged rows after the drawing."""
    start, stop = pending.rows
    return any(
        band[0] <= start and stop <= band[1] and happened_before(pending.sequence, sequence)
        for sequence, band in requests
    )


def _lost(display: str | None) -> DisplayLost:
    return DisplayLost(f"The display {display_name(display) or '(none)'} went away")
