"""Record a check-in with an assistant: how it went, the new status, the next check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from baton.core.handoffs import HandoffRow
from baton.core.states import HandoffStatus
from baton.ui.widgets import EnumCombo, qdate


@dataclass(frozen=True)
class CheckIn:
    status: HandoffStatus
    note: str
    next_due: date | None


class CheckInDialog(QDialog):
    """Use ``CheckInDialog.ask`` (tests replace it)."""

    def __init__(self, row: HandoffRow, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Check in: {row.assistant_name} — {row.process_title}")
        self.setMinimumWidth(440)
        self.status: QComboBox = EnumCombo(HandoffStatus, row.status)
        revoked = self.status.findData(HandoffStatus.REVOKED.value)
        self.status.removeItem(revoked)  # revoking is its own, deliberate action
        # Only sending sets "preparing" (its package is being written).
        self.status.removeItem(self.status.findData(HandoffStatus.PREPARING.value))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("How is it going? What did you agree?")
        self.note.setTabChangesFocus(True)
        self.has_due = QCheckBox("Check in again on")
        self.has_due.setChecked(True)
        self.due = QDateEdit(qdate(today + timedelta(days=7)))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.has_due.toggled.connect(self.due.setEnabled)
        form = QFormLayout()
        form.addRow("&Status", self.status)
        form.addRow("&Note", self.note)
        form.addRow(self.has_due, self.due)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def result_value(self) -> CheckIn:
        due = self.due.date().toPython() if self.has_due.isChecked() else None
        return CheckIn(
            HandoffStatus(self.status.currentData()),
            self.note.toPlainText().strip(),
            due if isinstance(due, date) else None,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, row: HandoffRow, today: date) -> CheckIn | None:
        dialog = cls(row, today, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
