"""Time, passed in so tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current UTC time without tzinfo (how rows store it)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class ManualClock:
    """A clock that only moves when told to (tests, demos, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now
