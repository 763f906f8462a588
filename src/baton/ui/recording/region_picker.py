"""Draw the area to record over a frozen picture of every screen.

One window covers each screen and shows what that screen showed when the picker opened,
dimmed, with the chosen area in full brightness: no compositor is needed (a see-through
window without one is an opaque black layer). Each window paints in its screen's physical
pixels, and every position is mapped to physical pixels through the screen it belongs to
(``screen_map``), so an area is exact to the pixel on any mix of scales and layouts.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QScreen,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from baton.capture.platform.screens import Region
from baton.ui.recording.qt_screens import screen_areas
from baton.ui.recording.screen_map import ScreenArea, selection

MIN_SIDE = 32
"""A drag smaller than this (physical pixels) is taken for a slip, not an area."""
DIM = QColor(0, 0, 0, 110)
EDGE = QColor("#e8833a")


class RegionPicker(QObject):
    """Drag to select; releasing the mouse (or Enter) accepts, Esc cancels.

    ``picked`` carries the area in physical pixels, which is what the recorder grabs.

    Args:
        monitors: ``(name, physical area)`` of each monitor, to match Qt's screens with
            (see ``screen_map.match_physical``).
    """

    picked = Signal(object)
    cancelled = Signal()

    def __init__(self, monitors: list[tuple[str, Region]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        pairs = screen_areas(monitors or [])
        # Every screen is photographed before any picker window covers one.
        pictures = [screen.grabWindow(0) for screen, _area in pairs]
        self.shades = [ScreenShade(self, screen, area, picture)
                       for (screen, area), picture in zip(pairs, pictures, strict=True)]
        areas = [shade.area.physical for shade in self.shades]
        left, top = min(a.left for a in areas), min(a.top for a in areas)
        self.desktop = Region(left, top, max(a.right for a in areas) - left,
                              max(a.bottom for a in areas) - top)
        self.selection: Region | None = None
        self._anchor: tuple[int, int] | None = None

    # -- what the controller calls --------------------------------------------------------

    def show(self) -> None:
        for shade in self.shades:
            shade.show()

    def activateWindow(self) -> None:  # noqa: N802 - the QWidget name the controller uses
        if self.shades:
            self.shades[0].raise_()
            self.shades[0].activateWindow()

    def hide(self) -> None:
        for shade in self.shades:
            shade.hide()

    # -- what the windows report, in physical pixels ----------------------------------------

    def press(self, point: tuple[int, int]) -> None:
        self._anchor = point
        self._select(selection(point, point, self.desktop))

    def drag(self, point: tuple[int, int]) -> None:
        if self._anchor is not None:
            self._select(selection(self._anchor, point, self.desktop))

    def release(self, point: tuple[int, int]) -> None:
        if self._anchor is None:
            return
        self._select(selection(self._anchor, point, self.desktop))
        self._anchor = None
        area = self.selection
        if area is not None and area.width >= MIN_SIDE and area.height >= MIN_SIDE:
            self.accept()

    def accept(self) -> None:
        area = self.selection
        if area is None or area.width == 0 or area.height == 0:
            return
        self.hide()
        self.picked.emit(area)

    def cancel(self) -> None:
        self.hide()
        self.cancelled.emit()

    def _select(self, area: Region) -> None:
        self.selection = area
        for shade in self.shades:
            shade.update()


class ScreenShade(QWidget):
    """The picker's window on one screen: the frozen picture, dimmed outside the area."""

    def __init__(self, picker: RegionPicker, screen: QScreen, area: ScreenArea,
                 picture: QPixmap) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.setWindowTitle("Baton — choose the area to record")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.picker = picker
        self.area = area
        self.picture = picture
        self.picture.setDevicePixelRatio(1.0)  # painted pixel for pixel (see paintEvent)
        self.setScreen(screen)
        geometry = area.logical
        self.setGeometry(QRect(geometry.left, geometry.top, geometry.width, geometry.height))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        # Undo the screen's scale: from here on one unit is one physical pixel.
        painter.setTransform(QTransform.fromScale(1 / self.area.scale_x, 1 / self.area.scale_y))
        size = self.area.physical
        whole = QRect(0, 0, size.width, size.height)
        if self.picture.isNull():
            painter.fillRect(whole, QColor(40, 40, 40))
        else:
            painter.drawPixmap(0, 0, self.picture)
        chosen = self.picker.selection
        part = self.area.local_rect(chosen) if chosen is not None else None
        if part is None:
            painter.fillRect(whole, DIM)
        else:
            x, y, width, height = part
            inside = QRect(x, y, width, height)
            for band in (QRect(0, 0, size.width, y),
                         QRect(0, y + height, size.width, size.height - y - height),
                         QRect(0, y, x, height),
                         QRect(x + width, y, size.width - x - width, height)):
                if band.width() > 0 and band.height() > 0:
                    painter.fillRect(band, DIM)
            painter.setPen(EDGE)
            painter.drawRect(inside.adjusted(-1, -1, 0, 0))  # just outside the area
        self._paint_text(painter, whole, chosen)
        painter.end()

    def _paint_text(self, painter: QPainter, whole: QRect, chosen: Region | None) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(12, round(14 * self.area.scale_y)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        if chosen is None or chosen.width == 0:
            painter.drawText(whole, Qt.AlignmentFlag.AlignCenter,
                             "Drag over the area to record. Esc cancels.")
            return
        corner = self.area.local_rect(Region(chosen.left, chosen.top, 1, 1))
        if corner is not None:  # the size shows beside the area's top-left corner
            x, y = corner[0] + 6, max(font.pixelSize() + 4, corner[1] - 6)
            painter.drawText(x, y, f"{chosen.width} × {chosen.height}")

    def _physical(self, event: QMouseEvent) -> tuple[int, int]:
        position: QPointF = event.position()
        return self.area.point_to_physical(position.x(), position.y())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.picker.press(self._physical(event))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.picker.drag(self._physical(event))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.picker.release(self._physical(event))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.picker.cancel()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picker.accept()
