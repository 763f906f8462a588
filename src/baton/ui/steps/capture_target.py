"""Before capturing steps: which process they go to (one the owner picks, or a new one)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from baton.core.library import ProcessRow
from baton.ui.steps.capture import TOGGLE_LABEL

NEW = -1


@dataclass(frozen=True)
class CaptureTarget:
    """The process the steps go to (``process_id``), or the title of a new one."""

    process_id: int | None
    new_title: str = ""


class CaptureTargetDialog(QDialog):
    """Asks which process the captured steps are for. Use ``CaptureTargetDialog.ask``."""

    def __init__(self, processes: list[ProcessRow], selected: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Capture steps")
        self.setMinimumWidth(460)
        intro = QLabel(
            "Every click in other programs becomes a step with a screenshot, and typing "
            "becomes a “Type …” step. Baton steps aside while you work; press "
            f"{TOGGLE_LABEL} or Stop on the small bar to finish, and the new steps open "
            "in the step editor.")
        intro.setWordWrap(True)
        self.process = QComboBox()
        self.process.setAccessibleName("Steps for")
        for row in processes:
            suffix = f" ({row.step_count} steps so far)" if row.step_count else ""
            self.process.addItem(row.title + suffix, row.id)
        self.process.addItem("A new process…", NEW)
        index = self.process.findData(selected) if selected is not None else -1
        self.process.setCurrentIndex(index if index >= 0 else self.process.count() - 1)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Send the monthly invoices")
        self.title.setMaxLength(200)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Steps for", self.process)
        form.addRow("New process &title", self.title)
        form.addRow("", self.note)
        buttons = QDialogButtonBox()
        self.start = buttons.addButton("Start capturing", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.process.currentIndexChanged.connect(self._update)
        self.title.textChanged.connect(self._update)
        self._update()
        (self.title if self.is_new() else self.process).setFocus()

    def is_new(self) -> bool:
        return bool(self.process.currentData() == NEW)

    def _update(self) -> None:
        new = self.is_new()
        self.title.setEnabled(new)
        self.start.setEnabled(not new or bool(self.title.text().strip()))
        self.note.setText("The steps go after the ones it has." if not new else
                          "Baton adds the process to your Library as a draft.")

    def target(self) -> CaptureTarget:
        if self.is_new():
            return CaptureTarget(None, self.title.text().strip())
        return CaptureTarget(int(self.process.currentData()))

    @classmethod
    def ask(cls, parent: QWidget | None, processes: list[ProcessRow],
            selected: int | None) -> CaptureTarget | None:
        dialog = cls(processes, selected, parent)
        return dialog.target() if dialog.exec() == QDialog.DialogCode.Accepted else None
