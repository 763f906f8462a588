"""Real applications on a test desktop with accessibility (``helpers.desktop_apps``).

A session D-Bus (Debian's dbus-daemon) whose ``org.a11y.Bus`` starts Debian's
at-spi-bus-launcher on first use, as a desktop session has; a GTK 3 form (Debian's python3
and python3-gi), a Qt form (Baton's PySide6), a web form in Debian's chromium and an xterm.
Each form prints where its ten targets are on screen and, as fields change, their lengths
(never their text), so tests know the typing arrived without the text passing through a
pipe.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.xvfb import XDisplay, wait_for_window

APPS = Path(__file__).resolve().parents[1] / "e2e" / "apps"
SYSTEM_PYTHON = "/usr/bin/python3"
TARGET_NAMES = {
    "name": "Full name", "email": "Email", "password": "Password", "country": "Country",
    "notes": "Notes", "copy": "Send a copy", "monthly": "Monthly",
    "terms": "Terms of service", "cancel": "Cancel", "create": "Create account",
}
"""The ten targets of every form and the name a user reads on each."""


class SessionBus:
    """A private session bus; ``os.environ`` points at it while it runs."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.process.stdout is not None
        self.address = self.process.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")
        self._previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.address

    def close(self) -> None:
        if self._previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = self._previous
        self.process.terminate()  # at-spi-bus-launcher exits with its bus
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class App:
    """A running application and what it printed."""

    name: str
    process: subprocess.Popen[str]
    window_id: str
    targets: dict[str, tuple[int, int]] = field(default_factory=dict)
    typed: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def read(self, stream: Any) -> None:
        def pump() -> None:
            for line in stream:
                self.lines.append(line)
                if line.startswith("TARGETS ") or "\"TARGETS " in line:
                    raw = line[line.index("TARGETS ") + 8:].split('", source')[0].strip()
                    raw = raw.rstrip('"')
                    self.targets = {k: (int(v[0]), int(v[1])) for k, v in json.loads(raw).items()}
                if "TYPED " in line:
                    parts = line[line.index("TYPED ") + 6:].replace('"', " ").split()
                    self.typed[parts[0]] = int(parts[1])

        self._reader = threading.Thread(target=pump, daemon=True)
        self._reader.start()

    def wait_targets(self, timeout: float = 60) -> dict[str, tuple[int, int]]:
        deadline = time.monotonic() + timeout
        while not self.targets:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{self.name} never said where its targets are: "
                                     + "".join(self.lines[-20:]))
            time.sleep(0.05)
        return self.targets

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._reader is not None:
            self._reader.join(10)  # the pipe ends with the process
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _start(name: str, argv: list[str], display: XDisplay, title: str,
           env: dict[str, str] | None = None, stream: str = "stdout") -> App:
    environment = {**display.env(), **(env or {})}
    process = subprocess.Popen(
        argv, env=environment, text=True,
        stdout=subprocess.PIPE if stream == "stdout" else subprocess.DEVNULL,
        stderr=subprocess.PIPE if stream == "stderr" else subprocess.DEVNULL,
    )
    try:
        window_id = wait_for_window(display, title, timeout=60)
    except AssertionError:
        process.kill()
        process.wait(10)
        raise
    app = App(name, process, window_id)
    app.read(process.stdout if stream == "stdout" else process.stderr)
    return app


def start_gtk(display: XDisplay, title: str, x: int, y: int) -> App:
    return _start("gtk", [SYSTEM_PYTHON, str(APPS / "gtk_form.py"), title, str(x), str(y)],
                  display, title)


def start_qt(display: XDisplay, title: str, x: int, y: int) -> App:
    return _start("qt", [sys.executable, str(APPS / "qt_form.py"), title, str(x), str(y)],
                  display, title)


class Chromium:
    """Chromium's own profile folder, removed with it."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="baton-chromium-"))

    def start(self, display: XDisplay, x: int, y: int, width: int = 620,
              height: int = 520) -> App:
        # A web page's tree exists only with --force-renderer-accessibility, and Chromium
        # publishes anything only when an assistive tool is on as it starts
        # (ACCESSIBILITY_ENABLED=1 says so); see docs/accessibility.md.
        argv = [shutil.which("chromium") or "chromium", "--no-sandbox", "--no-first-run",
                "--disable-gpu", f"--user-data-dir={self.profile}", "--kiosk",
                "--force-renderer-accessibility", "--enable-logging=stderr", "--v=0",
                f"--window-position={x},{y}", f"--window-size={width},{height}",
                (APPS / "form.html").as_uri()]
        return _start("chromium", argv, display, "Web sign-up - Chromium",
                      env={"ACCESSIBILITY_ENABLED": "1"}, stream="stderr")

    def close(self) -> None:
        shutil.rmtree(self.profile, ignore_errors=True)


def start_xterm(display: XDisplay, title: str, x: int, y: int, script: str) -> App:
    """An xterm running ``script`` in bash (a hidden ``read -s`` prompt, say)."""
    argv = ["xterm", "-T", title, "-geometry", f"80x12+{x}+{y}", "-e", "bash", "-c", script]
    return _start("xterm", argv, display, title)
