"""Before recording: which screen area, quality, frame rate, key captions."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Monitor, Region
from baton.capture.recording.request import RecordingRequest
from baton.ui.recording.microphone import MicrophonePicker

DRAW = "draw"
DESKTOP = "desktop"
QUALITIES = (("Balanced", "balanced"), ("Small file", "small"), ("Sharp text", "sharp"))


@dataclass(frozen=True)
class Setup:
    request: RecordingRequest
    draw_region: bool  # True: let the user draw the area next


class SetupDialog(QDialog):
    """Use ``SetupDialog.ask`` (tests replace it)."""

    def __init__(
        self,
        monitors: list[Monitor],
        windows: list[WindowInfo],
        fps: int,
        quality: str,
        show_keys: bool,
        microphone_note: str,
        parent: QWidget | None = None,
        microphone: MicrophonePicker | None = None,
        desktop_chooses: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New recording")
        self.area = QComboBox()
        if desktop_chooses:  # Wayland: the desktop's own dialog asks, after Start
            self.area.addItem("The screen you choose in your desktop's sharing dialog",
                              (DESKTOP, None))
        for monitor in monitors:
            size = f"{monitor.region.width}×{monitor.region.height}"
            scale = f" at {monitor.scale:.0%}" if monitor.scale != 1.0 else ""
            label = f"Screen {monitor.index} — {size}{scale}" + (
                " (main)" if monitor.primary else "")
            self.area.addItem(label, ("monitor", monitor.index))
        for window in windows:
            self.area.addItem(f"Window: {window.title[:60]}", ("window", window.region))
        if not desktop_chooses:  # drawing needs a picture of the screens Baton can see
            self.area.addItem("An area I draw…", (DRAW, None))
        self.fps = QComboBox()
        for rate in (10, 15, 30, 60):
            self.fps.addItem(f"{rate} frames a second", rate)
        self.fps.setCurrentIndex(max(0, self.fps.findData(fps)))
        self.quality = QComboBox()
        for label, name in QUALITIES:
            self.quality.addItem(label, name)
        self.quality.setCurrentIndex(max(0, self.quality.findData(quality)))
        self.show_keys = QCheckBox("Show the keys I press (never in password fields)")
        self.show_keys.setChecked(show_keys)
        self.microphone = microphone
        note = QLabel(microphone_note)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Record", self.area)
        form.addRow("&Quality", self.quality)
        form.addRow("&Smoothness", self.fps)
        form.addRow("", self.show_keys)
        if microphone is not None:
            form.addRow("&Microphone", microphone)
        else:
            form.addRow("Narration", note)
        buttons = QDialogButtonBox()
        buttons.addButton("Start recording", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        hint = QLabel("Stop with the Stop button, or Ctrl+Alt+S from anywhere.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def setup(self) -> Setup:
        kind, value = self.area.currentData()
        monitor = value if kind == "monitor" else None
        region = value if kind == "window" and isinstance(value, Region) else None
        request = RecordingRequest(
            monitor=monitor, region=region, fps=int(self.fps.currentData()),
            quality=str(self.quality.currentData()), show_keys=self.show_keys.isChecked(),
            microphone=self.microphone.microphone() if self.microphone is not None else "",
        )
        return Setup(request, draw_region=kind == DRAW)

    @classmethod
    def ask(cls, parent: QWidget | None, **options: object) -> Setup | None:
        dialog = cls(parent=parent, **options)  # type: ignore[arg-type]
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.setup()
        return None
