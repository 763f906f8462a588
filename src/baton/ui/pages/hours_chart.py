"""A small horizontal bar chart of hours a week each assistant took over (QPainter)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from baton.core.dashboard import AssistantHours

BAR = QColor("#e8833a")
TEXT = QColor("#24303f")


class HoursChart(QWidget):
    """Draws one bar per assistant; says what to do when there is nothing to draw."""

    ROW = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AssistantHours] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.ROW * 2)

    def set_rows(self, rows: list[AssistantHours]) -> None:
        self._rows = rows[:8]
        self.setFixedHeight(max(2, len(self._rows)) * self.ROW + 8)
        self.update()

    def rows(self) -> list[AssistantHours]:
        return list(self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, max(2, len(self._rows)) * self.ROW + 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(TEXT)
        if not self._rows:
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                "No hours handed off yet: they count once an assistant works independently.",
            )
            return
        label_width = min(180, self.width() // 3)
        top = max(row.hours_per_week for row in self._rows) or 1.0
        bar_space = max(10, self.width() - label_width - 70)
        for index, row in enumerate(self._rows):
            y = 4 + index * self.ROW
            painter.setPen(TEXT)
            painter.drawText(QRectF(0, y, label_width - 8, self.ROW - 6),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             row.assistant_name)
            width = bar_space * row.hours_per_week / top
            painter.fillRect(QRectF(label_width, y + 3, max(2.0, width), self.ROW - 12), BAR)
            painter.drawText(QRectF(label_width + width + 6, y, 64, self.ROW - 6),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{row.hours_per_week:.1f} h")
        painter.end()
