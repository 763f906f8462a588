"""Shared fixtures: offscreen Qt by default, a real Xvfb display for marked tests, temp data."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (team-mode tests).

    Its folder is our own (not pytest's tmp_path, which other pytest runs may prune).
    """
    root = Path(tempfile.mkdtemp(prefix="baton-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = PostgresServer(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
