"""The form for an assistant's details."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from baton.core.assistants import HIRED_VIA_SUGGESTIONS, AssistantDraft, AssistantRow
from baton.core.states import Arrangement, Engagement
from baton.ui.dialogs.form import FormDialog
from baton.ui.widgets import EnumCombo, qdate


class AssistantDialog(FormDialog[AssistantDraft]):
    """Create or edit an assistant. Use ``AssistantDialog.ask`` (tests replace it)."""

    def __init__(self, row: AssistantRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit assistant" if row else "New assistant", parent)
        self.name = QLineEdit(row.name if row else "")
        self.name.setMaxLength(200)
        self.email = QLineEdit(row.email if row else "")
        self.email.setPlaceholderText("name@example.com")
        self.arrangement: QComboBox = EnumCombo(
            Arrangement, row.arrangement if row else Arrangement.ON_SITE
        )
        self.engagement: QComboBox = EnumCombo(
            Engagement, row.engagement if row else Engagement.PART_TIME
        )
        self.hired_via = QLineEdit(row.hired_via if row else "")
        self.hired_via.setPlaceholderText("Upwork, Indeed, referral, agency...")
        self.hired_via.setCompleter(QCompleter(list(HIRED_VIA_SUGGESTIONS), self))
        self.time_zone = QLineEdit(row.time_zone if row else "")
        self.time_zone.setPlaceholderText("e.g. Asia/Manila")
        self.has_start = QCheckBox("Known")
        self.started_on = QDateEdit()
        self.started_on.setCalendarPopup(True)
        self.started_on.setDisplayFormat("yyyy-MM-dd")
        start = row.started_on if row and row.started_on else None
        self.has_start.setChecked(start is not None)
        self.started_on.setDate(qdate(start) if start else QDate.currentDate())
        self.started_on.setEnabled(start is not None)
        self.has_start.toggled.connect(self.started_on.setEnabled)
        self.notes = QPlainTextEdit(row.notes if row else "")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        self.active = QCheckBox("Currently working with me")
        self.active.setChecked(row.active if row else True)

        form = self.form
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        form.addRow("&Arrangement", self.arrangement)
        form.addRow("En&gagement", self.engagement)
        form.addRow("&Hired via", self.hired_via)
        form.addRow("&Time zone", self.time_zone)
        form.addRow("&Started on", self.started_on)
        form.addRow("", self.has_start)
        form.addRow("N&otes", self.notes)
        form.addRow("", self.active)
        self.first_field = self.name
        self.finish()

    def draft(self) -> AssistantDraft:
        started: date | None = None
        if self.has_start.isChecked():
            started = self.started_on.date().toPython()  # type: ignore[assignment]
        return AssistantDraft(
            name=self.name.text(),
            email=self.email.text(),
            arrangement=Arrangement(self.arrangement.currentData()),
            engagement=Engagement(self.engagement.currentData()),
            hired_via=self.hired_via.text().strip(),
            time_zone=self.time_zone.text().strip(),
            started_on=started,
            notes=self.notes.toPlainText().strip(),
            active=self.active.isChecked(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, row: AssistantRow | None = None) -> AssistantDraft | None:
        return cls(row, parent).result_or_none()
