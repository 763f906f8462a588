"""Clock times, written once for the recorder, the checklists and steps from a video."""

from __future__ import annotations

import pytest

from baton.util.timefmt import format_time


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (5.9, "0:05"),
        (65, "1:05"),
        (599.99, "9:59"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723.5, "1:02:03"),
        (36000 + 59, "10:00:59"),
        (-2, "0:00"),
    ],
)
def test_format_time(seconds: float, shown: str) -> None:
    assert format_time(seconds) == shown
