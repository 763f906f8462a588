"""Hide areas of a recording: draw solid boxes on one of its pictures, for the whole take or
a stretch of it. The recording itself is never painted; packages get the boxes burned in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from baton.core.marks import Mark
from baton.handoff.video_plan import TimedBox
from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.tools import Tool

WHOLE_TAKE_SLACK = 0.05
"""An end this close to the video's end means "to the end"."""


def picture_at(video: Path, seconds: float) -> QImage:
    """The video's picture at a moment, as a QImage (decoded with PyAV).

    Raises:
        UserError: the video cannot be read.
    """
    from baton.handoff.step_boxes import frame_at

    bgr = np.ascontiguousarray(frame_at(video, seconds))
    height, width = bgr.shape[:2]
    image = QImage(bgr.data, width, height, bgr.strides[0], QImage.Format.Format_BGR888)
    return image.copy()  # owns its pixels once ``bgr`` is gone


class HideAreaDialog(QDialog):
    """One picture of the recording to draw boxes on, and the stretch they cover.

    Use ``HideAreaDialog.ask`` (tests replace it).
    """

    def __init__(self, image: QImage, duration: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hide an area of the video")
        self.resize(900, 640)
        self.duration = duration
        self.boxes: list[Mark] = []
        hint = QLabel("Draw a box over each thing the assistant must not see. The box is "
                      "burned into the video you send; your recording stays as it is.")
        hint.setWordWrap(True)
        self.canvas = AnnotationCanvas()
        self.canvas.set_image(image)
        self.canvas.set_tool(Tool.REDACT)
        self.canvas.setAccessibleName("Picture of the recording")
        self.canvas.marks_edited.connect(self._edited)
        self.start = self._seconds(0.0)
        self.end = self._seconds(duration)
        self.start.setAccessibleName("Hide from")
        self.end.setAccessibleName("Hide until")
        form = QFormLayout()
        form.addRow("&From (seconds)", self.start)
        form.addRow("&Until (seconds)", self.end)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Hide")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._edited([], [], "")
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    def _seconds(self, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(0.0, max(self.duration, 0.0))
        box.setDecimals(1)
        box.setSingleStep(0.5)
        box.setValue(value)
        return box

    def _edited(self, annotations: list[Mark], redactions: list[Mark], _key: str) -> None:
        self.boxes = [dict(box) for box in redactions]
        self.canvas.set_marks([], self.boxes)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.boxes))

    def chosen(self) -> list[TimedBox]:
        """The boxes drawn, each over the chosen stretch (end None: to the end)."""
        start = self.start.value()
        end: float | None = self.end.value()
        if end is not None and end >= self.duration - WHOLE_TAKE_SLACK:
            end = None
        if end is not None and end <= start:
            return []
        return [TimedBox(int(b["x"]), int(b["y"]), int(b["w"]), int(b["h"]), start, end)
                for b in self.boxes]

    @classmethod
    def ask(cls, parent: QWidget | None, image: QImage, duration: float) -> list[TimedBox]:
        dialog = cls(image, duration, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.chosen()
        return []


def describe(boxes: list[TimedBox]) -> str:
    """What the review dialog says about the boxes drawn so far."""
    if not boxes:
        return ""
    whole = sum(1 for box in boxes if box.start <= 0 and box.end is None)
    parts = [f"{whole} for the whole take"] if whole else []
    if len(boxes) > whole:
        parts.append(f"{len(boxes) - whole} for a stretch")
    return f"Hidden in the video: {len(boxes)} box{'es' if len(boxes) > 1 else ''} (" + \
        ", ".join(parts) + ")"
