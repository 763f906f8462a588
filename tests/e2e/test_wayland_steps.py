"""Step capture through the Wayland path on a real headless sway: the screen from the
ScreenCast portal's PipeWire stream, the window from sway's IPC, and (this machine has no
input devices) the steps from Take step."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from baton.capture.platform.wayland.evdev import NOT_ALLOWED, can_read_input
from baton.capture.steps.live import open_step_capture
from baton.capture.steps.sink import SavedStep
from baton.capture.steps.wayland import TAKE_STEP_ONLY
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.steps import Steps
from baton.errors import UserError
from helpers.capture_app import CaptureApp
from helpers.images import png_pixels
from helpers.sway import WaylandDesktop

pytestmark = [pytest.mark.slow]

INVOICES = "Invoices — Test"


@pytest.fixture
def on_sway(sway_desktop: WaylandDesktop, monkeypatch: pytest.MonkeyPatch) -> WaylandDesktop:
    """This process in the sway session, as Baton started from its desktop would be."""
    for name, value in sway_desktop.session_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    return sway_desktop


@pytest.fixture
def invoices(on_sway: WaylandDesktop) -> Iterator[subprocess.Popen[bytes]]:
    """A foot window titled INVOICES at 700,400 (400x250), with the focus."""
    client = on_sway.start_client(
        ["foot", "--title", INVOICES, "--app-id", "test.invoices", "sleep", "600"],
        "test.invoices")
    on_sway.swaymsg('[app_id="test.invoices"]', "resize", "set", "400", "250")
    on_sway.swaymsg('[app_id="test.invoices"]', "move", "absolute", "position", "700", "400")
    on_sway.swaymsg('[app_id="test.invoices"]', "focus")
    yield client
    with contextlib.suppress(ProcessLookupError):
        os.killpg(client.pid, signal.SIGKILL)
    client.wait(10)
    on_sway.assert_running()


def test_a_step_taken_on_sway_shows_the_desktop_and_names_the_focused_window(
    on_sway: WaylandDesktop, invoices: subprocess.Popen[bytes], database: Database,
    media: MediaStore
) -> None:
    assert not can_read_input()  # no /dev/input here: steps come from Take step alone
    process = Library(database.sessions).add_process(ProcessDraft("Invoices"))
    saved: list[SavedStep] = []
    problems: list[UserError] = []
    capture = open_step_capture(Steps(database.sessions).appender(process.id), media,
                                on_step=saved.append, on_error=problems.append,
                                take_step_only=True, accessibility=False, ocr=False)
    taken = threading.Event()
    try:
        capture.start()
        assert [str(p) for p in problems] == [TAKE_STEP_ONLY]
        # wlr's portal sends its first picture when the screen changes: the owner at work
        deadline = time.monotonic() + 30

        def pictured() -> bool:
            newest = capture.ring.newest()
            return newest is not None and bool(newest[:, :, :3].any())

        while not pictured():
            assert time.monotonic() < deadline, "the desktop sent no picture"
            on_sway.damage()
            time.sleep(0.2)
        assert capture.take_step(taken.set)
        assert taken.wait(60)
    finally:
        stats = capture.stop()
    assert stats.errors == []
    [step] = Steps(database.sessions).list(process.id)
    assert step.title == f'Step in "{INVOICES}"'
    assert step.window_title == INVOICES
    assert step.full_screenshot is not None
    full = png_pixels(media.read_bytes(step.full_screenshot))
    assert full.shape == (on_sway.height, on_sway.width, 3)
    red, green, blue = on_sway.background
    desktop = full[:300, :600].reshape(-1, 3).astype(int)  # swaybg, no window there
    assert (np.abs(desktop - (blue, green, red)) <= 2).all()
    window = full[420:630, 720:1080].reshape(-1, 3).astype(int)  # the terminal
    assert (np.abs(window - (blue, green, red)) > 2).any(axis=1).mean() > 0.9


def test_steps_capture_and_selftest_on_wayland_explain_the_input_group(
    on_sway: WaylandDesktop, tmp_path: Path
) -> None:
    """``baton steps capture`` picks the Wayland path by itself; with no input device to
    read (and no Take step on the command line) it says what the 'input' group grants.
    ``baton selftest`` says what step capture can do here."""
    data = tmp_path / "library"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def baton(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "baton", "--data-dir", str(data), *args],
                              env=env, capture_output=True, text=True, timeout=120,
                              check=False)

    assert baton("process", "add", "Invoices").returncode == 0
    report = json.loads(baton("selftest", "--json").stdout)
    [steps_check] = [c for c in report["checks"] if c["name"] == "step capture"]
    assert steps_check["ok"]
    assert steps_check["detail"].startswith("Take step only (your user is not in the 'input'")
    assert steps_check["detail"].endswith("window titles from sway")
    started = time.monotonic()
    result = baton("steps", "capture", "Invoices", "--seconds", "1")
    assert result.returncode != 0
    assert result.stderr.strip() == f"baton: {NOT_ALLOWED}"
    assert time.monotonic() - started < 60


def sway_rect(desktop: WaylandDesktop, title: str, timeout: float = 30) -> dict[str, int]:
    """Where sway shows the window titled ``title`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [w["rect"] for w in desktop.windows() if w.get("name") == title]
        if found:
            return dict(found[0])
        assert time.monotonic() < deadline, f"no window {title!r} on sway"
        time.sleep(0.1)


def test_take_step_in_the_app_on_sway_leaves_the_bar_out_and_names_the_owners_window(
    on_sway: WaylandDesktop, invoices: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    """Baton's window on sway (Qt's Wayland platform), Take step's shortcut typed into it
    with wtype (a virtual keyboard: sway has no input device here). The bar straddles the
    terminal's right edge, so its place in the screenshot shows both, not a painted box."""
    if shutil.which("wtype") is None:
        pytest.fail("this test needs Debian's wtype")
    sway = on_sway
    sway.swaymsg('[app_id="test.invoices"]', "resize", "set", "500", "300")
    sway.swaymsg('[app_id="test.invoices"]', "move", "absolute", "position", "100", "100")
    app = CaptureApp(sway.env(), "wayland", tmp_path / "library")
    try:
        app.expect("bar")
        bar_title, main_title = "Baton — capturing steps", "Baton main window"
        sway_rect(sway, main_title)
        sway.swaymsg(f'[title="{main_title}"]', "move", "absolute", "position", "700", "400")
        width = sway_rect(sway, bar_title)["width"]
        sway.swaymsg(f'[title="{bar_title}"]', "move", "absolute", "position",
                     str(600 - width // 2), "250")
        sway.swaymsg('[app_id="test.invoices"]', "focus")
        bar = sway_rect(sway, bar_title)
        assert (bar["x"], bar["y"]) == (600 - width // 2, 250)
        sway.swaymsg(f'[title="{main_title}"]', "focus")  # the owner switched to Baton
        for _attempt in range(5):  # a new virtual keyboard's first keys may be lost
            subprocess.run(["wtype", "-M", "ctrl", "-M", "alt", "p", "-m", "alt", "-m",
                            "ctrl"], env=sway.env(), check=True, timeout=30)
            if app.read_until("taking", timeout=5) is not None:
                break
        else:
            pytest.fail("Baton never saw Ctrl+Alt+P")
        step = app.expect("step")
        steps = app.finish()
    finally:
        app.close()
    assert app.problems == [TAKE_STEP_ONLY]  # told once, in the status bar
    assert step["step"] == f'Step in "{INVOICES}"'
    assert [(s["title"], s["window"]) for s in steps] == [(f'Step in "{INVOICES}"', INVOICES)]
    full = png_pixels(MediaStore(tmp_path / "library" / "media").read_bytes(steps[0]["full"]))
    red, green, blue = sway.background
    left, top, height = bar["x"], bar["y"], bar["height"]
    over_terminal = full[top:top + height, left:596].reshape(-1, 3).astype(int)
    over_desktop = full[top:top + height, 604:left + width].reshape(-1, 3).astype(int)
    assert (np.abs(over_desktop - (blue, green, red)) <= 2).all(), "the bar is in the picture"
    assert (np.abs(over_terminal - (blue, green, red)) > 2).any(axis=1).all(), (
        "the terminal under the bar is not in the picture")
