"""Recording the real screen of an Xvfb server: content, pointer, click rings, events."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.platform.input import PynputHook, events_path
from baton.capture.platform.screens import Region
from baton.capture.platform.x11 import X11Platform
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.sources import ScreenSource
from baton.capture.recording.video_settings import VideoSettings
from baton.capture.recording.xshm import XShmSource

pytestmark = pytest.mark.display

RED = (200, 30, 30)
BLUE = (30, 30, 200)
POINTER = (500, 100)
LEFT_CLICK = (200, 240)
RIGHT_CLICK = (450, 350)


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def near(pixel: np.ndarray[Any, Any], rgb: tuple[int, int, int], tolerance: int = 40) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(rgb)) < tolerance))


def ring_pixels(frame: np.ndarray[Any, Any], center: tuple[int, int], match: Any) -> int:
    """How many pixels within 40 px of ``center`` (but not on it) satisfy ``match``."""
    x, y = center
    patch = frame[y - 40:y + 41, x - 40:x + 41].astype(int)
    red, green, blue = patch[:, :, 0], patch[:, :, 1], patch[:, :, 2]
    return int(np.count_nonzero(match(red, green, blue)))


def amber(red: Any, green: Any, blue: Any) -> Any:
    return (red > 180) & (green > 110) & (green < 220) & (blue < 90)


def light_blue(red: Any, green: Any, blue: Any) -> Any:
    return (blue > 180) & (red < 90) & (green > 60) & (green < 160)


@pytest.mark.parametrize("source_type", [XShmSource, ScreenSource])
def test_records_screen_pointer_and_clicks(
    xdisplay: Any, color_window: Any, tmp_path: Path, probe_video: Any, run_xdotool: Any,
    source_type: Any,
) -> None:
    run_xdotool("mousemove", str(POINTER[0]), str(POINTER[1]))
    region = Region(0, 0, 640, 480)
    out = tmp_path / "screen.mp4"
    recorder = Recorder(
        source_type(region), out, VideoSettings(640, 480, 15, "ultrafast", 23),
        platform=X11Platform(), input_hook=PynputHook(),
    )
    recorder.start()
    started = time.monotonic()
    wait_until(lambda: recorder.stats.frames_captured >= 10)
    color_window.set_color(BLUE)
    changed_at = recorder.elapsed()
    run_xdotool("mousemove", str(LEFT_CLICK[0]), str(LEFT_CLICK[1]), "click", "1")
    wait_until(lambda: len(recorder.events.events) >= 1)
    run_xdotool("mousemove", str(RIGHT_CLICK[0]), str(RIGHT_CLICK[1]), "click", "3")
    wait_until(lambda: len(recorder.events.events) >= 2)
    clicked_at = recorder.elapsed()
    wait_until(lambda: recorder.elapsed() > clicked_at + 0.6)
    stats = recorder.stop()
    wall = time.monotonic() - started

    video = probe_video(out)
    assert (video.codec, video.width, video.height) == ("h264", 640, 480)
    assert len(video.frames) == stats.frames_captured
    assert stats.frames_dropped == 0
    assert abs(video.duration - stats.duration) <= 1 / 15 + 1e-3
    assert stats.duration == pytest.approx(wall, abs=0.3)

    first, last = video.frames[0], video.frames[-1]
    assert near(first[20, 20], RED)
    assert near(last[20, 20], BLUE)
    switch = next(t for t, frame in zip(video.times, video.frames, strict=True)
                  if near(frame[20, 20], BLUE))
    assert switch == pytest.approx(changed_at, abs=0.2)

    # The pointer (Xvfb's default X-shaped cursor, black and white) is drawn at its position.
    x, y = POINTER
    patch = first[y - 8:y + 9, x - 8:x + 9].astype(int)
    assert np.count_nonzero(patch.sum(axis=2) < 150) > 10  # black pixels on a red window
    assert np.count_nonzero(patch.min(axis=2) > 200) > 5  # white outline

    events = json.loads(events_path(out).read_text(encoding="utf-8"))["events"]
    left, right = events[0], events[1]
    assert (left["kind"], left["button"], left["x"], left["y"]) == ("click", "left", *LEFT_CLICK)
    assert (right["button"], right["x"], right["y"]) == ("right", *RIGHT_CLICK)

    def frames_after(t: float) -> list[np.ndarray[Any, Any]]:
        return [f for when, f in zip(video.times, video.frames, strict=True)
                if t + 0.05 <= when <= t + 0.45]

    assert max(ring_pixels(f, LEFT_CLICK, amber) for f in frames_after(left["t"])) > 30
    assert max(ring_pixels(f, RIGHT_CLICK, light_blue) for f in frames_after(right["t"])) > 30
    # Left and right rings differ: no amber ring where the right click was.
    assert max(ring_pixels(f, RIGHT_CLICK, amber) for f in frames_after(right["t"])) < 10


def test_the_cursor_image_is_fetched_only_when_its_shape_changes(xdisplay: Any) -> None:
    """Parsing the cursor image costs ~1.4 ms: other frames only ask where the pointer is."""
    from Xlib import display as xlib_display

    platform = X11Platform(xdisplay.name)
    fetches: list[int] = []
    real = platform._display.xfixes_get_cursor_image

    def counted(window: Any) -> Any:
        fetches.append(1)
        return real(window)

    platform._display.xfixes_get_cursor_image = counted
    other = xlib_display.Display(xdisplay.name)
    try:
        first = [platform.pointer() for _ in range(5)]
        assert len(fetches) == 1
        assert all(p is not None and p.image is first[0].image for p in first)  # type: ignore[union-attr]
        other.screen().root.warp_pointer(300, 200)
        other.sync()
        moved = platform.pointer()
        assert moved is not None
        assert (moved.x, moved.y) == (300, 200)
        assert len(fetches) == 1

        font = other.open_font("cursor")
        hand = font.create_glyph_cursor(font, 60, 61, (0, 0, 0), (65535, 65535, 65535))
        other.screen().root.change_attributes(cursor=hand)  # a new shape
        other.sync()
        deadline = time.monotonic() + 5
        changed = platform.pointer()
        while len(fetches) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
            changed = platform.pointer()
        assert len(fetches) == 2, "the shape change was not noticed"
        assert changed is not None
        assert changed.image is not None
        assert changed.image.serial != first[0].image.serial  # type: ignore[union-attr]
    finally:
        other.screen().root.change_attributes(cursor=0)
        other.close()
        platform.close()


def test_panels_and_docks_are_not_offered_as_windows_to_record(xdisplay: Any) -> None:
    from Xlib import X, Xatom
    from Xlib import display as xlib_display

    x = xlib_display.Display(xdisplay.name)
    root = x.screen().root

    def window(title: str, kind: str | None) -> Any:
        made = root.create_window(10, 10, 300, 200, 0, x.screen().root_depth, X.InputOutput,
                                  X.CopyFromParent)
        made.set_wm_name(title)
        if kind is not None:
            made.change_property(x.intern_atom("_NET_WM_WINDOW_TYPE"), Xatom.ATOM, 32,
                                 [x.intern_atom(f"_NET_WM_WINDOW_TYPE_{kind}")])
        made.map()
        return made

    made = [window("Invoices - Firefox", "NORMAL"), window("Top panel", "DOCK"),
            window("Desktop", "DESKTOP"), window("Plain old xterm", None)]
    client_list = x.intern_atom("_NET_CLIENT_LIST")
    # Xvfb has no window manager: list the windows as one would.
    root.change_property(client_list, Xatom.WINDOW, 32, [w.id for w in made])
    x.sync()
    platform = X11Platform(xdisplay.name)
    try:
        titles = [info.title for info in platform.windows()]
    finally:
        platform.close()
        root.delete_property(client_list)
        for w in made:
            w.destroy()
        x.sync()
        x.close()
    assert titles == ["Invoices - Firefox", "Plain old xterm"]
