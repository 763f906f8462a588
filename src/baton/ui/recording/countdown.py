"""3-2-1 before recording (or capturing steps) starts, so the owner can get ready."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Countdown(QWidget):
    """Counts down from ``seconds`` in big digits in the middle of the main screen and emits
    ``finished`` (Esc emits ``cancelled``)."""

    finished = Signal()
    cancelled = Signal()

    def __init__(self, seconds: int, message: str = "Recording starts… (Esc cancels)",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Baton — get ready")
        self.setObjectName("countdown")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.remaining = seconds
        self.number = QLabel(str(seconds))
        self.number.setObjectName("countdownNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(message)
        self.hint.setObjectName("countdownHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number, 1)
        layout.addWidget(self.hint)
        self.resize(320, 240)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        if self.remaining <= 0:
            QTimer.singleShot(0, self.finished.emit)
            return
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.move(screen.availableGeometry().center() - self.rect().center())
        self.show()
        self.raise_()
        self.activateWindow()
        self._timer.start()

    def cancel(self) -> None:
        """Stop counting; nothing starts."""
        self._timer.stop()
        self.hide()
        self.cancelled.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining > 0:
            self.number.setText(str(self.remaining))
            return
        self._timer.stop()
        self.hide()
        self.finished.emit()
