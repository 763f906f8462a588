"""What Baton draws into the video: the pointer, click rings and (optionally) key captions.

Everything is drawn straight into the BGRA frame before colour conversion, in the
recorded area's pixel coordinates. Times are recording seconds (pauses excluded).
Rings and the arrow are anti-aliased sprites made once with numpy (a distance field, a
supersampled polygon) and alpha-blended like the pointer's own image, so recording does
not load OpenCV (38 MB); only key captions (off by default) use it, for its text.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from baton.capture.platform.base import CursorImage, PointerSample
from baton.capture.platform.screens import Region
from baton.capture.recording.sources import Frame

RING_SECONDS = 0.5
RING_START_RADIUS = 8
RING_END_RADIUS = 36
RING_THICKNESS = 4
CAPTION_SECONDS = 1.5
CAPTION_MAX_CHARS = 40
CAPTION_BAND = 110  # the caption box always lies within this many rows from the bottom
ARROW_SIZE = 24
# BGRA. Left is amber, right is blue, middle is green: distinguishable for most colour vision.
BUTTON_COLORS: dict[str, tuple[int, int, int, int]] = {
    "left": (0, 170, 255, 255),
    "right": (255, 100, 0, 255),
    "middle": (60, 200, 60, 255),
}
ARROW = np.array(
    [[0, 0], [0, 17], [4, 13], [7, 20], [10, 19], [7, 12], [12, 12]], dtype=np.int32
)
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Click:
    """A mouse press at recording time ``t`` (seconds) and screen position ``x, y``."""

    t: float
    x: int
    y: int
    button: str = "left"


class Overlay:
    """Draws the pointer, click rings and key captions for one recorded area.

    ``add_click`` and ``add_key`` may be called from input-hook threads while the encoder
    thread calls ``draw``.

    Args:
        region: the recorded area (to map screen positions into the frame).
        draw_pointer: draw the pointer (its real shape when known, else an arrow).
        show_keys: draw key captions (off by default; the caller never passes keys typed
            into password fields).
    """

    def __init__(self, region: Region, *, draw_pointer: bool = True, show_keys: bool = False):
        self.region = region
        self.draw_pointer = draw_pointer
        self.show_keys = show_keys
        self._lock = threading.Lock()
        self._clicks: deque[Click] = deque(maxlen=64)
        self._keys: deque[tuple[float, str]] = deque(maxlen=CAPTION_MAX_CHARS)
        self._rings: dict[int, npt.NDArray[np.float32]] = {}  # coverage by radius

    def add_click(self, click: Click) -> None:
        with self._lock:
            self._clicks.append(click)

    def add_key(self, t: float, label: str) -> None:
        """Queue a caption label (``"Ctrl+C"``, ``"Enter"``) pressed at recording time ``t``."""
        if self.show_keys:
            with self._lock:
                self._keys.append((t, label))

    def animating(self, t: float) -> bool:
        """True while a ring or caption is on screen at recording time ``t``."""
        with self._lock:
            return any(0.0 <= t - c.t <= RING_SECONDS for c in self._clicks) or any(
                0.0 <= t - when <= CAPTION_SECONDS for when, _label in self._keys
            )

    def draw(self, frame: Frame, t: float, pointer: PointerSample | None) -> Callable[[], None]:
        """Draw everything due at recording time ``t`` into ``frame`` (in place).

        Returns:
            A function that puts back the pixels drawn over, so the frame is again exactly
            what was on screen (the recorder compares it with the next grab).
        """
        return self.draw_rows(frame, t, pointer)[0]

    def draw_rows(
        self, frame: Frame, t: float, pointer: PointerSample | None
    ) -> tuple[Callable[[], None], list[tuple[int, int]]]:
        """``draw``, also returning the row bands ``[start, stop)`` it may have drawn on."""
        with self._lock:
            clicks = [c for c in self._clicks if 0.0 <= t - c.t <= RING_SECONDS]
            keys = [label for when, label in self._keys if 0.0 <= t - when <= CAPTION_SECONDS]
        saved: list[tuple[int, int, Frame]] = []

        def keep(x0: int, y0: int, x1: int, y1: int) -> None:
            height, width = frame.shape[:2]
            x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
            if x0 < x1 and y0 < y1:
                saved.append((x0, y0, frame[y0:y1, x0:x1].copy()))

        for click in clicks:
            x, y = click.x - self.region.left, click.y - self.region.top
            reach = RING_END_RADIUS + RING_THICKNESS + 2
            keep(x - reach, y - reach, x + reach + 1, y + reach + 1)
            self._draw_ring(frame, t, click)
        if keys:
            keep(0, frame.shape[0] - CAPTION_BAND, frame.shape[1], frame.shape[0])
            draw_caption(frame, "  ".join(keys))
        if self.draw_pointer and pointer is not None:
            x, y = pointer.x - self.region.left, pointer.y - self.region.top
            if pointer.image is not None:
                image = pointer.image
                left, top = x - image.hot_x, y - image.hot_y
                keep(left, top, left + image.pixels.shape[1], top + image.pixels.shape[0])
                blend_cursor(frame, image, x, y)
            else:
                keep(x - 2, y - 2, x + ARROW_SIZE, y + ARROW_SIZE)
                draw_arrow(frame, x, y)

        def restore() -> None:
            for x0, y0, patch in reversed(saved):
                frame[y0:y0 + patch.shape[0], x0:x0 + patch.shape[1]] = patch

        return restore, [(y0, y0 + patch.shape[0]) for _x0, y0, patch in saved]

    def _draw_ring(self, frame: Frame, t: float, click: Click) -> None:
        progress = (t - click.t) / RING_SECONDS
        radius = round(RING_START_RADIUS + (RING_END_RADIUS - RING_START_RADIUS) * progress)
        coverage = self._rings.get(radius)
        if coverage is None:
            coverage = self._rings[radius] = ring_coverage(radius, RING_THICKNESS)
        color = np.array(BUTTON_COLORS.get(click.button, BUTTON_COLORS["left"]), np.float32)
        sprite = (coverage[:, :, None] * color + 0.5).astype(np.uint8)  # premultiplied
        middle = coverage.shape[0] // 2
        blend_cursor(frame, CursorImage(sprite, middle, middle),
                     click.x - self.region.left, click.y - self.region.top)


def ring_coverage(radius: int, thickness: int) -> npt.NDArray[np.float32]:
    """How much of each pixel a ring of ``radius`` and ``thickness`` (centred on the
    middle pixel) covers, 0..1, from each pixel centre's distance to the circle (as wide
    as OpenCV's anti-aliased circle of that thickness, which Baton drew before)."""
    reach = radius + thickness // 2 + 3
    offsets = np.arange(-reach, reach + 1, dtype=np.float32)
    distance = np.hypot(offsets[:, None], offsets[None, :])
    coverage: npt.NDArray[np.float32] = np.clip(
        thickness / 2 + 1.5 - np.abs(distance - radius), 0.0, 1.0).astype(np.float32)
    return coverage


def arrow_sprite(scale: int = SUPERSAMPLE) -> CursorImage:
    """The plain arrow pointer, white with a one-pixel black edge, anti-aliased by
    sampling ``scale`` x ``scale`` points per pixel (premultiplied BGRA; tip = hot spot)."""
    margin = 2
    width, height = int(ARROW[:, 0].max()) + 2 * margin + 1, int(ARROW[:, 1].max()) + 2 * margin + 1
    steps = (np.arange(scale, dtype=np.float64) + 0.5) / scale - 0.5
    xs = (np.arange(width)[:, None] + steps[None, :]).reshape(-1) - margin
    ys = (np.arange(height)[:, None] + steps[None, :]).reshape(-1) - margin
    px, py = np.meshgrid(xs, ys)
    corners = ARROW.astype(np.float64)
    inside = np.zeros(px.shape, bool)
    edge = np.full(px.shape, np.inf)
    for (x0, y0), (x1, y1) in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        crosses = ((y0 > py) != (y1 > py)) & (px < x0 + (py - y0) * (x1 - x0) / (y1 - y0 or 1))
        inside ^= crosses
        dx, dy = x1 - x0, y1 - y0
        along = np.clip(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        edge = np.minimum(edge, np.hypot(px - x0 - along * dx, py - y0 - along * dy))
    covered = (inside | (edge <= 0.5)).reshape(height, scale, width, scale).mean(axis=(1, 3))
    white = (inside & (edge > 0.5)).reshape(height, scale, width, scale).mean(axis=(1, 3))
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[:, :, :3] = (white * 255 + 0.5).astype(np.uint8)[:, :, None]
    pixels[:, :, 3] = (covered * 255 + 0.5).astype(np.uint8)
    return CursorImage(pixels, margin, margin)


ARROW_SPRITE = arrow_sprite()


def blend_cursor(frame: Frame, cursor: CursorImage, x: int, y: int) -> None:
    """Composite a premultiplied BGRA cursor with its hot spot at ``x, y``, clipped."""
    pixels = cursor.pixels
    top, left = y - cursor.hot_y, x - cursor.hot_x
    height, width = frame.shape[:2]
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + pixels.shape[0], height), min(left + pixels.shape[1], width)
    if y0 >= y1 or x0 >= x1:
        return
    src = pixels[y0 - top:y1 - top, x0 - left:x1 - left].astype(np.uint16)
    dst = frame[y0:y1, x0:x1, :3]
    keep = 255 - src[:, :, 3:4]
    mixed = src[:, :, :3] + (dst.astype(np.uint16) * keep + 127) // 255
    dst[:] = np.minimum(mixed, 255).astype(np.uint8)


def draw_arrow(frame: Frame, x: int, y: int) -> None:
    """Draw a plain arrow pointer with its tip at ``x, y``."""
    blend_cursor(frame, ARROW_SPRITE, x, y)


def draw_caption(frame: Frame, text: str) -> None:
    """Draw ``text`` in a dark box centred near the bottom of the frame."""
    import cv2  # only for captions (off by default): recording otherwise never loads OpenCV

    height, width = frame.shape[:2]
    text = text[-CAPTION_MAX_CHARS:]
    scale = max(0.5, min(1.2, width / 1600))
    thickness = 2
    (text_w, text_h), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = 10
    x0 = max(0, (width - text_w) // 2 - pad)
    y1 = height - 24
    y0 = max(0, y1 - text_h - baseline - 2 * pad)
    x1 = min(width, x0 + text_w + 2 * pad)
    box = frame[y0:y1, x0:x1]
    box[:] = (box.astype(np.uint16) * 3 // 10).astype(np.uint8)
    origin = (x0 + pad, y1 - pad - baseline)
    cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255, 255),
                thickness, cv2.LINE_AA)
