"""Answer an assistant's question: which step it is about, the question, the answer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baton.core.questions import MAX_ANSWER, QuestionRow

OpenStep = Callable[[QuestionRow], None]
"""Opens the process's step editor at the step a question is about."""


class AnswerDialog(QDialog):
    """Use ``AnswerDialog.ask`` (tests replace it)."""

    def __init__(
        self, question: QuestionRow, open_step: OpenStep | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Modal to the main window only, so the step editor opened from here stays usable.
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowTitle(f"Answer {question.assistant_name}")
        self.setMinimumWidth(480)
        about = QLabel(
            f"<b>{_html(question.assistant_name)}</b> asked about {_html(question.about())} "
            f"of “{_html(question.process_title)}” (version {question.version_number}):")
        about.setWordWrap(True)
        about.setObjectName("questionAbout")
        asked = QLabel(question.text)
        asked.setObjectName("questionText")
        asked.setWordWrap(True)
        self.answer = QPlainTextEdit(question.answer)
        self.answer.setPlaceholderText("Your answer")
        self.answer.setTabChangesFocus(True)
        self.answer.setAccessibleName("Your answer")
        hint = QLabel(f"Your answer goes into the next package you send "
                      f"{question.assistant_name} for this process, at this step.")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        buttons = QDialogButtonBox()
        self.save = buttons.addButton("Save answer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_step: QPushButton | None = None
        if open_step is not None and question.step is not None:
            self.open_step = buttons.addButton(f"Open step {question.step.number}",
                                               QDialogButtonBox.ButtonRole.ActionRole)
            self.open_step.setToolTip("Fix the step itself in the step editor")
            self.open_step.clicked.connect(lambda: open_step(question))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.answer.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(asked)
        layout.addWidget(self.answer, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self._update()
        self.answer.setFocus()

    def _update(self) -> None:
        text = self.answer.toPlainText().strip()
        self.save.setEnabled(0 < len(text) <= MAX_ANSWER)

    def text(self) -> str:
        return self.answer.toPlainText().strip()

    @classmethod
    def ask(cls, parent: QWidget | None, question: QuestionRow,
            open_step: OpenStep | None = None) -> str | None:
        dialog = cls(question, open_step, parent)
        return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
