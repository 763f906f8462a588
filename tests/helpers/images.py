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


def ui_screenshot(seed: int, width: int = 1280, height: int = 720) -> np.ndarray[Any, Any]:
    """A screenshot of a real Qt form (toolbar, heading, a table of text) as BGRA.

    Needs a QApplication (pytest-qt's ``qapp``). Text rendered by Qt is what step pictures
    mostly show, and it compresses nothing like synthetic gradients do.
    """
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import (
        QHBoxLayout,
        QLabel,
        QLineEdit,
        QPushButton,
        QTableWidget,
        QTableWidgetItem,
        QVBoxLayout,
        QWidget,
    )

    rng = np.random.default_rng(seed)
    form = QWidget()
    form.resize(width, height)
    layout = QVBoxLayout(form)
    bar = QHBoxLayout()
    for label in ("File", "Edit", "Invoices", "Customers", "Reports"):
        bar.addWidget(QPushButton(label))
    bar.addWidget(QLineEdit(f"search {seed}"))
    layout.addLayout(bar)
    layout.addWidget(QLabel(f"<h2>Invoices — batch {seed}</h2>"))
    rows = max(4, height // 30)
    table = QTableWidget(rows, 6)
    names = ("Acme", "Globex", "Initech", "Umbrella")
    for row in range(rows):
        for column in range(6):
            text = f"{rng.integers(1000, 99999)} {names[column % 4]}"
            table.setItem(row, column, QTableWidgetItem(text))
    layout.addWidget(table)
    image = form.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    form.deleteLater()
    stride = image.bytesPerLine() // 4
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), stride, 4)
    return pixels[:, : image.width()].copy()
