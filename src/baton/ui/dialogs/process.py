"""The form for a process's details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
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
        self.runs.setDecimals(2)  # 0.25 a week stays 0.25
        self.runs.setSuffix(" times")
        self.runs.setAccessibleName("How often")
        self.per = QComboBox()
        self.per.addItem("a week", "week")
        self.per.addItem("a month", "month")
        self.per.setAccessibleName("per")
        monthly = monthly_count(row.runs_per_week) if row else None
        self.runs.setValue(monthly if monthly is not None else (row.runs_per_week if row else 0))
        self.per.setCurrentIndex(1 if monthly is not None else 0)
        often = QWidget()
        often_row = QHBoxLayout(often)
        often_row.setContentsMargins(0, 0, 0, 0)
        often_row.addWidget(self.runs, 1)
        often_row.addWidget(self.per)
        self.often_label = QLabel("&How often")
        self.often_label.setBuddy(self.runs)

        form = self.form
        form.addRow("&Title", self.title)
        form.addRow("S&ummary", self.summary)
        form.addRow("&Audience", self.audience)
        form.addRow("&Complexity", self.complexity)
        form.addRow("&Minutes per run", self.minutes)
        form.addRow(self.often_label, often)
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
            runs_per_week=self.runs_per_week(),
            status=ProcessStatus(self.status.currentData()),
        )

    def runs_per_week(self) -> float:
        """What was typed, as runs a week (a month is 52/12 weeks)."""
        value = self.runs.value()
        return value * 12 / 52 if self.per.currentData() == "month" else value

    @classmethod
    def ask(cls, parent: QWidget | None, row: ProcessRow | None = None) -> ProcessDraft | None:
        return cls(row, parent).result_or_none()


def monthly_count(runs_per_week: float) -> float | None:
    """How many times a month, when that reads better than a fraction of a week."""
    if runs_per_week <= 0 or runs_per_week >= 1:
        return None
    monthly = runs_per_week * 52 / 12
    nearest = round(monthly * 2) / 2  # whole or half times a month
    return nearest if nearest > 0 and abs(monthly - nearest) < 0.01 else None
