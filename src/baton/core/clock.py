"""Time, passed in so tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current UTC time without tzinfo (how rows store it)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
