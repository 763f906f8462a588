"""Reading the screen through MIT-SHM with XDamage, on a real Xvfb."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from baton.capture.platform.screens import Region, open_mss
from baton.capture.recording.sources import DisplayLost, ScreenSource, screen_source
from baton.capture.recording.xshm import XShmSource
from helpers.xvfb import start_xvfb

pytestmark = pytest.mark.display


@contextlib.contextmanager
def painter(display_name: str) -> Iterator[Any]:
    """A full-screen override-redirect window to draw on, and a ``fill`` to draw with."""
    from Xlib import X, display

    connection: Any = display.Display(display_name)
    screen = connection.screen()
    window = screen.root.create_window(
        0, 0, screen.width_in_pixels, screen.height_in_pixels, 0, screen.root_depth,
        X.InputOutput, X.CopyFromParent, background_pixel=0x202020, override_redirect=True)
    window.map()
    connection.sync()

    def fill(x: int, y: int, width: int, height: int, rgb: int) -> None:
        window.fill_rectangle(window.create_gc(foreground=rgb), x, y, width, height)
        connection.sync()

    try:
        yield fill
    finally:
        window.destroy()
        connection.close()


def settled(source: XShmSource) -> None:
    """Grab until a grab finds nothing new (the window's own drawing is in)."""
    for _ in range(50):
        if not source.grab_changes()[1]:
            return
    raise AssertionError("the screen never settled")


def covered(bands: list[tuple[int, int]], start: int, stop: int) -> bool:
    return any(first <= start and stop <= last for first, last in bands)


def test_grabs_equal_mss_pixels(xdisplay: Any) -> None:
    region = Region(100, 50, 640, 480)
    with painter(xdisplay.name) as fill:
        fill(120, 60, 300, 200, 0xC81E1E)
        fill(400, 300, 100, 100, 0x1E1EC8)
        source, mss = XShmSource(region, xdisplay.name), open_mss(xdisplay.name)
        try:
            ours = source.grab().copy()
            theirs = np.frombuffer(mss.grab(region.as_mss()).raw, np.uint8).reshape(480, 640, 4)
        finally:
            source.close()
            mss.close()
    np.testing.assert_array_equal(ours, theirs)
    assert tuple(ours[20, 30, :3]) == (0x1E, 0x1E, 0xC8)  # BGRA: the red rectangle


def test_damage_says_which_rows_changed_and_nothing_is_read_when_none_did(
    xdisplay: Any,
) -> None:
    region = Region(0, 0, 800, 600)
    with painter(xdisplay.name) as fill:
        source = XShmSource(region, xdisplay.name)
        try:
            frame, bands = source.grab_changes()
            assert bands == [(0, 600)]  # the first grab reads everything
            settled(source)
            assert source.grab_changes()[1] == []

            fill(10, 300, 50, 20, 0x00FF00)
            frame, bands = source.grab_changes()
            assert covered(bands, 300, 320)
            assert not covered(bands, 0, 10)
            assert not covered(bands, 500, 600)
            assert tuple(frame[310, 20, :3]) == (0, 0xFF, 0)
            assert source.grab_changes()[1] == []

            # Outside the area (to its right): no change reported.
            fill(900, 100, 50, 50, 0xFFFFFF)
            assert source.grab_changes()[1] == []

            # Two drawings far apart: both bands, and what lies between stays unread.
            fill(0, 40, 800, 4, 0xFF0000)
            fill(0, 550, 800, 6, 0x0000FF)
            frame, bands = source.grab_changes()
            assert covered(bands, 40, 44)
            assert covered(bands, 550, 556)
            assert not covered(bands, 200, 400)
            assert tuple(frame[42, 5, :3]) == (0, 0, 0xFF)
            assert tuple(frame[552, 5, :3]) == (0xFF, 0, 0)
        finally:
            source.close()


def test_a_display_without_mit_shm_is_read_with_mss() -> None:
    server, display = start_xvfb(320, 240, extra=("-extension", "MIT-SHM"))
    try:
        source = screen_source(Region(0, 0, 320, 240), display.name)
        try:
            assert isinstance(source, ScreenSource)
            assert source.grab().shape == (240, 320, 4)
        finally:
            source.close()
    finally:
        server.terminate()
        server.wait(10)


def test_the_screen_source_of_a_local_display_is_the_shared_memory_one(xdisplay: Any) -> None:
    source = screen_source(Region(0, 0, 320, 240), xdisplay.name)
    try:
        assert isinstance(source, XShmSource)
    finally:
        source.close()


def grab_until_lost(source: XShmSource) -> None:
    for _ in range(20):  # the next grab, or the first poll that sees the socket close
        source.grab()


def test_a_display_that_goes_away_is_display_lost() -> None:
    server, display = start_xvfb(320, 240)
    source = XShmSource(Region(0, 0, 320, 240), display.name)
    try:
        source.grab_changes()
        server.kill()
        server.wait(10)
        with pytest.raises(DisplayLost, match="went away"):
            grab_until_lost(source)
    finally:
        source.close()
        if server.poll() is None:
            server.kill()
