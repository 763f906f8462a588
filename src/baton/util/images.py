"""PNG encoding, written once: OpenCV images (numpy arrays) and Qt images.

OpenCV, numpy and QtGui are imported inside the functions: importing this module costs
nothing, so modules on the way to the first window may use it (the app must start without
loading PyAV, OpenCV or numpy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PySide6.QtGui import QImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_png(image: npt.NDArray[np.uint8], *, quick: bool = False) -> bytes:
    """PNG bytes of a BGR (or BGRA) image; the same pixels always give the same bytes.

    A BGRA image that is opaque everywhere is written as BGR (smaller, and the same picture).

    Args:
        image: height x width x 3 (BGR) or 4 (BGRA) bytes.
        quick: the settings for live step capture, where the click must not wait: zlib level
            1 with the "up" filter, about 40 ms for a 1080p desktop instead of 60-110 ms at
            the defaults, for files about 8% larger. Otherwise level 3 with the "sub" filter
            alone, 2x faster than libpng's adaptive choice on screenshots for files about the
            same size (a package's screenshots).

    Raises:
        RuntimeError: OpenCV could not encode the image.
    """
    import cv2
    import numpy as np

    if image.ndim == 3 and image.shape[2] == 4 and bool((image[..., 3] == 255).all()):
        image = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if quick:
        params = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]
    else:
        params = [cv2.IMWRITE_PNG_COMPRESSION, 3, cv2.IMWRITE_PNG_FILTER,
                  cv2.IMWRITE_PNG_FILTER_SUB]
    ok, data = cv2.imencode(".png", image, params)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return bytes(data.tobytes())


def encode_qimage_png(image: QImage) -> bytes:
    """PNG bytes of a Qt image (what the annotation painter draws on).

    Raises:
        RuntimeError: Qt could not encode the image.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageWriter

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"PNG encoding failed: {writer.errorString()}")
    return bytes(buffer.data().data())


def is_png(data: bytes) -> bool:
    """Whether ``data`` starts with the PNG signature."""
    return data.startswith(PNG_SIGNATURE)
