"""A form dialog that checks what was typed before it closes (one error line, Save/Cancel)."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from baton.errors import UserError


class Draft(Protocol):
    def validate(self) -> None: ...


D = TypeVar("D", bound=Draft)


class FormDialog(QDialog, Generic[D]):
    """Subclasses fill ``form``, implement ``draft()``, and name the field to focus on error."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.first_field: QWidget | None = None
        self.draft_result: D | None = None

    def finish(self) -> None:
        """Add the error line and the buttons under the form (call at the end of __init__)."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def draft(self) -> D:
        raise NotImplementedError

    def accept(self) -> None:
        draft = self.draft()
        try:
            draft.validate()
        except UserError as error:
            self.error.setText(str(error))
            self.error.show()
            if self.first_field is not None:
                self.first_field.setFocus()
            return
        self.draft_result = draft
        super().accept()

    def result_or_none(self) -> D | None:
        return self.draft_result if self.exec() == QDialog.DialogCode.Accepted else None


