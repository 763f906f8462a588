"""Shared fixtures: offscreen Qt by default, a real Xvfb display for marked tests, temp data."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

# Unit and UI tests need no X server; tests that grab the screen ask for `xdisplay`.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("BATON_DATA_DIR", None)
os.environ.pop("BATON_DATABASE_URL", None)


class XDisplay:
    """A running Xvfb server."""

    def __init__(self, name: str, width: int, height: int) -> None:
        self.name = name
        self.width = width
        self.height = height

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DISPLAY"] = self.name
        env.pop("QT_QPA_PLATFORM", None)
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
         "-nolisten", "tcp", "+extension", "RECORD", *extra],
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


@pytest.fixture(scope="session")
def xdisplay() -> Iterator[XDisplay]:
    """A 1920x1080 Xvfb display for the whole session (DISPLAY is set while tests run)."""
    process, display = start_xvfb()
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display.name
    try:
        yield display
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder
