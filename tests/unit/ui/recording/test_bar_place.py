"""Where the recording bar goes (physical pixels; no display needed)."""

from __future__ import annotations

from baton.capture.platform.screens import Region
from baton.ui.recording.bar_place import choose_place
from baton.ui.recording.screen_map import ScreenArea

LEFT = ScreenArea(Region(0, 0, 1920, 1080), Region(0, 0, 1920, 1080))
RIGHT = ScreenArea(Region(1920, 0, 1440, 900), Region(1920, 0, 2880, 1800))  # at 200%
BAR = (300, 40)


def test_beside_a_part_of_the_screen_just_below_it() -> None:
    assert choose_place(Region(200, 100, 640, 360), [LEFT], BAR) == (
        0, Region(370, 472, 300, 40))


def test_above_an_area_that_reaches_the_bottom() -> None:
    index, place = choose_place(Region(200, 500, 640, 580), [LEFT], BAR)
    assert place == Region(370, 448, 300, 40)


def test_on_another_screen_when_one_is_recorded_whole_in_its_scale() -> None:
    assert choose_place(LEFT.physical, [LEFT, RIGHT], BAR) == (
        1, Region(1920 + (2880 - 600) // 2, 24, 600, 80))
    assert choose_place(RIGHT.physical, [LEFT, RIGHT], BAR) == (
        0, Region(810, 12, 300, 40))


def test_inside_at_the_top_centre_when_everything_is_recorded() -> None:
    assert choose_place(LEFT.physical, [LEFT], BAR) == (0, Region(810, 12, 300, 40))
