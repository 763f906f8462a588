"""Steps from a video: which video, and how much of the screen must change for a new step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

OWN_RECORDING = "own"
A_FILE = "file"


@dataclass(frozen=True)
class ScenesRequest:
    video: Path
    threshold: float
    min_gap: float


class ScenesDialog(QDialog):
    """Use ``ScenesDialog.ask`` (tests replace it)."""

    def __init__(self, recording: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Steps from a video")
        self._recording = recording
        self.source = QComboBox()
        if recording is not None:
            self.source.addItem("This process's recording", OWN_RECORDING)
        self.source.addItem("A video file…", A_FILE)
        self.sensitivity = QSlider(Qt.Orientation.Horizontal)
        self.sensitivity.setRange(1, 30)  # per cent of the screen that must change
        self.sensitivity.setValue(5)
        self.sensitivity_text = QLabel()
        self.sensitivity.valueChanged.connect(self._show_sensitivity)
        self.gap = QDoubleSpinBox()
        self.gap.setRange(0.2, 30.0)
        self.gap.setValue(1.0)
        self.gap.setSuffix(" s")
        form = QFormLayout()
        form.addRow("&Video", self.source)
        form.addRow("&New step when", self.sensitivity)
        form.addRow("", self.sensitivity_text)
        form.addRow("&At least apart", self.gap)
        buttons = QDialogButtonBox()
        buttons.addButton("Make steps", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._show_sensitivity(self.sensitivity.value())

    def _show_sensitivity(self, percent: int) -> None:
        self.sensitivity_text.setText(
            f"{percent}% of the screen changes (lower makes more steps)"
        )

    def request(self, video: Path) -> ScenesRequest:
        return ScenesRequest(video, self.sensitivity.value() / 100, self.gap.value())

    def chosen_video(self) -> Path | None:
        if self.source.currentData() == OWN_RECORDING:
            return self._recording
        path, _ = QFileDialog.getOpenFileName(self, "Choose a video", str(Path.home()),
                                              "Videos (*.mp4 *.mkv *.mov *.webm *.avi)")
        return Path(path) if path else None

    @classmethod
    def ask(cls, parent: QWidget | None, recording: Path | None) -> ScenesRequest | None:
        dialog = cls(recording, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        video = dialog.chosen_video()
        return dialog.request(video) if video is not None else None
