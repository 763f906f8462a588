"""Baton's own windows kept out of step screenshots.

X11 cannot grab the screen without the windows on top, so the areas of Baton's windows
(the recording bar, the main window) are painted over in the step's screenshot with the
colour around them: the screenshot shows the application, never Baton.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from baton.capture.platform.screens import Region
from baton.capture.steps.render import Image

BORDER = 3


def hide_regions(image: Image, regions: Iterable[Region], origin: tuple[int, int]) -> bool:
    """Fill each region (screen pixels) of ``image`` (whose top-left is at ``origin``) with
    the median colour of a thin border around it, in place; returns whether any was hidden."""
    height, width = image.shape[:2]
    hidden = False
    for region in regions:
        left, top = max(0, region.left - origin[0]), max(0, region.top - origin[1])
        right = min(width, region.right - origin[0])
        bottom = min(height, region.bottom - origin[1])
        if right <= left or bottom <= top:
            continue
        outer = image[max(0, top - BORDER):min(height, bottom + BORDER),
                      max(0, left - BORDER):min(width, right + BORDER)]
        ring = np.concatenate([outer[:BORDER].reshape(-1, image.shape[2]),
                               outer[-BORDER:].reshape(-1, image.shape[2]),
                               outer[:, :BORDER].reshape(-1, image.shape[2]),
                               outer[:, -BORDER:].reshape(-1, image.shape[2])])
        colour = np.median(ring, axis=0).astype(np.uint8) if ring.size else 128
        image[top:bottom, left:right] = colour
        hidden = True
    return hidden
