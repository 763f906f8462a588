"""PNG encoding, one place for OpenCV images and Qt images."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QImage

from baton.util.images import encode_png, encode_qimage_png, is_png


def screenshot() -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A desktop-like picture: flat panels, a gradient and some text."""
    image = np.full((300, 400, 3), 235, np.uint8)
    image[:, :80] = (63, 48, 36)
    image[40:260, 120:380] = np.linspace(0, 255, 260, dtype=np.uint8)[None, :, None]
    for row in range(5):
        cv2.putText(image, f"Invoice {row}", (130, 70 + 40 * row), cv2.FONT_HERSHEY_SIMPLEX,
                    0.8, (20, 20, 20), 2)
    return image


def test_both_settings_keep_every_pixel_and_the_same_pixels_give_the_same_bytes() -> None:
    image = screenshot()
    for quick in (False, True):
        data = encode_png(image, quick=quick)
        assert is_png(data)
        assert np.array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                              image)
        assert encode_png(image.copy(), quick=quick) == data


def test_the_quick_settings_trade_size_for_time() -> None:
    image = screenshot()
    assert len(encode_png(image, quick=True)) > len(encode_png(image))


def test_an_opaque_bgra_image_is_written_as_bgr_and_a_translucent_one_keeps_alpha() -> None:
    bgr = screenshot()
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    assert encode_png(bgra) == encode_png(bgr)
    bgra[0, 0, 3] = 128
    decoded = cv2.imdecode(np.frombuffer(encode_png(bgra), np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape == (300, 400, 4)
    assert decoded[0, 0, 3] == 128


def test_a_qt_image_round_trips(qapp: Any) -> None:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#24303f"))
    image.setPixelColor(3, 4, QColor("#ff4000"))
    data = encode_qimage_png(image)
    assert is_png(data)
    back = QImage.fromData(QByteArray(data)).convertToFormat(QImage.Format.Format_RGB32)
    assert back == image
    assert not is_png(b"GIF89a")
