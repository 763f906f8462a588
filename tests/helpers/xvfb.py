"""A real X server for tests and benchmarks: Xvfb on a free display, and waiting for windows."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import Any


class XDisplay:
    """A running Xvfb server."""

    def __init__(self, name: str, width: int, height: int) -> None:
        self.name = name
        self.width = width
        self.height = height

    def env(self) -> dict[str, str]:
        """The environment for a child process that should open its windows here."""
        env = dict(os.environ)
        env["DISPLAY"] = self.name
        env.pop("QT_QPA_PLATFORM", None)
        # Run from a Wayland desktop, Baton would record that desktop instead of this display.
        env.pop("WAYLAND_DISPLAY", None)
        env["XDG_SESSION_TYPE"] = "x11"
        return env


def start_xvfb(width: int = 1920, height: int = 1080, extra: tuple[str, ...] = ()) -> tuple[
    subprocess.Popen[bytes], XDisplay
]:
    """Start Xvfb on a free display number and wait until it accepts clients."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is missing: run scripts/test as root once, or install xvfb")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "+extension", "RECORD",
         # Without -noreset the server resets whenever its last client leaves, and a test
         # connecting during that moment is refused ("Connection reset by peer").
         "-noreset", *extra],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise RuntimeError("Xvfb did not start")
    return process, XDisplay(f":{number}", width, height)


def wait_for_window(display: Any, name: str, timeout: float = 30, poll: float = 0.2) -> str:
    """Wait until a window named exactly ``name`` is mapped; returns its X id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"^{name}$"],
            env=display.env(), capture_output=True, text=True, check=False,
        )
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(poll)
    raise AssertionError(f"no window named {name!r} appeared within {timeout} s")
