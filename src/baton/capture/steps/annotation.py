"""Drawing a step's annotations and redaction boxes onto its screenshot (QtGui only).

The editor's preview and the exported images use the same painting code, so what the owner
sees is what the assistant gets. Marks are in screenshot pixels and are checked with the
one mark schema (``baton.core.marks``): ``rect``, ``arrow``, numbered ``marker``, ``text``
and one ``crop``; redactions are boxes ``{"x", "y", "w", "h"}``.

Order: the annotations are drawn, then every redaction box is filled solid opaque black
(never blurred or pixelated: those can be reversed), then the crop is applied. A rendered
image starts from a fresh canvas, so no metadata of the original (PNG text chunks) is kept.

Text and markers need fonts, so a ``QGuiApplication`` must exist (the caller creates it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from baton.core.marks import Mark, validate_annotations, validate_redactions
from baton.errors import UserError
from baton.util.images import encode_qimage_png

DEFAULT_COLOR = "#e53935"
REDACTION_COLOR = QColor(0, 0, 0)
TEXT_BACKGROUND = QColor(255, 255, 255, 230)


class Style:
    """Line widths and sizes for an image, so marks look alike on small and large shots."""

    def __init__(self, size: QSize) -> None:
        base = max(size.width(), size.height(), 1)
        self.stroke = max(2.0, base / 480)
        self.marker_radius = max(9.0, base / 80)
        self.text_size = max(11, round(base / 80))
        self.padding = self.text_size / 3


def color_of(mark: Mark) -> QColor:
    return QColor(str(mark.get("color") or DEFAULT_COLOR))


def text_font(style: Style) -> QFont:
    font = QFont()
    font.setPixelSize(style.text_size)
    font.setBold(True)
    return font


def marker_font(style: Style) -> QFont:
    font = QFont()
    font.setPixelSize(max(8, round(style.marker_radius * 1.1)))
    font.setBold(True)
    return font


def mark_bounds(mark: Mark, style: Style) -> QRectF:
    """The area a mark covers in image pixels (for hit tests and selection outlines)."""
    kind = mark["kind"]
    if kind in ("rect", "crop"):
        return QRectF(mark["x"], mark["y"], mark["w"], mark["h"])
    if kind == "arrow":
        return QRectF(QPointF(mark["x1"], mark["y1"]), QPointF(mark["x2"], mark["y2"])).normalized()
    if kind == "marker":
        r = style.marker_radius
        return QRectF(mark["x"] - r, mark["y"] - r, 2 * r, 2 * r)
    metrics = QFontMetricsF(text_font(style))
    box = metrics.boundingRect(QRectF(0, 0, 10_000, 10_000), 0, str(mark.get("text", "")))
    pad = style.padding
    return QRectF(mark["x"], mark["y"], box.width() + 2 * pad, box.height() + 2 * pad)


def paint_annotations(painter: QPainter, annotations: Sequence[Mark], style: Style) -> None:
    """Paint every annotation except the crop, in image coordinates."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    for mark in annotations:
        kind = mark["kind"]
        if kind == "rect":
            _paint_rect(painter, mark, style)
        elif kind == "arrow":
            _paint_arrow(painter, mark, style)
        elif kind == "marker":
            _paint_marker(painter, mark, style)
        elif kind == "text":
            _paint_text(painter, mark, style)
    painter.restore()


CLICK_COLOR = QColor(255, 64, 0)
"""The click marker's red-orange: rare in desktop themes, visible on light and dark."""


def paint_click(painter: QPainter, x: float, y: float, number: int | None, size: QSize) -> None:
    """The click marker: a hollow ring on the click (the control stays readable) and a badge
    with the step's number at its upper right.

    Drawn when shown, never burned into the stored screenshot, so the number is always the
    step's number now (after steps are deleted or moved) and the ring sits where the click
    was on whatever crop is shown.
    """
    radius = max(12.0, max(size.width(), size.height()) / 70)
    width = max(3.0, radius / 6)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(255, 255, 255), width + 3))
    painter.drawEllipse(QPointF(x, y), radius, radius)
    painter.setPen(QPen(CLICK_COLOR, width))
    painter.drawEllipse(QPointF(x, y), radius, radius)
    if number is not None:
        badge = max(9.0, radius * 0.6)
        centre = QPointF(x + radius * 0.95, y - radius * 0.95)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.setBrush(QBrush(CLICK_COLOR))
        painter.drawEllipse(centre, badge, badge)
        font = QFont()
        font.setPixelSize(max(8, round(badge * (1.1 if number < 100 else 0.8))))
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(centre.x() - badge, centre.y() - badge, 2 * badge, 2 * badge),
                         Qt.AlignmentFlag.AlignCenter, str(number))
    painter.restore()


def paint_redactions(painter: QPainter, redactions: Sequence[Mark]) -> None:
    """Fill every redaction box solid opaque black (whole pixels, no antialiasing)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    for box in redactions:
        painter.fillRect(QRect(box["x"], box["y"], box["w"], box["h"]), REDACTION_COLOR)
    painter.restore()


def crop_of(annotations: Sequence[Mark], size: QSize) -> QRect | None:
    """The crop rectangle clipped to the image, or ``None`` when there is no usable crop."""
    for mark in annotations:
        if mark["kind"] == "crop":
            rect = QRect(mark["x"], mark["y"], mark["w"], mark["h"]).intersected(
                QRect(0, 0, size.width(), size.height())
            )
            return rect if not rect.isEmpty() else None
    return None


def render(image: QImage, annotations: Any, redactions: Any) -> QImage:
    """Return a new image: ``image`` with the annotations, the redactions and the crop.

    Raises:
        UserError: an annotation or redaction box is malformed, or the image is empty.
    """
    if image.isNull():
        raise UserError("The screenshot is empty.")
    marks = validate_annotations(annotations)
    boxes = validate_redactions(redactions)
    result = QImage(image.size(), QImage.Format.Format_RGB32)
    result.fill(QColor(255, 255, 255))
    painter = QPainter(result)
    try:
        painter.drawImage(0, 0, image)
        paint_annotations(painter, marks, Style(image.size()))
        paint_redactions(painter, boxes)
    finally:
        painter.end()
    crop = crop_of(marks, result.size())
    return result.copy(crop) if crop is not None else result


def render_png(data: bytes, annotations: Any, redactions: Any) -> bytes:
    """Decode a screenshot, burn in its marks (see ``render``) and encode it as PNG.

    Raises:
        UserError: ``data`` is not a readable image, or a mark is malformed.
    """
    image = QImage.fromData(QByteArray(data))
    if image.isNull():
        raise UserError("The screenshot is not a readable image.")
    return encode_qimage_png(render(image, annotations, redactions))


# -- the marks ----------------------------------------------------------------------------


def _pen(mark: Mark, style: Style) -> QPen:
    pen = QPen(color_of(mark), style.stroke)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


def _paint_rect(painter: QPainter, mark: Mark, style: Style) -> None:
    painter.setPen(_pen(mark, style))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(mark["x"], mark["y"], mark["w"], mark["h"]))


def _paint_arrow(painter: QPainter, mark: Mark, style: Style) -> None:
    start, tip = QPointF(mark["x1"], mark["y1"]), QPointF(mark["x2"], mark["y2"])
    length = math.hypot(tip.x() - start.x(), tip.y() - start.y())
    head = min(style.stroke * 6, length)
    ux, uy = (tip.x() - start.x()) / length, (tip.y() - start.y()) / length
    base = QPointF(tip.x() - ux * head, tip.y() - uy * head)
    side = QPointF(-uy * head * 0.5, ux * head * 0.5)
    pen = _pen(mark, style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawLine(start, base)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color_of(mark)))
    painter.drawPolygon(QPolygonF([tip, base + side, base - side]))


def _paint_marker(painter: QPainter, mark: Mark, style: Style) -> None:
    center, radius = QPointF(mark["x"], mark["y"]), style.marker_radius
    painter.setPen(QPen(QColor(255, 255, 255), max(1.5, style.stroke / 2)))
    painter.setBrush(QBrush(color_of(mark)))
    painter.drawEllipse(center, radius, radius)
    painter.setPen(QColor(255, 255, 255))
    painter.setFont(marker_font(style))
    box = QRectF(center.x() - radius, center.y() - radius, 2 * radius, 2 * radius)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(mark["n"]))


def _paint_text(painter: QPainter, mark: Mark, style: Style) -> None:
    bounds = mark_bounds(mark, style)
    path = QPainterPath()
    path.addRoundedRect(bounds, style.padding, style.padding)
    painter.fillPath(path, TEXT_BACKGROUND)
    painter.setPen(QPen(color_of(mark), max(1.0, style.stroke / 2)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.setFont(text_font(style))
    inner = bounds.adjusted(style.padding, style.padding, -style.padding, -style.padding)
    painter.drawText(inner, 0, str(mark["text"]))
