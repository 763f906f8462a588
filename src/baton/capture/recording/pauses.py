"""Recording time: the clock since the start, less every pause."""

from __future__ import annotations

import threading


class RecordingClock:
    """Maps readings of the recorder's clock to recording seconds across pauses.

    Thread-safe: the GUI pauses and resumes, the capture, encoder and audio threads read.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._t0 = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._pauses: list[tuple[float, float]] = []  # (began, ended) on the clock

    def start(self, now: float) -> None:
        with self._lock:
            self._t0 = now

    def pause(self, now: float) -> bool:
        """Stop recording time at ``now``; False when already paused."""
        with self._lock:
            if self._paused_at is not None:
                return False
            self._paused_at = now
            return True

    def resume(self, now: float) -> bool:
        """Let recording time run again from where the pause began; False when not paused."""
        with self._lock:
            if self._paused_at is None:
                return False
            self._paused_total += now - self._paused_at
            self._pauses.append((self._paused_at, now))
            self._paused_at = None
            return True

    def at(self, moment: float) -> float:
        """Recording seconds at clock reading ``moment`` (frozen while paused)."""
        with self._lock:
            if self._paused_at is not None:
                moment = min(moment, self._paused_at)
            return moment - self._t0 - self._paused_total

    def place(self, moment: float) -> tuple[float, int] | None:
        """Recording second and pause count of something captured at ``moment``.

        None when it was captured during a pause. Sound is placed by when it was captured,
        not when it arrived: a chunk that arrives after a pause began still belongs before.
        """
        with self._lock:
            paused = 0.0
            for segment, (began, ended) in enumerate(self._pauses):
                if moment < began:
                    return moment - self._t0 - paused, segment
                if moment < ended:
                    return None
                paused += ended - began
            if self._paused_at is not None and moment >= self._paused_at:
                return None
            return moment - self._t0 - paused, len(self._pauses)
