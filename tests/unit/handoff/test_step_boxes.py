"""Carrying a step screenshot's boxes over onto the recording: found where they really are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.video_settings import VideoSettings
from baton.capture.steps.render import crop_for, cut
from baton.core.media import MediaStore
from baton.errors import UserError
from baton.handoff.step_boxes import MARGIN, Placement, carried_over, place_screenshot

Image = np.ndarray[Any, Any]


def desktop(width: int, height: int, seed: int = 0) -> Image:
    """A busy desktop: windows of text in several colours (no two places look alike)."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), 235, np.uint8)
    for _ in range(width * height // 40_000):
        x, y = int(rng.integers(0, width - 300)), int(rng.integers(0, height - 200))
        colour = tuple(int(c) for c in rng.integers(40, 220, 3))
        cv2.rectangle(image, (x, y), (x + 300, y + 200), colour, -1)
        for line in range(5):
            words = " ".join(str(int(w)) for w in rng.integers(100, 99999, 3))
            cv2.putText(image, words, (x + 8, y + 30 + line * 34), cv2.FONT_HERSHEY_SIMPLEX,
                        0.8, (20, 20, 20), 2)
    return image


def test_a_picture_of_the_video_itself_is_placed_as_it_is() -> None:
    screen = desktop(640, 360)
    assert place_screenshot(screen, screen) == Placement(0.0, 0.0, 1.0)


def test_a_crop_around_the_click_is_found_in_a_recorded_region() -> None:
    screen = desktop(2400, 1300)
    crop = crop_for(2400, 1300, 1500, 700)
    assert crop.scale == 1.0
    assert crop.width < 2400
    shot = cut(screen, crop).copy()
    # A numbered marker as steps captured before markers were drawn on display have it.
    cv2.circle(shot, (1500 - crop.left, 700 - crop.top), 22, (0, 64, 255), -1)
    region = (300, 150, 1920, 1080)  # the recording shows one monitor of the desktop
    frame = screen[150:1230, 300:2220].copy()
    place = place_screenshot(shot, frame)
    assert place == Placement(crop.left - 300, crop.top - 150, 1.0)
    box = place.to_video((100, 50, 40, 20), (region[2], region[3]))
    assert box == (crop.left - 300 + 100 - MARGIN, crop.top - 150 + 50 - MARGIN,
                   40 + 2 * MARGIN, 20 + 2 * MARGIN)


def test_a_scaled_crop_from_a_wide_desktop_is_found_at_its_scale() -> None:
    screen = desktop(3840, 1080)  # two monitors side by side
    crop = crop_for(3840, 1080, 2880, 540)
    assert crop.scale == pytest.approx(2 / 3)
    shot = cut(screen, crop)
    frame = screen[:, 1920:].copy()  # the recording shows the right-hand monitor
    place = place_screenshot(shot, frame)
    assert place is not None
    assert place.scale == pytest.approx(2 / 3, rel=0.03)
    assert place.left == pytest.approx(crop.left - 1920, abs=3)
    assert place.top == pytest.approx(crop.top, abs=3)


def test_a_screenshot_from_elsewhere_is_not_placed() -> None:
    assert place_screenshot(desktop(800, 450, seed=1)[100:300, 100:400],
                            desktop(1280, 720, seed=2)) is None
    plain = np.full((720, 1280, 3), 200, np.uint8)
    assert place_screenshot(plain[:200, :300], plain) is None  # anywhere, so nowhere


def test_boxes_carry_over_from_a_stored_step_onto_the_stored_recording(tmp_path: Path) -> None:
    screen = desktop(1280, 720)
    partial = tmp_path / "take.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(1280, 720, 10, "ultrafast", 18))
    bgra = cv2.cvtColor(screen, cv2.COLOR_BGR2BGRA)
    writer.write_frame(np.full_like(bgra, 90), 0)  # something else first
    writer.write_frame(bgra, 20)
    writer.close()
    media = MediaStore(tmp_path / "media")
    recording = media.put_file(remux_faststart(partial, tmp_path / "take.mp4"), "mp4")
    ok, png = cv2.imencode(".png", screen[200:600, 300:900])
    shot = media.put_bytes(png.tobytes(), "png")
    boxes = [{"x": 10, "y": 20, "w": 30, "h": 40}]
    assert carried_over(media, recording, shot, 2.5, boxes) == [
        (310 - MARGIN, 220 - MARGIN, 30 + 2 * MARGIN, 40 + 2 * MARGIN)]
    assert carried_over(media, recording, shot, 2.5, []) == []
    with pytest.raises(UserError, match="not in the recording at the step's moment"):
        carried_over(media, recording, shot, 0.5, boxes)  # before that screen was up
