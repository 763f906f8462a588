"""Helpers shared by end-to-end tests (imported as ``tests_support``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any


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


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, owned by the test session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self._counter = 0
        bindir = _postgres_bindir()
        self._pg_ctl = str(bindir / "pg_ctl")
        self._run([str(bindir / "initdb"), "-D", str(root / "data"), "-U", "baton",
                   "--auth=trust", "--encoding=UTF8", "--no-sync"])
        self._run([self._pg_ctl, "-D", str(root / "data"), "-l", str(root / "server.log"),
                   "-w", "-t", "60", "-o",
                   f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                   "start"])

    def _run(self, argv: list[str]) -> None:
        # initdb refuses to run as root, so when we are root the server runs as "postgres".
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def new_database(self) -> str:
        import psycopg

        self._counter += 1
        name = f"baton_test_{self._counter}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=baton dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://baton@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run([self._pg_ctl, "-D", str(self.root / "data"), "-m", "immediate", "stop"])


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL is missing: run scripts/test as root once")
    return candidates[-1].parent


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
