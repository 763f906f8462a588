"""Step screenshots: the crop around the click (PNG encoding: ``baton.util.images``).

Frames come in as BGRA (what the screen source gives); the images written are BGR PNGs.
The source frame is never drawn on: two quick clicks may share one frame. The click marker
is not drawn here: ``annotation.paint_click`` draws it when the step is shown.
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


@dataclass(frozen=True)
class Crop:
    """Which part of the full frame a step screenshot shows, and how much it was scaled."""

    left: int
    top: int
    width: int
    height: int
    scale: float = 1.0


def to_bgr(frame: Image) -> Image:
    """A new BGR image from a BGRA frame (BGR input is copied)."""
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return frame.copy()


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
