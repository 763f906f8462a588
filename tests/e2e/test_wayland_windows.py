"""Window titles, focus and places on a real headless sway, through its IPC socket."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from baton.capture.platform.wayland.sway_ipc import SwayIpc, WindowEvents
from baton.capture.platform.wayland.windows import SwayPlatform, open_wayland_platform
from helpers.sway import WaylandDesktop

pytestmark = [pytest.mark.slow]

INVOICES, BANK = "Invoices — Test", "Bank — Test"


class Terminals:
    """foot windows on the shared sway desktop, placed where the test says; closed after."""

    def __init__(self, desktop: WaylandDesktop) -> None:
        self.desktop = desktop
        self.processes: list[subprocess.Popen[bytes]] = []

    def open(self, title: str, app_id: str, x: int, y: int, width: int, height: int) -> None:
        self.processes.append(self.desktop.start_client(
            ["foot", "--title", title, "--app-id", app_id, "sleep", "600"], app_id))
        self.desktop.swaymsg(f'[app_id="{app_id}"]', "resize", "set", str(width), str(height))
        self.desktop.swaymsg(f'[app_id="{app_id}"]', "move", "absolute", "position", str(x),
                             str(y))

    def close(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def terminals(sway_desktop: WaylandDesktop) -> Iterator[Terminals]:
    opened = Terminals(sway_desktop)
    yield opened
    opened.close()
    deadline = time.monotonic() + 20
    while sway_desktop.windows() and time.monotonic() < deadline:  # the next test starts bare
        time.sleep(0.05)


def wait_for(check: Callable[[], object], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_titles_focus_and_places_come_from_sway(
    sway_desktop: WaylandDesktop, terminals: Terminals
) -> None:
    platform = SwayPlatform(SwayIpc(sway_desktop.swaysock))
    ipc = SwayIpc(sway_desktop.swaysock)
    try:
        terminals.open(INVOICES, "test.invoices", 0, 0, 600, 400)
        wait_for(lambda: [w.title for w in platform.windows()] == [INVOICES], "one window")
        terminals.open(BANK, "test.bank", 640, 100, 500, 300)
        wait_for(lambda: {w.region.left for w in platform.windows()} == {0, 640}, "two windows")
        windows = {window.title: window for window in platform.windows()}
        assert set(windows) == {INVOICES, BANK}
        invoices, bank = windows[INVOICES], windows[BANK]
        assert invoices.app == "test.invoices"
        assert invoices.pid is not None
        assert invoices.pid != bank.pid
        assert (invoices.region.left, invoices.region.top) == (0, 0)
        assert (invoices.region.width, invoices.region.height) == (600, 400)
        assert (bank.region.left, bank.region.top) == (640, 100)
        at_left, at_right = platform.window_at(10, 300), platform.window_at(1100, 390)
        assert at_left is not None
        assert at_right is not None
        assert (at_left.title, at_right.title) == (INVOICES, BANK)
        assert platform.window_at(620, 300) is None  # between them: the desktop
        assert platform.window_at(1100, 420) is None

        focused = platform.focused_window()
        assert focused is not None
        assert focused.title == BANK  # the newest window has the focus
        ipc.command('[app_id="test.invoices"] focus')
        wait_for(lambda: (platform.focused_window() or bank).title == INVOICES, "focus moved")
        sway_desktop.swaymsg('[app_id="test.bank"]', "focus")
        wait_for(lambda: (platform.focused_window() or invoices).title == BANK, "focus back")
        assert [w.title for w in platform.recently_focused()] == [BANK, INVOICES]
        ipc.command('[app_id="test.invoices"] focus')
        wait_for(lambda: [w.title for w in platform.recently_focused()] == [INVOICES, BANK],
                 "the focus order")

        assert platform.scale_of(invoices.region) == 1.0
        assert platform.windows_of(invoices.pid) == [invoices.region]
        ipc.command("output HEADLESS-1 scale 2")
        try:
            wait_for(lambda: platform.scale_of(invoices.region) == 2.0, "scale 2")
            # sway lays out in logical pixels; windows are told in the screen's pixels
            [logical] = [w["rect"] for w in sway_desktop.windows() if w["name"] == INVOICES]
            [scaled] = [w.region for w in platform.windows() if w.title == INVOICES]
            assert (scaled.width, scaled.height) == (logical["width"] * 2, logical["height"] * 2)
        finally:
            ipc.command("output HEADLESS-1 scale 1")
    finally:
        ipc.close()
        platform.close()


def test_focus_changes_arrive_as_events(
    sway_desktop: WaylandDesktop, terminals: Terminals
) -> None:
    terminals.open(INVOICES, "test.invoices", 0, 0, 400, 300)
    terminals.open(BANK, "test.bank", 500, 0, 400, 300)
    events = WindowEvents(sway_desktop.swaysock)
    seen: list[tuple[str, str]] = []

    def listen() -> None:
        for change, container in events:
            seen.append((change, str(container.get("name"))))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        sway_desktop.swaymsg('[app_id="test.invoices"]', "focus")
        wait_for(lambda: ("focus", INVOICES) in seen, "a focus event")
    finally:
        events.close()
        listener.join(5)
    assert not listener.is_alive()


def test_the_platform_is_sway_where_swaysock_leads_to_sway(
    sway_desktop: WaylandDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWAYSOCK", sway_desktop.swaysock)
    platform = open_wayland_platform()
    try:
        assert isinstance(platform, SwayPlatform)
        assert platform.pointer() is None  # Wayland does not tell where the pointer is
    finally:
        platform.close()
    monkeypatch.delenv("SWAYSOCK")
    assert not isinstance(open_wayland_platform(), SwayPlatform)
