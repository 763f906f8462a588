"""Step screenshots: the numbered click marker and the crop around the click.

Frames come in as BGRA (what the screen source gives); the images written are BGR PNGs.
The source frame is never drawn on: two quick clicks may share one frame. PNG encoding is
``baton.util.images.encode_png(..., quick=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]

CROP_SIZE = (1280, 720)
"""The largest step screenshot (width, height); bigger screens are cropped around the click."""
CROP_SLACK = 1.25
"""Frames at most this much larger than ``CROP_SIZE`` are kept whole."""
MARKER_BGR = (0, 64, 255)
"""Red-orange: rare in desktop themes, visible on light and dark backgrounds."""
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Crop:
    """Which part of the full frame a step screenshot shows, and how much it was scaled."""

    left: int
    top: int
    width: int
    height: int
    scale: float = 1.0


def marker_radius(frame_height: int) -> int:
    """The click ring's radius: readable on a laptop screen, not huge on a 4K one."""
    return max(16, round(frame_height / 40))


def to_bgr(frame: Image) -> Image:
    """A new BGR image from a BGRA frame (BGR input is copied)."""
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return frame.copy()


def draw_marker(image: Image, x: int, y: int, number: int | None) -> None:
    """Draw a ring centred on ``x, y`` and a numbered badge at its upper right (in place).

    The ring is hollow so the clicked control stays readable under it.
    """
    height = image.shape[0]
    radius = marker_radius(height)
    thickness = max(3, radius // 6)
    cv2.circle(image, (x, y), radius + thickness, WHITE, 2, cv2.LINE_AA)
    cv2.circle(image, (x, y), radius, MARKER_BGR, thickness, cv2.LINE_AA)
    cv2.circle(image, (x, y), max(2, radius // 8), MARKER_BGR, -1, cv2.LINE_AA)
    if number is None:
        return
    badge = max(11, round(radius * 0.6))
    centre = (x + round(radius * 0.95), y - round(radius * 0.95))
    cv2.circle(image, centre, badge + 2, WHITE, -1, cv2.LINE_AA)
    cv2.circle(image, centre, badge, MARKER_BGR, -1, cv2.LINE_AA)
    text = str(number)
    scale = badge / 16
    (text_w, text_h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    if text_w > badge * 1.6:  # three or more digits: shrink to fit the badge
        scale *= badge * 1.6 / text_w
        (text_w, text_h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    origin = (centre[0] - text_w // 2, centre[1] + text_h // 2)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, WHITE, 2, cv2.LINE_AA)


def crop_for(
    frame_width: int, frame_height: int, x: int, y: int, size: tuple[int, int] = CROP_SIZE
) -> Crop:
    """The part of a frame to show around point ``x, y``.

    Frames up to ``CROP_SLACK`` times ``size`` are shown whole. Larger frames show an area
    of at least ``size`` and at least half the frame each way, centred on the point and
    shifted to stay inside the frame, scaled down to fit ``size``.
    """
    max_w, max_h = size
    if frame_width <= max_w * CROP_SLACK and frame_height <= max_h * CROP_SLACK:
        return Crop(0, 0, frame_width, frame_height)
    width = min(frame_width, max(max_w, frame_width // 2))
    height = min(frame_height, max(max_h, frame_height // 2))
    left = min(max(0, x - width // 2), frame_width - width)
    top = min(max(0, y - height // 2), frame_height - height)
    scale = min(1.0, max_w / width, max_h / height)
    return Crop(left, top, width, height, scale)


def cut(image: Image, crop: Crop) -> Image:
    """The cropped (and scaled) part of ``image``."""
    part = image[crop.top:crop.top + crop.height, crop.left:crop.left + crop.width]
    if crop.scale >= 1.0:
        return part
    size = (max(1, round(crop.width * crop.scale)), max(1, round(crop.height * crop.scale)))
    return np.asarray(cv2.resize(part, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
