"""Send a process to an assistant: who, when to check in, what changed, where the file goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baton.core.assistants import AssistantRow
from baton.core.library import ProcessRow
from baton.ui.widgets import qdate

EMAIL_BUDGET = 25_000_000


@dataclass(frozen=True)
class SendRequest:
    assistant_id: int
    due_on: date | None
    note: str
    folder: Path
    size_budget: int | None


class SendDialog(QDialog):
    """Use ``SendDialog.ask`` (tests replace it)."""

    def __init__(
        self,
        process: ProcessRow,
        assistants: list[AssistantRow],
        today: date,
        due_days: int,
        folder: Path,
        warn: object,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Send “{process.title}”")
        self.setMinimumWidth(500)
        self._warn = warn
        self._process = process
        self.assistant = QComboBox()
        for row in assistants:
            if row.active:
                self.assistant.addItem(row.name, row.id)
        self.warning = QLabel()
        self.warning.setObjectName("ladderWarning")
        self.warning.setWordWrap(True)
        self.has_due = QCheckBox("Check in by")
        self.has_due.setChecked(True)
        self.due = QDateEdit(qdate(today + timedelta(days=due_days)))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.has_due.toggled.connect(self.due.setEnabled)
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed since the last version (optional)")
        self.folder = QLineEdit(str(folder))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        where_box = QWidget()  # a widget, so the row's label can name its field (Alt+T)
        where = QHBoxLayout(where_box)
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        save_to = QLabel("Save &to")
        save_to.setBuddy(self.folder)
        self.email = QCheckBox("Make it small enough to email (25 MB)")
        form = QFormLayout()
        form.addRow("&Assistant", self.assistant)
        form.addRow("", self.warning)
        form.addRow(self.has_due, self.due)
        form.addRow("&Changes", self.note)
        form.addRow(save_to, where_box)
        form.addRow("", self.email)
        buttons = QDialogButtonBox()
        self.send = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.assistant.currentIndexChanged.connect(self._update_warning)
        self.send.setEnabled(self.assistant.count() > 0)
        if not self.assistant.count():
            self.warning.setText("Add an active assistant first (Assistants, Ctrl+Shift+N).")
        self._update_warning()

    def _update_warning(self) -> None:
        assistant_id = self.assistant.currentData()
        if assistant_id is None or not callable(self._warn):
            return
        text = self._warn(self._process.id, int(assistant_id))
        self.warning.setText(text or "")
        self.warning.setVisible(bool(text))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the package in", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def request(self) -> SendRequest:
        due = self.due.date().toPython() if self.has_due.isChecked() else None
        return SendRequest(
            assistant_id=int(self.assistant.currentData()),
            due_on=due if isinstance(due, date) else None,
            note=self.note.text().strip(),
            folder=Path(self.folder.text()).expanduser(),
            size_budget=EMAIL_BUDGET if self.email.isChecked() else None,
        )

    @classmethod
    def ask(cls, parent: QWidget | None, **options: object) -> SendRequest | None:
        dialog = cls(parent=parent, **options)  # type: ignore[arg-type]
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.request()
        return None
