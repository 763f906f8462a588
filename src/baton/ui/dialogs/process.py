"""The form for a process's details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from baton.core.library import ProcessDraft, ProcessRow
from baton.core.states import Audience, Complexity, ProcessStatus
from baton.ui.dialogs.form import FormDialog
from baton.ui.widgets import EnumCombo


class ProcessDialog(FormDialog[ProcessDraft]):
    """Create or edit a process. Use ``ProcessDialog.ask`` (tests replace it)."""

    def __init__(self, row: ProcessRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit process" if row else "New process", parent)
        self.title = QLineEdit(row.title if row else "")
        self.title.setPlaceholderText("e.g. Send the monthly invoices")
        self.title.setMaxLength(200)
        self.summary = QPlainTextEdit(row.summary if row else "")
        self.summary.setPlaceholderText("What it is for, when it is done, what done looks like")
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(80)
        self.audience: QComboBox = EnumCombo(Audience, row.audience if row else Audience.INTERNAL)
        self.complexity: QComboBox = EnumCombo(
            Complexity, row.complexity if row else Complexity.SIMPLE
        )
        self.status: QComboBox = EnumCombo(ProcessStatus, row.status if row else ProcessStatus.IDEA)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 24 * 60)
        self.minutes.setSuffix(" min")
        self.minutes.setValue(row.minutes_per_run if row else 0)
        self.runs = QDoubleSpinBox()
        self.runs.setRange(0, 1000)
        self.runs.setDecimals(1)
        self.runs.setValue(row.runs_per_week if row else 0)

        form = self.form
        form.addRow("&Title", self.title)
        form.addRow("S&ummary", self.summary)
        form.addRow("&Audience", self.audience)
        form.addRow("&Complexity", self.complexity)
        form.addRow("&Minutes per run", self.minutes)
        form.addRow("&Runs per week", self.runs)
        form.addRow("St&atus", self.status)
        self.first_field = self.title
        self.finish()

    def draft(self) -> ProcessDraft:
        return ProcessDraft(
            title=self.title.text(),
            summary=self.summary.toPlainText().strip(),
            audience=Audience(self.audience.currentData()),
            complexity=Complexity(self.complexity.currentData()),
            minutes_per_run=self.minutes.value(),
            runs_per_week=self.runs.value(),
            status=ProcessStatus(self.status.currentData()),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, row: ProcessRow | None = None) -> ProcessDraft | None:
        return cls(row, parent).result_or_none()
