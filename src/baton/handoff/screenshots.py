"""Step screenshots in a package: the owner's marks burned in, redactions checked, PNG out.

Annotations (rectangles, arrows, numbered markers, text, a crop) and redaction boxes are
painted by the same code as the editor's preview (``baton.capture.steps.annotation.render``), so
what the owner sees is what the assistant gets. Redactions are then checked pixel by pixel:
if any covered pixel is not solid black, the export stops rather than leak what the owner
meant to hide. The schema of both lists is ``baton.core.marks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from baton.capture.steps.annotation import crop_of, render
from baton.core.marks import (
    Annotation,
    Mark,
    RedactionBox,
    validate_annotations,
    validate_redactions,
)
from baton.errors import UserError

Image = npt.NDArray[np.uint8]


class RedactionNotBurnedIn(RuntimeError):
    """A redaction box came out of rendering with pixels that are not solid black (a bug)."""


def checked_marks(
    step: dict[str, Any], number: int
) -> tuple[list[Annotation], list[RedactionBox]]:
    """A step's annotations and redaction boxes in canonical form.

    Raises:
        UserError: one of them is malformed (the message names the step).
    """
    try:
        return (
            validate_annotations(step.get("annotations")),
            validate_redactions(step.get("redactions")),
        )
    except UserError as error:
        raise UserError(f"Step {number}: {error}") from None


def decode_image(data: bytes, *, what: str) -> Image:
    """Decode PNG/JPEG bytes to BGR or BGRA pixels.

    Raises:
        UserError: the bytes are not an image.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(array, cv2.IMREAD_UNCHANGED) if array.size else None
    if image is None:
        raise UserError(f"{what} is not a readable image.")
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / 65535.0)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(image)


def burn_in(
    image: Image, annotations: Sequence[Mark], redactions: Sequence[Mark]
) -> tuple[Image, tuple[int, int]]:
    """Paint the marks into a copy of ``image``; returns opaque BGRA pixels and the crop's
    top-left corner (``(0, 0)`` without a crop), so click points can follow the crop.

    Raises:
        RedactionNotBurnedIn: a covered pixel is not solid black after painting.
    """
    bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA) if image.shape[2] == 3 else image
    bgra = np.ascontiguousarray(bgra)
    height, width = bgra.shape[:2]
    source = QImage(bgra.data, width, height, bgra.strides[0], QImage.Format.Format_ARGB32)
    painted = render(source, annotations, redactions)
    crop = crop_of(annotations, QSize(width, height))
    offset = (crop.x(), crop.y()) if crop is not None else (0, 0)
    result = _pixels(painted)
    _check_redacted(result, redactions, offset)
    return result, offset


def _pixels(image: QImage) -> Image:
    """Copy an RGB32 QImage out as opaque BGRA pixels."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    pixels = buffer.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).copy()
    pixels[..., 3] = 255
    return pixels


def _check_redacted(
    image: Image, redactions: Sequence[Mark], offset: tuple[int, int]
) -> None:
    height, width = image.shape[:2]
    for box in redactions:
        left, top = max(box["x"] - offset[0], 0), max(box["y"] - offset[1], 0)
        right = min(box["x"] + box["w"] - offset[0], width)
        bottom = min(box["y"] + box["h"] - offset[1], height)
        if right > left and bottom > top and image[top:bottom, left:right, :3].any():
            raise RedactionNotBurnedIn(f"redaction box {box} is not solid black")
