"""Progress and cancel for long exports, shared by the exporting threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

from baton.errors import UserError

ProgressCallback = Callable[[float, str], None]
"""Called with (fraction done 0..1, what is happening now)."""


class ExportCancelled(UserError):
    """The user cancelled the export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled; no package was written.")


class Tracker:
    """Turns work units from several threads into one rising fraction, and checks cancel.

    A phase (the budget re-encode) can take a share of the bar on its own; units counted
    afterwards fill the rest.
    """

    def __init__(
        self, callback: ProgressCallback | None, cancel: threading.Event | None, total_units: int
    ) -> None:
        self._callback = callback
        self._cancel = cancel
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._total = max(total_units, 1)
        self._done = 0
        self._offset = 0.0
        self._offset_units = 0
        self._phase: tuple[float, float] | None = None
        self._reported = -1.0
        self._label = ""

    def set_total(self, units: int) -> None:
        """Say how many units the work (after any phase) has, once it is known."""
        with self._lock:
            self._total = max(units, 1)

    def check(self) -> None:
        """Raise ``ExportCancelled`` if the user cancelled or the export is stopping."""
        if self._stopped.is_set() or (self._cancel is not None and self._cancel.is_set()):
            raise ExportCancelled()

    def stop(self) -> None:
        """Make every thread stop at its next check (used when one of them failed)."""
        self._stopped.set()

    def advance(self, units: int, label: str) -> None:
        """Count ``units`` of work done, then check for cancel."""
        with self._lock:
            self._done += units
            remaining = max(self._total - self._offset_units, 1)
            part = min((self._done - self._offset_units) / remaining, 1.0)
            fraction = self._offset + (1.0 - self._offset) * part
        self.report(min(fraction, 0.99), label)
        self.check()

    def bytes_written(self, label: str) -> Callable[[int], None]:
        """A callback for a copy loop that counts bytes as work units."""
        return lambda count: self.advance(count, label)

    def begin_phase(self, share: float, label: str) -> None:
        """Start a phase that fills ``share`` of what is left of the bar."""
        with self._lock:
            start = max(self._reported, 0.0)
            self._phase = (start, (1.0 - start) * share)
        self.report(start, label)

    def phase_progress(self, fraction: float, label: str) -> None:
        """Progress within the current phase (0..1)."""
        if self._phase is not None:
            start, span = self._phase
            self.report(start + span * min(max(fraction, 0.0), 1.0), label)
        self.check()

    def end_phase(self) -> None:
        """Finish the phase; later units fill the rest of the bar."""
        with self._lock:
            if self._phase is not None:
                start, span = self._phase
                self._offset = start + span
                self._offset_units = self._done
                self._phase = None

    def report(self, fraction: float, label: str) -> None:
        """Send progress to the callback if it moved enough to matter (never backwards)."""
        if self._callback is None:
            return
        with self._lock:
            if fraction < self._reported or (
                fraction - self._reported < 0.002 and label == self._label and fraction < 1.0
            ):
                return
            self._reported = fraction
            self._label = label
        self._callback(fraction, label)
