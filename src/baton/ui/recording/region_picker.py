"""Draw the area to record on a see-through layer over the whole desktop."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from baton.capture.platform.screens import Region

MIN_SIDE = 64


class RegionPicker(QWidget):
    """Drag to select; Enter or releasing the mouse accepts, Esc cancels.

    ``picked`` carries the area in physical pixels (logical pixels times the screen's
    device pixel ratio), which is what the recorder grabs.
    """

    picked = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool)
        self.setWindowTitle("Baton — choose the area to record")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setCursor(Qt.CursorShape.CrossCursor)
        desktop = QRect()
        for screen in QGuiApplication.screens():
            desktop = desktop.united(screen.geometry())
        self.setGeometry(desktop)
        self._origin: QPoint | None = None
        self.selection = QRect()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 90))
        if not self.selection.isNull():
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
            painter.fillRect(self.selection, Qt.GlobalColor.transparent)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            painter.setPen(QColor("#e8833a"))
            painter.drawRect(self.selection.adjusted(0, 0, -1, -1))
            painter.setPen(QColor("white"))
            size = self.physical(self.selection)
            painter.drawText(self.selection.topLeft() + QPoint(6, -6),
                             f"{size.width} × {size.height}")
        else:
            painter.setPen(QColor("white"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "Drag over the area to record. Esc cancels.")
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._origin = event.position().toPoint()
        self.selection = QRect(self._origin, self._origin)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None:
            self.selection = QRect(self._origin, event.position().toPoint()).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None:
            self.selection = QRect(self._origin, event.position().toPoint()).normalized()
        self._origin = None
        if self.selection.width() >= MIN_SIDE and self.selection.height() >= MIN_SIDE:
            self._accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.cancelled.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.selection.isNull():
            self._accept()

    def physical(self, logical: QRect) -> Region:
        """``logical`` (widget coordinates) in the physical pixels of the screen under it."""
        top_left = self.mapToGlobal(logical.topLeft())
        screen = QGuiApplication.screenAt(top_left) or QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio()
        origin = screen.geometry().topLeft()
        return Region(
            round(origin.x() * ratio + (top_left.x() - origin.x()) * ratio),
            round(origin.y() * ratio + (top_left.y() - origin.y()) * ratio),
            round(logical.width() * ratio),
            round(logical.height() * ratio),
        )

    def _accept(self) -> None:
        region = self.physical(self.selection)
        self.hide()
        self.picked.emit(region)
