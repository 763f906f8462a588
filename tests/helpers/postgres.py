"""A throwaway PostgreSQL server for team-mode tests (Debian's ``postgresql`` package)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path


class PostgresServer:
    """A PostgreSQL cluster on 127.0.0.1 and a free port, owned by the test session."""

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
        """Create an empty database; returns its SQLAlchemy URL."""
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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL is missing: run scripts/test as root once")
    return candidates[-1].parent
