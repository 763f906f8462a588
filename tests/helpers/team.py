"""Helpers for team-mode tests: servers that misbehave on purpose, Baton as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parents[2] / "src")


class SilentServer:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = int(self._socket.getsockname()[1])
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def url(self, query: str = "") -> str:
        return f"postgresql://baton@127.0.0.1:{self.port}/baton" + (f"?{query}" if query else "")

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


class FreezableProxy:
    """Forwards TCP to a real server until ``freeze()``: then the bytes stop, the
    connections stay open (a server that stopped answering, e.g. ``SIGSTOP``)."""

    def __init__(self, port: int) -> None:
        self._target = port
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = int(self._socket.getsockname()[1])
        self.frozen = threading.Event()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self.frozen.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._socket.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self._target))
            self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.frozen.is_set():
                continue  # swallowed: nobody answers any more
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._socket.close()
        for connection in self._open:
            connection.close()


def baton_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("BATON_DATABASE_URL", None)
    env.update(extra)
    return env


def baton_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "baton", *args]


def start_baton(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``baton ARGS`` as its own process (stdout and stderr captured as text)."""
    return subprocess.Popen(baton_argv(*args), env=env or baton_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def one_line_failure(stderr: str) -> bool:
    """A failure told as Baton tells them: one line starting with ``baton:``."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return len(lines) == 1 and lines[0].startswith("baton: ") and "Traceback" not in stderr


def own_postgres_server() -> Any:
    """A PostgreSQL server of one test's own (to stop and start): ``(server, cleanup)``."""
    import shutil
    import tempfile

    from helpers.postgres import PostgresServer

    root = Path(tempfile.mkdtemp(prefix="baton-pg-own-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = PostgresServer(root)

    def cleanup() -> None:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    return server, cleanup


def start_again(server: Any) -> None:
    """Start a stopped test server again (same folder, same port)."""
    bindir = Path(server._pg_ctl).parent
    server._run([str(bindir / "pg_ctl"), "-D", str(server.root / "data"), "-l",
                 str(server.root / "server.log"), "-w", "-t", "60", "-o",
                 f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1 "
                 "-c fsync=off", "start"])
