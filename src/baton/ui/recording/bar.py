"""The small always-on-top bar while recording: elapsed time, level, pause, stop."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from baton.ui.recording.clip import seconds_text


class RecordBar(QWidget):
    """Shows how the recording goes; the controller connects the buttons."""

    pause_clicked = Signal()
    stop_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Baton — recording")
        self.setObjectName("recordBar")
        self.dot = QLabel("●")
        self.dot.setObjectName("recordDot")
        self.elapsed = QLabel(seconds_text(0))
        self.elapsed.setObjectName("recordElapsed")
        self.level = QProgressBar()
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setFixedWidth(70)
        self.level.setToolTip("Microphone level")
        self.pause = QPushButton("Pause")
        self.pause.clicked.connect(self.pause_clicked)
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("primaryButton")
        self.stop.clicked.connect(self.stop_clicked)
        self.note = QLabel()
        self.note.setObjectName("recordNote")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        for widget in (self.dot, self.elapsed, self.level, self.note, self.pause, self.stop):
            layout.addWidget(widget)
        self._blink = QTimer(self)
        self._blink.setInterval(600)
        self._blink.timeout.connect(lambda: self.dot.setVisible(not self.dot.isVisible()))
        self._blink.start()

    def show_state(self, elapsed: float, level: float, paused: bool, has_audio: bool) -> None:
        self.elapsed.setText(seconds_text(elapsed))
        self.level.setValue(int(min(1.0, level) * 100))
        self.level.setVisible(has_audio)
        self.pause.setText("Resume" if paused else "Pause")
        self.dot.setText("❚❚" if paused else "●")

    def say(self, text: str) -> None:
        self.note.setText(text)
