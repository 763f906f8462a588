"""Off sway (GNOME, KDE on Wayland) the focused window's title comes from the accessibility
tree: the frame whose state is "active". Checked with real GTK 3 windows on Xvfb and a real
accessibility bus (the tree is the same whatever the display server)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from baton.capture.platform.accessibility.atspi_bus import AtspiBus
from baton.capture.platform.wayland.windows import AccessibilityWindows
from helpers.desktop_apps import App, SessionBus, start_gtk
from helpers.xvfb import XDisplay

pytestmark = [pytest.mark.display, pytest.mark.slow]

ORDERS, PAYROLL = "Orders — GTK", "Payroll — GTK"


@pytest.fixture
def two_gtk_windows(xdisplay: XDisplay) -> Iterator[dict[str, App]]:
    bus = SessionBus()
    apps: dict[str, App] = {}
    try:
        apps[ORDERS] = start_gtk(xdisplay, ORDERS, 0, 0)
        apps[PAYROLL] = start_gtk(xdisplay, PAYROLL, 700, 0)
        for app in apps.values():
            app.wait_targets()
        yield apps
    finally:
        for app in apps.values():
            app.close()
        bus.close()


def test_the_active_frame_names_the_focused_window(
    xdisplay: XDisplay, two_gtk_windows: dict[str, App]
) -> None:
    windows = AccessibilityWindows(lambda: AtspiBus(None, 5.0))
    try:
        for title in (ORDERS, PAYROLL, ORDERS):
            app = two_gtk_windows[title]
            subprocess.run(["xdotool", "windowfocus", "--sync", app.window_id],
                           env=xdisplay.env(), check=True, timeout=10)
            deadline = time.monotonic() + 20
            while (focused := windows.focused_window()) is None or focused.title != title:
                assert time.monotonic() < deadline, f"{title!r} never became the active frame"
                time.sleep(0.1)
            assert focused.pid == app.process.pid
            assert focused.region.width > 0
        assert windows.window_at(10, 10) is None  # where windows are stays unknown
        assert windows.pointer() is None
    finally:
        windows.close()
