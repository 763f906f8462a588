"""3-2-1 before recording starts, so the owner can get ready."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Countdown(QWidget):
    """Counts down from ``seconds`` and emits ``finished`` (Esc emits ``cancelled``)."""

    finished = Signal()
    cancelled = Signal()

    def __init__(self, seconds: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Baton — get ready")
        self.setObjectName("countdown")
        self.remaining = seconds
        self.number = QLabel(str(seconds))
        self.number.setObjectName("countdownNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("Recording starts… (Esc cancels)")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number)
        layout.addWidget(hint)
        self.resize(260, 200)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        if self.remaining <= 0:
            QTimer.singleShot(0, self.finished.emit)
            return
        self.show()
        self._timer.start()

    def keyPressEvent(self, event: object) -> None:  # noqa: N802
        if getattr(event, "key", lambda: None)() == Qt.Key.Key_Escape:
            self._timer.stop()
            self.hide()
            self.cancelled.emit()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining > 0:
            self.number.setText(str(self.remaining))
            return
        self._timer.stop()
        self.hide()
        self.finished.emit()
