"""Real applications on a test desktop with accessibility (``helpers.desktop_apps``).

A session D-Bus (Debian's dbus-daemon) whose ``org.a11y.Bus`` starts Debian's
at-spi-bus-launcher on first use, as a desktop session has; a GTK 3 form (Debian's python3
and python3-gi), a Qt form (Baton's PySide6), a web form in Debian's chromium and in
Debian's firefox-esr, and an xterm.
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
    """A private session bus; ``os.environ`` points at it while it runs.

    Its services get a settings folder of their own: at-spi-bus-launcher keeps
    ``IsEnabled`` in GSettings (``org.gnome.desktop.interface toolkit-accessibility``,
    through dconf), which would otherwise outlive the bus in the user's
    ``~/.config/dconf/user`` and decide how the next run's applications start.
    """

    def __init__(self) -> None:
        self.settings = Path(tempfile.mkdtemp(prefix="baton-bus-settings-"))
        self.process = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "XDG_CONFIG_HOME": str(self.settings)},
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
        shutil.rmtree(self.settings, ignore_errors=True)


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
                    # Firefox prints the message as a quoted string, its quotes escaped.
                    raw = raw.rstrip('"').replace('\\"', '"')
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
           env: dict[str, str] | None = None, stream: str = "stdout",
           unset: tuple[str, ...] = ()) -> App:
    environment = {**display.env(), **(env or {})}
    for name in unset:
        environment.pop(name, None)
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


FIREFOX_PREFS = {
    # No first-run pages, default-browser question, updates or reports: the form opens alone.
    "browser.shell.checkDefaultBrowser": False,
    "browser.aboutwelcome.enabled": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "startup.homepage_welcome_url": "",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.tabs.warnOnClose": False,
    "browser.translations.automaticallyPopup": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    # No saved-password list under a clicked password field (its "Manage passwords" item
    # would catch the next click and open about:logins).
    "signon.rememberSignons": False,
    "signon.autofillForms": False,
    "signon.generation.enabled": False,
    "signon.firefoxRelay.feature": "disabled",
    # The page's console.log lines (TARGETS, TYPED) go to standard output.
    "devtools.console.stdout.content": True,
}


class Firefox:
    """Firefox ESR with a fresh profile folder (root needs its own), removed with it."""

    TITLE = "Web sign-up \N{EM DASH} Mozilla Firefox"

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="baton-firefox-"))
        (self.profile / "user.js").write_text("".join(
            f"user_pref({json.dumps(name)}, {json.dumps(value)});\n"
            for name, value in FIREFOX_PREFS.items()))

    def start(self, display: XDisplay, x: int, y: int, width: int = 620,
              height: int = 520) -> App:
        # Nothing asks Firefox for accessibility here: it builds its tree (the page's
        # too) when step capture sets org.a11y.Status.IsEnabled, as a screen reader
        # would (GNOME_ACCESSIBILITY=0 forbids it, even an empty value); see
        # docs/accessibility.md. Headless (MOZ_HEADLESS) would draw nothing on the display.
        argv = [shutil.which("firefox-esr") or "firefox-esr", "-profile", str(self.profile),
                "-no-remote", "-width", str(width), "-height", str(height),
                (APPS / "form.html").as_uri()]
        app = _start("firefox", argv, display, self.TITLE,
                     unset=("MOZ_HEADLESS", "GNOME_ACCESSIBILITY"))
        # Firefox has no option for where its window goes: move it, then wait for the page
        # to say where its targets are now. Focused, as the window a user works in: Firefox
        # turns its accessibility on when IsEnabled changes only if one of its windows has
        # the focus (else when one is next activated).
        for command in (["windowmove", "--sync", app.window_id, str(x), str(y)],
                        ["windowfocus", "--sync", app.window_id]):
            subprocess.run(["xdotool", *command], env=display.env(), check=True, timeout=10)
        deadline = time.monotonic() + 60
        while not app.targets or not all(
                x <= tx < x + width and y <= ty < y + height
                for tx, ty in app.targets.values()):
            if time.monotonic() > deadline or app.process.poll() is not None:
                app.close()
                raise AssertionError("Firefox never showed the form where it was moved: "
                                     + "".join(app.lines[-20:]))
            time.sleep(0.05)
        return app

    def close(self) -> None:
        shutil.rmtree(self.profile, ignore_errors=True)


def start_xterm(display: XDisplay, title: str, x: int, y: int, script: str) -> App:
    """An xterm running ``script`` in bash (a hidden ``read -s`` prompt, say)."""
    argv = ["xterm", "-T", title, "-geometry", f"80x12+{x}+{y}", "-e", "bash", "-c", script]
    return _start("xterm", argv, display, title)
