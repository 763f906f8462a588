"""Baton's own icons: one small SVG set in the resources folder, drawn sharp at any scale.

Each icon is a 24×24 line drawing in one colour (``INK``); ``icon(name, color)`` paints it in
another (the sidebar's light text, say) by swapping that colour. Icons are rendered from
the SVG for every size and device pixel ratio Qt asks for, so they stay crisp on HiDPI
screens; a disabled icon is the same drawing, faded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from baton.paths import resource

INK = "#34495e"
"""The colour the SVG files are drawn in."""
SIDEBAR_INK = "#dfe6ee"


def resource_file(*parts: str) -> Path:
    """A file of Baton's own resources (the stylesheet, icons, the example process)."""
    return resource(*parts)


def icon_file(name: str) -> Path:
    return resource_file("icons", f"{name}.svg")


class SvgIconEngine(QIconEngine):
    """Renders one SVG at whatever size and scale Qt asks for."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if mode is QIcon.Mode.Disabled:
            painter.setOpacity(0.35)
        side = min(rect.width(), rect.height())
        square = QRectF(rect.x() + (rect.width() - side) / 2,
                        rect.y() + (rect.height() - side) / 2, side, side)
        self._renderer.render(painter, square)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode,  # noqa: N802
                     state: QIcon.State, scale: float) -> QPixmap:
        pixels = QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pixmap = QPixmap(pixels)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), pixels), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._svg)

    def key(self) -> str:
        return "baton-svg"


@cache
def _svg(name: str, color: str) -> bytes | None:
    path = icon_file(name)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").replace(INK, color).encode("utf-8")


def icon(name: str, color: str = INK) -> QIcon:
    """The icon ``name`` from Baton's set (a freedesktop theme icon if the set lacks it)."""
    data = _svg(name, QColor(color).name())
    if data is None:
        return QIcon.fromTheme(name)
    return QIcon(SvgIconEngine(data))


def has_icon(name: str) -> bool:
    return icon_file(name).is_file()


def with_dot(base: QIcon, color: str = "#d64541", size: int = 64) -> QIcon:
    """``base`` with a coloured dot in its corner (the tray while Baton records or captures)."""
    icon = QIcon()
    for side in (16, 22, 24, 32, size):
        pixmap = base.pixmap(QSize(side, side))
        if pixmap.isNull():
            continue
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        radius = side * 0.22
        painter.drawEllipse(QRectF(side - 2 * radius - 1, side - 2 * radius - 1,
                                   2 * radius, 2 * radius))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
