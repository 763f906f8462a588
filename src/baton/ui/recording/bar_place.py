"""Where the recording bar goes: beside the recorded area if there is room, never at 0,0.

The bar goes just below or above the recorded area, else at the top or bottom of a screen
outside it; only when the recording covers every place does it sit inside (the recorder
then keeps it out of the video, see ``Recorder.hide_window``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget

from baton.capture.platform.screens import Region
from baton.ui.recording.qt_screens import screen_areas
from baton.ui.recording.screen_map import ScreenArea

MARGIN = 12
"""Logical pixels between the bar and the area's or screen's edge."""


def _overlaps(first: Region, second: Region) -> bool:
    return (first.left < second.right and second.left < first.right
            and first.top < second.bottom and second.top < first.bottom)


def choose_place(
    recorded: Region, areas: list[ScreenArea], bar_size: tuple[int, int]
) -> tuple[int, Region]:
    """The screen (index into ``areas``) and physical area for a bar of logical ``bar_size``."""
    centre = (recorded.left + recorded.width // 2, recorded.top + recorded.height // 2)
    home = next((index for index, area in enumerate(areas)
                 if area.physical.left <= centre[0] < area.physical.right
                 and area.physical.top <= centre[1] < area.physical.bottom), 0)
    order = [home] + [index for index in range(len(areas)) if index != home]
    fallback: tuple[int, Region] | None = None
    for index in order:
        screen = areas[index].physical
        width = round(bar_size[0] * areas[index].scale_x)
        height = round(bar_size[1] * areas[index].scale_y)
        margin = round(MARGIN * areas[index].scale_y)
        middle = screen.left + (screen.width - width) // 2
        near = min(max(centre[0] - width // 2, screen.left + margin),
                   screen.right - margin - width)
        spots = [(middle, screen.top + margin), (middle, screen.bottom - margin - height)]
        if index == home:
            spots = [(near, recorded.bottom + margin),
                     (near, recorded.top - margin - height), *spots]
        for left, top in spots:
            place = Region(left, top, width, height)
            if not (screen.left <= place.left and place.right <= screen.right
                    and screen.top <= place.top and place.bottom <= screen.bottom):
                continue
            if not _overlaps(place, recorded):
                return index, place
            if fallback is None:
                fallback = (index, place)
    assert fallback is not None  # the home screen's top always fits a bar
    return fallback


def place_bar(bar: QWidget, recorded: Region, monitors: list[tuple[str, Region]]) -> Region:
    """Move ``bar`` to its place (see the module) and return its physical area."""
    pairs = screen_areas(monitors)
    bar.adjustSize()
    size = bar.sizeHint().expandedTo(bar.size())
    index, place = choose_place(recorded, [area for _s, area in pairs],
                                (size.width(), size.height()))
    screen, area = pairs[index]
    logical_x = area.logical.left + (place.left - area.physical.left) / area.scale_x
    logical_y = area.logical.top + (place.top - area.physical.top) / area.scale_y
    bar.setScreen(screen)
    bar.move(QPoint(round(logical_x), round(logical_y)))
    return Region(place.left - 2, place.top - 2, place.width + 4, place.height + 4)
