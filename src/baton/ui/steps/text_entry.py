"""Typing a text mark right where it goes on the screenshot (no dialog in between).

Enter keeps the text, Escape drops it, and clicking elsewhere keeps what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from baton.core.marks import MAX_LABEL


class InlineTextEntry(QLineEdit):
    """A small field over the canvas at the mark's place.

    Signals:
        done(text): the owner finished typing (Enter, or the focus moved away).
        cancelled(): Escape: no mark is made or changed.
    """

    done = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget, at: QPoint, text: str = "",
                 pixel_size: int = 14) -> None:
        super().__init__(text, parent)
        self.setObjectName("inlineText")
        self.setAccessibleName("Text on the screenshot")
        self.setPlaceholderText("Type, then Enter")
        self.setMaxLength(MAX_LABEL)
        font = self.font()
        font.setPixelSize(max(12, min(pixel_size, 40)))
        font.setBold(True)
        self.setFont(font)
        self.setMinimumWidth(180)
        self.adjustSize()
        # Keep the whole field on the canvas, even for a mark near its right or bottom edge.
        x = min(max(at.x(), 0), max(parent.width() - self.width(), 0))
        y = min(max(at.y(), 0), max(parent.height() - self.height(), 0))
        self.move(x, y)
        self._finished = False
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.finish(keep=False)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(keep=True)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.finish(keep=True)

    def finish(self, *, keep: bool) -> None:
        """Report once, then go away."""
        if self._finished:
            return
        self._finished = True
        self.hide()
        if keep:
            self.done.emit(self.text())
        else:
            self.cancelled.emit()
        self.deleteLater()
