"""Logical to physical pixels through the screen a position belongs to (no display needed)."""

from __future__ import annotations

from baton.capture.platform.screens import Region
from baton.ui.recording.screen_map import ScreenArea, match_physical, selection

# A 1920x1080 monitor at 100% and, to its right, a 2880x1800 laptop at 200%: Qt keeps the
# laptop's origin physical (1920, 0) and halves only its size.
LEFT = ScreenArea(Region(0, 0, 1920, 1080), Region(0, 0, 1920, 1080))
RIGHT = ScreenArea(Region(1920, 0, 1440, 900), Region(1920, 0, 2880, 1800))
DESKTOP = Region(0, 0, 4800, 1800)


def test_positions_map_through_their_own_screen() -> None:
    assert RIGHT.point_to_physical(290.5, 150.5) == (2501, 301)  # odd pixels at 2x
    assert RIGHT.point_to_physical(0, 0) == (1920, 0)  # not 3840: the origin is physical
    # Dragged from the laptop onto the monitor: still the laptop window's coordinates.
    assert RIGHT.point_to_physical(-200, 10) == (1520, 20)
    fractional = ScreenArea(Region(0, 1080, 1280, 800), Region(0, 1080, 1920, 1200))
    assert fractional.point_to_physical(200.6666666, 67.3333333) == (301, 1181)


def test_the_selection_ends_before_the_release_pixel_and_stays_on_the_desktop() -> None:
    assert selection((2501, 301), (3101, 1001), DESKTOP) == Region(2501, 301, 600, 700)
    assert selection((3101, 1001), (2501, 301), DESKTOP) == Region(2501, 301, 600, 700)
    assert selection((4700, 1700), (5000, 2000), DESKTOP) == Region(4700, 1700, 100, 100)


def test_each_screen_paints_its_part_of_an_area_spanning_two() -> None:
    area = Region(1800, 100, 400, 200)
    assert LEFT.local_rect(area) == (1800, 100, 120, 200)
    assert RIGHT.local_rect(area) == (0, 100, 280, 200)
    assert RIGHT.local_rect(Region(0, 0, 100, 100)) is None


def test_qt_screens_are_matched_to_monitors_by_name_then_origin() -> None:
    monitors = [("eDP-1", Region(1920, 0, 2880, 1800)), ("DP-1", Region(0, 0, 1920, 1080))]
    assert match_physical(Region(1920, 0, 1440, 900), 2.0, "eDP-1", monitors) == monitors[0][1]
    assert match_physical(Region(0, 0, 1920, 1080), 1.0, "?", monitors) == monitors[1][1]
    # Nothing matches (another platform's names, an offscreen screen): size times scale.
    assert match_physical(Region(0, 0, 800, 800), 1.5, "x", monitors) == Region(0, 0, 1200, 1200)
