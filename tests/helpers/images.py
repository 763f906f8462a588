"""The one PNG builder: screenshots as BGR arrays, and the PNG bytes Baton stores.

OpenCV encodes and decodes here on purpose: the test data does not go through the Qt code
under test.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

Pixels = np.ndarray[Any, Any]
RED = (0, 0, 255)  # BGR


def screenshot(
    width: int = 320,
    height: int = 200,
    seed: int = 0,
    secret: tuple[int, int, int, int] | None = None,
) -> Pixels:
    """A distinctive BGR picture (a gradient labelled ``step <seed>``).

    Args:
        width: Width in pixels.
        height: Height in pixels.
        seed: Makes pictures of different steps differ in colour and label.
        secret: ``(x, y, w, h)`` painted pure red, for redaction tests.
    """
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    image[..., 1] = ((y * 255 // max(height - 1, 1)) + seed * 40).astype(np.uint8)
    image[..., 2] = 40
    cv2.putText(
        image, f"step {seed}", (10, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2
    )
    if secret is not None:
        sx, sy, sw, sh = secret
        image[sy : sy + sh, sx : sx + sw] = RED
    return image


def plain(shade: int = 128, width: int = 320, height: int = 200) -> Pixels:
    """A picture of one grey ``shade`` (0-255)."""
    return np.full((height, width, 3), shade, np.uint8)


def png_bytes(image: Pixels) -> bytes:
    """``image`` (BGR, or anything OpenCV writes) as PNG bytes."""
    ok, buffer = cv2.imencode(".png", image)
    assert ok, "OpenCV could not encode the test picture"
    return bytes(buffer.tobytes())


def png(shade: int = 128, width: int = 320, height: int = 200) -> bytes:
    """A plain grey screenshot as PNG bytes, ready for ``MediaStore.put_bytes``."""
    return png_bytes(plain(shade, width, height))


def png_pixels(data: bytes) -> Pixels:
    """PNG bytes back to a BGR array (fails the test when they are not a picture)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a PNG picture"
    return image
