"""A test that logs an ERROR fails, unless it says it expects one (like qutebrowser's logfail).

Baton logs an ERROR when something went wrong that the user did not cause; a test that
passes while one is logged hides a bug. A test that provokes one on purpose names it::

    @pytest.mark.logs_error("media cleanup failed")
    def test_...

Each pattern (a regular expression searched in the message) must match at least one logged
ERROR, and every logged ERROR must match a pattern. Loaded from tests/conftest.py as a plugin.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

MARKER = "logs_error"


class ErrorLog(logging.Handler):
    """Keeps every ERROR (and worse) logged anywhere, from any thread, during one test."""

    def __init__(self, expected: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.expected = [re.compile(pattern) for pattern in expected]
        self.records: list[logging.LogRecord] = []
        self.reported = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def complaint(self) -> str | None:
        """What is wrong with the errors logged since the last complaint, if anything."""
        records, self.reported = self.records[self.reported:], len(self.records)
        unexpected = [r for r in records
                      if not any(p.search(r.getMessage()) for p in self.expected)]
        if unexpected:
            lines = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in unexpected]
            return ("logged an ERROR it did not expect (mark the test "
                    f"@pytest.mark.{MARKER}(pattern) if it should):\n  " + "\n  ".join(lines))
        return None

    def missing(self) -> list[str]:
        return [p.pattern for p in self.expected
                if not any(p.search(r.getMessage()) for r in self.records)]


@pytest.fixture(autouse=True)
def error_log(request: pytest.FixtureRequest) -> Iterator[ErrorLog]:
    """Watch the root logger for the whole test; complain at the end if the call did not."""
    expected = [pattern for mark in request.node.iter_markers(MARKER) for pattern in mark.args]
    handler = ErrorLog(expected)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    complaint = handler.complaint()  # logged while setting up or tearing down
    if complaint:
        pytest.fail(complaint, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not its teardown) for what it logged while running."""
    result = yield
    handler = getattr(item, "funcargs", {}).get("error_log")
    if isinstance(handler, ErrorLog):
        complaint = handler.complaint()
        if complaint:
            pytest.fail(complaint, pytrace=False)
        missing = handler.missing()
        if missing:
            pytest.fail(f"expected an ERROR log matching {missing}, none was logged",
                        pytrace=False)
    return result
