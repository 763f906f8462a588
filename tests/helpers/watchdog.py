"""The last resort for a hung test that pytest-timeout's SIGALRM cannot stop.

pytest-timeout (``timeout`` in pyproject.toml) fails a hung test and the run goes on, but its
signal only reaches Python code: a test stuck inside Qt's event loop (a modal dialog nobody
closes) or in C code never sees it. So each test also gets this watchdog, set a little
later: it writes which test hung and the stack of every thread to the real stderr (not the
captured one) and ends the run. Loaded from tests/conftest.py as a plugin.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Iterator
from typing import IO

import pytest

STDERR = pytest.StashKey[IO[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("timeout_grace", "seconds past a test's timeout before the watchdog ends "
                  "the run (pytest-timeout gets the first chance)", default="30")


def pytest_configure(config: pytest.Config) -> None:
    # Captured output is lost when the process ends here: keep a copy of the real stderr.
    config.stash[STDERR] = os.fdopen(os.dup(sys.__stderr__.fileno()), "w")


def pytest_unconfigure(config: pytest.Config) -> None:
    stream = config.stash.get(STDERR, None)
    if stream is not None:
        stream.close()
        del config.stash[STDERR]


def timeout_of(item: pytest.Item) -> float:
    """The test's timeout as pytest-timeout sees it: its marker, else the option or ini."""
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        value = marker.kwargs.get("timeout", marker.args[0] if marker.args else 0)
    else:
        value = item.config.getoption("timeout", None) or item.config.getini("timeout") or 0
    return float(value or 0)


def _give_up(item: pytest.Item, seconds: float, stream: IO[str]) -> None:
    stream.write(f"\n\n!!! {item.nodeid} hung: still running after {seconds:g} s, where the "
                 "timeout could not interrupt it (Qt event loop or C code). Stacks:\n")
    stream.flush()
    faulthandler.dump_traceback(file=stream, all_threads=True)
    stream.flush()
    os._exit(1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    seconds = timeout_of(item)
    stream = item.config.stash.get(STDERR, None)
    if not seconds or stream is None:
        return (yield)
    grace = float(item.config.getini("timeout_grace"))
    deadline = seconds + grace
    # A Python timer names the test; faulthandler's own C thread still dumps the stacks if
    # something holds the GIL so the timer cannot run.
    timer = threading.Timer(deadline, _give_up, (item, deadline, stream))
    timer.name, timer.daemon = "test-watchdog", True
    timer.start()
    faulthandler.dump_traceback_later(deadline + grace, exit=True, file=stream)
    try:
        return (yield)
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()
