"""``Platform`` on a Wayland session: windows from sway's IPC, else the accessibility tree.

Wayland tells no client where the pointer is or which window is where; only the
compositor knows. Sway says it over its IPC socket (``SwayPlatform``). GNOME and KDE do
not: there the title of the window being worked in comes from the accessibility layer,
the active frame of the applications on the AT-SPI bus (``AccessibilityWindows``); where
a window is on the screen stays unknown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from baton.capture.platform.accessibility.atspi_bus import (
    ACCESSIBLE,
    COMPONENT,
    AtspiBus,
    AtspiError,
    Node,
)
from baton.capture.platform.base import Platform, PointerSample, WindowInfo
from baton.capture.platform.null import NullPlatform
from baton.capture.platform.screens import Region
from baton.capture.platform.wayland.sway_ipc import (
    Output,
    SwayError,
    SwayIpc,
    by_focus,
    views,
    window_of,
)

log = logging.getLogger("baton.capture")

REGISTRY_ROOT = Node("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
ACTIVE = 1  # AtspiStateType
SCREEN = 0  # AtspiCoordType
ATSPI_TIMEOUT = 1.0


class SwayPlatform:
    """Windows, focus and scales from sway (see ``sway_ipc``); no pointer.

    Args:
        ipc: a connection to sway's socket (closed by ``close``).
    """

    def __init__(self, ipc: SwayIpc) -> None:
        self._ipc = ipc

    def pointer(self) -> PointerSample | None:
        return None  # Wayland does not tell clients where the pointer is

    def scale_of(self, region: Region) -> float:
        best, overlap = 1.0, 0
        for output in self._outputs():
            area = output.rect
            width = min(area.right, region.right) - max(area.left, region.left)
            height = min(area.bottom, region.bottom) - max(area.top, region.top)
            if width > 0 and height > 0 and width * height > overlap:
                best, overlap = output.scale, width * height
        return best

    def windows(self) -> list[WindowInfo]:
        try:
            tree = self._ipc.tree()
            outputs = self._ipc.outputs()
        except SwayError as error:
            log.debug("sway: no windows: %s", error)
            return []
        return [window_of(node, outputs) for node in views(tree) if node.get("visible", True)]

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        for window in reversed(self.windows()):  # floating windows are on top
            area = window.region
            if area.left <= x < area.right and area.top <= y < area.bottom:
                return window
        return None

    def focused_window(self) -> WindowInfo | None:
        try:
            tree = self._ipc.tree()
            outputs = self._ipc.outputs()
        except SwayError as error:
            log.debug("sway: focus unknown: %s", error)
            return None
        for node in views(tree):
            if node.get("focused"):
                return window_of(node, outputs)
        return None

    def recently_focused(self) -> list[WindowInfo]:
        """The windows, the focused one first, then by when they last had the focus (for
        a step taken while Baton's own bar had it: clicking it on Wayland focuses it)."""
        try:
            tree = self._ipc.tree()
            outputs = self._ipc.outputs()
        except SwayError as error:
            log.debug("sway: focus unknown: %s", error)
            return []
        return [window_of(node, outputs) for node in by_focus(tree)]

    def windows_of(self, pid: int) -> list[Region]:
        """Where the shown windows of process ``pid`` are (Baton's own)."""
        return [window.region for window in self.windows() if window.pid == pid]

    def close(self) -> None:
        self._ipc.close()

    def _outputs(self) -> list[Output]:
        try:
            return self._ipc.outputs()
        except SwayError:
            return []


class AccessibilityWindows(NullPlatform):
    """The focused window's title from AT-SPI: the frame whose state is "active".

    Args:
        open_bus: connects to the accessibility bus (raises ``AtspiError`` when there is
            none); called on first use, again after a failure.
        timeout: seconds one question may take.
    """

    def __init__(self, open_bus: Callable[[], AtspiBus], timeout: float = ATSPI_TIMEOUT) -> None:
        self._open_bus = open_bus
        self._timeout = timeout
        self._bus: AtspiBus | None = None
        self._lock = threading.Lock()

    def focused_window(self) -> WindowInfo | None:
        with self._lock:
            try:
                if self._bus is None:
                    self._bus = self._open_bus()
                return self._active_frame(self._bus, time.monotonic() + self._timeout)
            except AtspiError as error:
                log.debug("accessibility: focused window unknown: %s", error)
                return None

    def _active_frame(self, bus: AtspiBus, deadline: float) -> WindowInfo | None:
        apps = bus.call(REGISTRY_ROOT, ACCESSIBLE, "GetChildren", deadline=deadline)[0]
        for app_bus, app_path in apps:
            app = Node(str(app_bus), str(app_path))
            try:
                frames = bus.call(app, ACCESSIBLE, "GetChildren", deadline=deadline)[0]
            except AtspiError:
                continue  # an application that went away meanwhile
            for frame_bus, frame_path in frames:
                frame = Node(str(frame_bus), str(frame_path))
                low, _high = bus.call(frame, ACCESSIBLE, "GetState", deadline=deadline)[0]
                if not int(low) & (1 << ACTIVE):
                    continue
                name = " ".join(str(bus.get(frame, ACCESSIBLE, "Name", deadline=deadline))
                                .split())
                left, top, width, height = bus.call(frame, COMPONENT, "GetExtents", "u",
                                                    SCREEN, deadline=deadline)[0]
                return WindowInfo(
                    window_id=hash((frame.bus, frame.path)) & 0x7FFFFFFF,
                    title=name,
                    region=Region(int(left), int(top), int(width), int(height)),
                    pid=bus.pid_of(app.bus, deadline=deadline),
                )
        return None

    def close(self) -> None:
        with self._lock:
            if self._bus is not None:
                self._bus.close()
                self._bus = None


def open_wayland_platform(display: str | None = None) -> Platform:
    """Sway's windows when ``SWAYSOCK`` leads to sway, else the accessibility tree's."""
    try:
        return SwayPlatform(SwayIpc())
    except SwayError as error:
        log.info("wayland: %s; window titles come from the accessibility tree", error)
    return AccessibilityWindows(lambda: AtspiBus(display, ATSPI_TIMEOUT))
