"""Helpers shared by end-to-end tests (imported as ``tests_support``)."""

from __future__ import annotations

import subprocess
import time
from typing import Any


def wait_for_window(display: Any, name: str, timeout: float = 30) -> str:
    """Wait until a window named exactly ``name`` is mapped; returns its X id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"^{name}$"],
            env=display.env(), capture_output=True, text=True, check=False,
        )
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(0.2)
    raise AssertionError(f"no window named {name!r} appeared within {timeout} s")
