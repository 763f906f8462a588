"""A step's two screenshots: the full frame and the crop around the click, stored as PNGs.

Baton's own windows are painted over first; the click is returned in the crop's pixels,
where the editor and the package draw the numbered marker (no number is burned in, so it
follows the step's number).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from baton.capture.platform.screens import Region
from baton.capture.recording.sources import Frame
from baton.capture.steps.masking import hide_regions
from baton.capture.steps.render import crop_for, cut, to_bgr
from baton.core.media import MediaStore
from baton.util.images import encode_png

Point = tuple[int, int]


def store_screenshots(
    frame: Frame,
    region: Region,
    click: Point | None,
    centre: Point | None,
    crop_size: tuple[int, int],
    own_windows: Iterable[Region],
    encoder: ThreadPoolExecutor,
    media: MediaStore,
) -> tuple[str, str, Point | None]:
    """Hide Baton's windows, crop, encode (the full frame on ``encoder`` meanwhile), store.

    Args:
        frame: the screen just before the step (BGRA), covering ``region``.
        click: the click in screen pixels (None: not a click).
        centre: where to crop around when there is no click (screen pixels).
        own_windows: where Baton's windows are (screen pixels).

    Returns:
        The media keys of the screenshot and of the full frame, and the click in the
        screenshot's pixels (None when it was off the frame).
    """
    height, width = frame.shape[:2]
    image = to_bgr(frame)
    hide_regions(image, own_windows, (region.left, region.top))

    def inside(point: Point | None) -> Point | None:
        if point is None:
            return None
        x, y = point[0] - region.left, point[1] - region.top
        return (x, y) if 0 <= x < width and 0 <= y < height else None

    at = inside(click)
    middle = at or inside(centre) or (width // 2, height // 2)
    crop = crop_for(width, height, middle[0], middle[1], crop_size)
    full_png = encoder.submit(encode_png, image, quick=True)
    whole = (crop.width, crop.height, crop.scale) == (width, height, 1.0)
    shot_png = None if whole else encode_png(cut(image, crop), quick=True)
    full = media.put_bytes(full_png.result(), "png")
    shot = full if shot_png is None else media.put_bytes(shot_png, "png")
    if at is not None:
        at = (round((at[0] - crop.left) * crop.scale), round((at[1] - crop.top) * crop.scale))
    return shot, full, at
