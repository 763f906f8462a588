"""The one clock tests hand to Baton: services stamp its time on rows, the recorder ticks on it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from baton.core.clock import ManualClock

START = datetime(2026, 3, 2, 9, 0)
"""A Monday morning: what every test library's rows are stamped with until a test moves on."""


class TestClock(ManualClock):
    """Time that moves when the test says so.

    Calling it gives the wall-clock time services write into rows (``now``): it stands still
    until the test sets ``now`` or calls :meth:`advance`, so assertions can name exact times.
    :meth:`monotonic` is a frame clock for the recorder: real monotonic seconds (its threads
    need time to pass to produce frames) plus every jump made with :meth:`advance`, which is
    how a test makes a minute of pause or a frozen machine happen instantly.
    """

    __test__ = False  # a helper, not a test class for pytest to collect

    def __init__(self, start: datetime = START) -> None:
        super().__init__(start)
        self.jumped = 0.0

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass at once, on both readings."""
        self.now += timedelta(seconds=seconds)
        self.jumped += seconds

    def monotonic(self) -> float:
        return time.monotonic() + self.jumped
