"""Steps named from real applications' accessibility trees, and passwords that never land.

A session bus with AT-SPI, a GTK 3 form, a Qt form, a web form in Chromium and in Firefox,
and an xterm on the test X server; clicks and typing through xdotool, as a user's would arrive.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from baton.capture.steps.live import open_step_capture
from baton.capture.steps.sink import SavedStep
from baton.core.db import open_database, sqlite_url
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.models import Step
from baton.core.steps import Steps
from helpers.desktop_apps import (
    App,
    Chromium,
    Firefox,
    SessionBus,
    start_gtk,
    start_qt,
    start_xterm,
)
from helpers.xvfb import XDisplay

pytestmark = [pytest.mark.display, pytest.mark.slow, pytest.mark.browser]

WINDOWS = {"gtk": "GTK sign-up", "qt": "Qt sign-up", "chromium": "Web sign-up - Chromium",
           "firefox": Firefox.TITLE}
TOOLKITS = tuple(WINDOWS)
SECRET = "Tr0ub4dor&3-Horse"
NAME = "Maria Lopez"


@pytest.fixture(scope="module")
def desktop(xdisplay: XDisplay) -> Iterator[dict[str, App]]:
    bus = SessionBus()
    chromium = Chromium()
    firefox = Firefox()
    apps: dict[str, App] = {}
    try:
        apps["gtk"] = start_gtk(xdisplay, WINDOWS["gtk"], 0, 0)
        apps["qt"] = start_qt(xdisplay, WINDOWS["qt"], 640, 0)
        apps["chromium"] = chromium.start(xdisplay, 1280, 0)
        apps["firefox"] = firefox.start(xdisplay, 640, 540)
        for app in apps.values():
            app.wait_targets()
        yield apps
    finally:
        for app in apps.values():
            app.close()
        chromium.close()
        firefox.close()
        bus.close()


def xdotool(display: XDisplay, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=display.env(), check=True, timeout=10)


def click(display: XDisplay, app: App, target: str) -> None:
    x, y = app.targets[target]
    xdotool(display, "mousemove", str(x), str(y), "click", "1")
    time.sleep(0.35)  # not a double-click with the next one


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_clicks_are_named_by_each_toolkits_accessibility_tree(
    xdisplay: XDisplay, desktop: dict[str, App], tmp_path: Path
) -> None:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    media = MediaStore(tmp_path / "media")
    process = Library(db.sessions).add_process(ProcessDraft("Sign up"))
    saved: list[SavedStep] = []
    # OCR off: every name here must come from the accessibility tree.
    capture = open_step_capture(Steps(db.sessions).appender(process.id), media,
                                on_step=saved.append,
                                ocr=False)
    capture.start()
    order = ("name", "copy", "monthly", "terms", "cancel", "create")
    try:
        time.sleep(1.0)  # the naming thread connects to the accessibility bus
        for toolkit in TOOLKITS:
            for target in order:
                click(xdisplay, desktop[toolkit], target)
        wait_for(lambda: capture.stats.steps_saved >= len(TOOLKITS) * len(order))
    finally:
        stats = capture.stop()  # waits for the names still coming
    assert stats.errors == []
    assert stats.steps_saved == len(TOOLKITS) * len(order)
    with db.sessions() as session:
        titles = [step.title for step in session.scalars(select(Step).order_by(Step.position))]
    expected = []
    for toolkit in TOOLKITS:
        expected += [
            f'Click the "Full name" field in "{WINDOWS[toolkit]}"',
            'Check "Send a copy"',
            'Select "Monthly"',
            'Click "Terms of service"',
            'Click "Cancel"',
            'Click "Create account"',
        ]
    assert titles == expected
    # Naming never held a step up: each was saved well before its name came.
    assert max(step.latency or 0 for step in saved) < 1.0
    db.close()


def test_a_password_typed_anywhere_never_reaches_the_disk(
    xdisplay: XDisplay, desktop: dict[str, App], tmp_path: Path, platformdirs_isolated: Path
) -> None:
    """Qt echo-mode password, GTK hidden entry, HTML password input (Chromium and Firefox),
    xterm ``read -s``:
    after capture (``baton steps capture``), a recording's events journal and an exported
    package, no piece of the password is in any file of the data folder, the user's own
    folders (settings, log, recordings) or the package."""
    data = tmp_path / "library"
    length_file = tmp_path / "xterm-length"
    terminal = start_xterm(xdisplay, "Terminal", 0, 560,
                           f"read -s -p 'Password: ' pw; echo ${{#pw}} > {length_file}; "
                           "sleep 600")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    baton = [sys.executable, "-m", "baton", "--data-dir", str(data)]
    subprocess.run([*baton, "process", "add", "Sign up"], check=True, env=env,
                   capture_output=True, timeout=60)
    recording = data / "recordings"
    recording.mkdir(parents=True, exist_ok=True)
    recorder = subprocess.Popen([*baton, "record", str(recording / "take.mp4"), "--region",
                                 "0,0,640,480", "--fps", "10"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    capture = subprocess.Popen([*baton, "steps", "capture", "Sign up", "--json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert capture.stderr is not None
        assert "Capturing steps" in capture.stderr.readline()  # clicks count from now on
        journal = recording / "take.recording.events.jsonl"
        wait_for(journal.exists, timeout=60)
        time.sleep(1.0)  # the namer connects to the accessibility bus
        for toolkit in TOOLKITS:
            app = desktop[toolkit]
            # The window first gets the keyboard, as a window manager gives it on the click
            # (there is none here). Activated only after its field was clicked, Firefox says
            # an unnamed panel has the focus, and what is typed next is withheld.
            xdotool(xdisplay, "windowfocus", "--sync", app.window_id)
            click(xdisplay, app, "name")
            xdotool(xdisplay, "type", "--delay", "40", NAME)
            xdotool(xdisplay, "key", "Tab")
            click(xdisplay, app, "password")
            xdotool(xdisplay, "type", "--delay", "40", SECRET)
            xdotool(xdisplay, "key", "Return")
            time.sleep(0.5)
        xdotool(xdisplay, "mousemove", "200", "640", "click", "1")
        xdotool(xdisplay, "windowfocus", "--sync", terminal.window_id)
        xdotool(xdisplay, "type", "--delay", "40", SECRET)
        xdotool(xdisplay, "key", "Return")
        wait_for(lambda: length_file.exists() and length_file.read_text().strip())
        time.sleep(1.0)
        live = [path for folder in (data, platformdirs_isolated) for path in folder.rglob("*")
                if path.is_file()]
        assert journal in live  # the recording's journal is there while it records
        assert_absent(live, "while capturing")
    finally:
        capture.send_signal(signal.SIGTERM)
        recorder.send_signal(signal.SIGINT)
        output, errors = capture.communicate(timeout=60)
        recorder.communicate(timeout=60)
        terminal.close()
    assert capture.returncode == 0, errors
    document = json.loads(output)
    titles = [step["title"] for step in document["steps"]]
    for toolkit in TOOLKITS:
        assert desktop[toolkit].typed["password"] == len(SECRET)  # the typing arrived
        assert desktop[toolkit].typed["name"] == len(NAME)
    assert length_file.read_text().strip() == str(len(SECRET))
    assert titles.count(f'Type "{NAME}" in "Full name"') == len(TOOLKITS), document
    assert titles.count('Type •••••• in "Password", then press Enter') == len(TOOLKITS), titles
    assert 'Type in "Terminal", then press Enter' in titles

    package = tmp_path / "sign-up.zip"
    subprocess.run([*baton, "package", "export", "Sign up", "--out", str(package)],
                   check=True, env=env, capture_output=True, timeout=120)
    files = [path for folder in (data, platformdirs_isolated) for path in folder.rglob("*")
             if path.is_file()]
    assert any(path.suffix == ".log" for path in files)
    assert_absent(files, "after capture and export")
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            assert not any(piece in content for piece in pieces()), name
        assert NAME.encode() in archive.read("checklist.md")  # ordinary text is kept


def pieces() -> list[bytes]:
    """The password and any 6 characters of it, as UTF-8 and UTF-16 (SQLite, Qt)."""
    parts = {SECRET[i:i + 6] for i in range(len(SECRET) - 5)}
    return [p.encode() for p in parts] + [p.encode("utf-16-le") for p in parts]


def assert_absent(files: list[Path], when: str) -> None:
    for path in files:
        content = path.read_bytes()
        found = [piece for piece in pieces() if piece in content]
        assert not found, f"{when}: password bytes in {path}"
