"""Step pictures for the PDF checklist: sized for print, compressed the way that suits them.

A picture is printed at most the page's width and a little over half its height, at
150 dpi. It is shrunk by a whole factor toward that (a whole factor keeps text sharp and
OpenCV on its fast path). Then its compression is chosen: Qt's PDF writer stores a picture
either as JPEG at quality 94 or losslessly (Flate). For screenshots (flat colour, text)
Flate is about half the size of that JPEG and exact; for photos and video stills JPEG is a
tenth of Flate. Both are estimated on a sample of the picture, and the smaller wins, so
the PDF is never larger than the step pictures it shows.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np

from baton.handoff.screenshots import Image

DPI = 150
PRINT_WIDTH = 1063
"""Pixels at ``DPI`` across an A4 page less 15 mm margins."""
PRINT_HEIGHT = 855
"""Pixels at ``DPI`` a picture may take down the page (55% of the text area)."""
JPEG_QUALITY = 94
"""What Qt's PDF writer uses (not settable)."""
BAND, STRIDE = 16, 128
"""The estimate looks at 16-row bands every 128 rows: an eighth of the picture (the two
encoders differ by a factor of two or ten, so a rough look decides)."""


def print_factor(width: int, height: int) -> int:
    """The whole factor that brings a picture to about its printed size."""
    scale = min(PRINT_WIDTH / max(1, width), PRINT_HEIGHT / max(1, height), 1.0)
    return max(1, round(1.0 / scale))


def reduce_for_print(image: Image) -> Image:
    """Shrink toward the printed size, as opaque BGRA (Qt's RGB32).

    Opaque 32-bit pixels let Qt's PDF writer encode the picture without converting it or
    scanning it for transparency.
    """
    factor = print_factor(image.shape[1], image.shape[0])
    if factor > 1:
        height, width = image.shape[:2]
        size = (max(1, width // factor), max(1, height // factor))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    if image.shape[2] == 4 and int(image[..., 3].min()) == 255:
        return np.ascontiguousarray(image)
    if image.shape[2] == 4:
        alpha = image[..., 3:4].astype(np.uint16)
        over_white = (image[..., :3] * alpha + 255 * (255 - alpha)) // 255
        image = np.dstack([over_white.astype(np.uint8), np.full_like(image[..., 3], 255)])
        return np.ascontiguousarray(image)
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))


def prefers_lossless(image: Image) -> bool:
    """Whether Flate would store this picture no larger than Qt's JPEG would."""
    height = image.shape[0]
    bands = [image[top:top + BAND, :, :3] for top in range(0, height, STRIDE)]
    sample = np.ascontiguousarray(np.concatenate(bands))
    flate = len(zlib.compress(sample.tobytes(), 1))  # (level 1 overestimates Qt's level 6)
    ok, jpeg = cv2.imencode(".jpg", sample, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return not ok or flate <= len(jpeg)
