"""Window titles, focus and places on a real headless sway, through its IPC socket."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from baton.capture.platform.wayland.sway_ipc import SwayIpc, WindowEvents
from baton.capture.platform.wayland.windows import SwayPlatform, open_wayland_platform

pytestmark = [pytest.mark.slow]

NOBODY = 65534
INVOICES, BANK = "Invoices — Test", "Bank — Test"


class ThrowawaySway:
    """Headless sway run as nobody (it refuses root) until the shared fixture lands."""

    def __init__(self) -> None:
        if shutil.which("sway") is None or shutil.which("foot") is None:
            pytest.fail("these tests need Debian's sway and foot")
        self.runtime = Path(tempfile.mkdtemp(prefix="baton-wlsteps-"))
        os.chown(self.runtime, NOBODY, NOBODY)
        config = self.runtime / "config"
        config.write_text("output HEADLESS-1 resolution 800x600 bg #2060a0 solid_color\n"
                          "default_border none\n")
        self.env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(self.runtime),
                    "HOME": str(self.runtime), "WLR_BACKENDS": "headless",
                    "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"}
        self.processes: list[subprocess.Popen[bytes]] = []
        self._run(["sway", "-c", str(config)])
        deadline = time.monotonic() + 20
        while not list(self.runtime.glob("sway-ipc.*.sock")):
            if time.monotonic() > deadline:
                self.close()
                pytest.fail("sway did not start")
            time.sleep(0.1)
        self.socket = str(next(self.runtime.glob("sway-ipc.*.sock")))
        self.env["WAYLAND_DISPLAY"] = "wayland-1"

    def _run(self, command: list[str]) -> None:
        self.processes.append(subprocess.Popen(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))

    def terminal(self, title: str, app_id: str) -> None:
        self._run(["foot", "--title", title, "--app-id", app_id, "sleep", "600"])

    def close(self) -> None:
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(10)
        shutil.rmtree(self.runtime, ignore_errors=True)


@pytest.fixture
def sway() -> Iterator[ThrowawaySway]:
    desktop = ThrowawaySway()
    yield desktop
    desktop.close()


def wait_for(check: Callable[[], object], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_titles_focus_and_places_come_from_sway(sway: ThrowawaySway) -> None:
    platform = SwayPlatform(SwayIpc(sway.socket))
    ipc = SwayIpc(sway.socket)
    try:
        sway.terminal(INVOICES, "test.invoices")
        wait_for(lambda: [w.title for w in platform.windows()] == [INVOICES], "one window")
        sway.terminal(BANK, "test.bank")
        wait_for(lambda: len(platform.windows()) == 2, "two windows")
        windows = {window.title: window for window in platform.windows()}
        assert set(windows) == {INVOICES, BANK}
        invoices, bank = windows[INVOICES], windows[BANK]
        assert invoices.app == "test.invoices"
        assert invoices.pid is not None
        assert invoices.pid != bank.pid
        # sway tiles the two side by side: the left half is the first window
        assert invoices.region.left == 0
        assert bank.region.left == invoices.region.right
        assert invoices.region.width + bank.region.width == 800
        assert invoices.region.height == bank.region.height == 600
        at_left = platform.window_at(10, 300)
        at_right = platform.window_at(790, 300)
        assert at_left is not None
        assert at_right is not None
        assert (at_left.title, at_right.title) == (INVOICES, BANK)
        assert platform.window_at(900, 300) is None

        focused = platform.focused_window()
        assert focused is not None
        assert focused.title == BANK  # the newest window has the focus
        ipc.command('[app_id="test.invoices"] focus')
        wait_for(lambda: (platform.focused_window() or bank).title == INVOICES, "focus moved")
        ipc.command('[app_id="test.bank"] focus')
        wait_for(lambda: (platform.focused_window() or invoices).title == BANK, "focus back")

        assert platform.scale_of(invoices.region) == 1.0
        ipc.command("output HEADLESS-1 scale 2")
        wait_for(lambda: platform.scale_of(invoices.region) == 2.0, "scale 2")
        # sway lays out 400x300 logical pixels; the windows are told in physical pixels
        wait_for(lambda: sum(w.region.width for w in platform.windows()) == 800, "rescaled")
        assert platform.windows_of(invoices.pid) == [
            w.region for w in platform.windows() if w.title == INVOICES]
    finally:
        ipc.close()
        platform.close()


def test_focus_changes_arrive_as_events(sway: ThrowawaySway) -> None:
    ipc = SwayIpc(sway.socket)
    sway.terminal(INVOICES, "test.invoices")
    sway.terminal(BANK, "test.bank")
    platform = SwayPlatform(SwayIpc(sway.socket))
    wait_for(lambda: len(platform.windows()) == 2, "two windows")
    platform.close()
    events = WindowEvents(sway.socket)
    seen: list[tuple[str, str]] = []

    def listen() -> None:
        for change, container in events:
            seen.append((change, str(container.get("name"))))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        ipc.command('[app_id="test.invoices"] focus')
        wait_for(lambda: ("focus", INVOICES) in seen, "a focus event")
    finally:
        events.close()
        listener.join(5)
        ipc.close()
    assert not listener.is_alive()


def test_the_platform_is_sway_where_swaysock_leads_to_sway(
    sway: ThrowawaySway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWAYSOCK", sway.socket)
    platform = open_wayland_platform()
    try:
        assert isinstance(platform, SwayPlatform)
        assert platform.pointer() is None  # Wayland does not tell where the pointer is
    finally:
        platform.close()
