"""What changed on the screen since the last grab, whatever the frame source.

A source that knows (``XShmSource``: XDamage) says which row bands it fetched; for any other
source (mss, a synthetic pattern) the whole grab is compared with the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from baton.capture.recording.sources import Frame, FrameSource, same_pixels

Rows = tuple[int, int]
"""A band of rows ``[start, stop)`` of the recorded area."""


@runtime_checkable
class ReportsChanges(Protocol):
    """A frame source that knows which rows changed (see ``xshm.XShmSource``)."""

    def grab_changes(self) -> tuple[Frame, list[Rows]]:
        """The up-to-date frame and the bands fetched (empty: nothing changed)."""

    def watch(self) -> None:
        """Keep up with the screen's changes while not grabbing (a pause)."""


class ScreenChanges:
    """Grabs from ``source`` and tells which rows changed since the previous grab.

    Args:
        source: the frame source.
        prepare: applied to each grab before it is compared (hidden windows painted over).
    """

    def __init__(self, source: FrameSource, prepare: Callable[[Frame], None]) -> None:
        self._source = source
        self._prepare = prepare
        self._previous: Frame | None = None
        self.damage_reported = isinstance(source, ReportsChanges)
        """Whether the source reports changes itself (no grab when nothing changed)."""

    def grab(self) -> tuple[Frame, list[Rows]]:
        """The current frame (prepared) and the changed bands (empty: none changed).

        Raises:
            DisplayLost: the screen cannot be read any more.
        """
        source = self._source
        if isinstance(source, ReportsChanges):
            frame, bands = source.grab_changes()
            self._prepare(frame)
            return frame, bands
        frame = source.grab()
        self._prepare(frame)
        previous, self._previous = self._previous, frame
        if previous is not None and same_pixels(frame, previous):
            return frame, []
        return frame, [(0, frame.shape[0])]

    def idle(self) -> None:
        """Called while paused, so that a source counting changes does not fall behind."""
        if isinstance(self._source, ReportsChanges):
            self._source.watch()
