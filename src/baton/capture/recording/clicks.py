"""The clicks and keys of one recording: drawn into the picture and kept beside the video.

Each click becomes a ring and each named key a caption (``Overlay``), and both are kept as
events with their recording time: appended to a journal as they happen (so a killed Baton
keeps them) and saved as ``<video>.events.json`` when the recording is finished. Typed
characters are only counted, never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from baton.capture.platform.input import EventLog, InputEvent, InputHook, InputKind
from baton.capture.recording.overlay import Click, Overlay
from baton.errors import UserError


class ClicksAndKeys:
    """Watches the desktop's input for a recorder (or does nothing without a hook).

    Args:
        hook: watches the mouse and keyboard (None: no rings and no events file).
        overlay: draws the rings and captions into the frames.
        now: the recording second now (pauses excluded).
        keeping: whether input counts right now (False while paused).
        hidden: whether a point is on one of Baton's own windows (its clicks make no ring
            and no event).
    """

    def __init__(
        self,
        hook: InputHook | None,
        overlay: Overlay,
        now: Callable[[], float],
        keeping: Callable[[], bool],
        hidden: Callable[[int, int], bool] = lambda _x, _y: False,
    ) -> None:
        self._hook = hook
        self._overlay = overlay
        self._now = now
        self._keeping = keeping
        self._hidden = hidden
        self.events = EventLog()

    def keep_journal(self, path: Path) -> None:
        """Append each event to ``path`` from now on, when there is input to keep.

        Raises:
            OSError: the journal cannot be written.
        """
        if self._hook is not None:
            self.events.keep_journal(path)

    def start(self, warnings: list[str]) -> None:
        """Start watching; a desktop whose input cannot be watched adds a warning."""
        if self._hook is None:
            return
        try:
            self._hook.start(self._on_click, self._on_key)
        except UserError as error:
            warnings.append(str(error))
            self._hook = None

    def stop(self) -> None:
        if self._hook is not None:
            self._hook.stop()

    def save(self, path: Path, region: tuple[int, int, int, int]) -> Path | None:
        """Write the events file (None: there was nothing to watch and nothing happened)."""
        if self._hook is None and not self.events.events:
            return None
        return self.events.save(path, region)

    def _on_click(self, x: int, y: int, button: str) -> None:
        if not self._keeping() or self._hidden(x, y):
            return
        t = self._now()
        self._overlay.add_click(Click(t, x, y, button))
        self.events.add(InputEvent(round(t, 3), InputKind.CLICK, x=x, y=y, button=button))

    def _on_key(self, label: str | None) -> None:
        if not self._keeping():
            return
        t = self._now()
        if label is None:
            self.events.add(InputEvent(round(t, 3), InputKind.TYPING))
            return
        self._overlay.add_key(t, label)
        self.events.add(InputEvent(round(t, 3), InputKind.KEY, key=label))
