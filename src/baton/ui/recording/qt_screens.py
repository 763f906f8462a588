"""Qt's screens paired with the monitors' physical areas (see ``screen_map``)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QScreen

from baton.capture.platform.screens import Region
from baton.ui.recording.screen_map import ScreenArea, match_physical


def screen_areas(monitors: list[tuple[str, Region]]) -> list[tuple[QScreen, ScreenArea]]:
    """Every Qt screen with where Qt puts it and where its pixels are.

    Args:
        monitors: ``(name, physical area)`` of each monitor (``Monitor.name``, ``.region``).
    """
    found = []
    for screen in QGuiApplication.screens():
        geometry = screen.geometry()
        logical = Region(geometry.x(), geometry.y(), geometry.width(), geometry.height())
        physical = match_physical(logical, screen.devicePixelRatio(), screen.name(), monitors)
        found.append((screen, ScreenArea(logical, physical)))
    return found
