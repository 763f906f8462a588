"""Handoffs: which assistant holds which version of which process, and how it is going."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baton.core.clock import utc_now
from baton.core.handoffs import HandoffEventRow, HandoffRow, Handoffs
from baton.core.questions import ANSWER_TO, QuestionRow, Questions
from baton.core.reports import write_handoffs_csv
from baton.errors import UserError
from baton.ui import messages
from baton.ui.actions import MainAction, Page
from baton.ui.dialogs.answer import AnswerDialog, OpenStep
from baton.ui.dialogs.check_in import CheckInDialog
from baton.ui.models.tables import HandoffTableModel
from baton.ui.pages.table_page import EmptyState, TablePage

EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The timeline item's event id."""


def describe(event: HandoffEventRow, open_questions: frozenset[int] = frozenset()) -> str:
    when = event.at.isoformat(sep=" ", timespec="minutes")
    what = event.kind.value.replace("-", " ").capitalize()
    if ANSWER_TO in event.data:
        what = "Your answer"
    elif event.id in open_questions:
        what = "Question, not answered yet"
    if "to" in event.data:
        what += f" → {str(event.data['to']).replace('-', ' ')}"
    if event.step_position is not None:
        what += f" (step {event.step_position})"
    return f"{when}  {what}" + (f": {event.note}" if event.note else "")


class HandoffsView(TablePage[HandoffRow]):
    """Lists handoffs, newest first, with the selected one's timeline beside it."""

    LIMIT = 1000

    def __init__(
        self,
        handoffs: Handoffs,
        notify: Callable[[str], None] = lambda message: None,
        today: Callable[[], date] = lambda: utc_now().date(),
        parent: QWidget | None = None,
        *,
        questions: Questions | None = None,
        open_step: OpenStep | None = None,
    ) -> None:
        empty = EmptyState(
            "Nothing handed off yet",
            "When a process is ready, send it to an assistant: Baton makes a package that "
            "opens in any browser, and their progress shows up here.",
            "Go to the Library",
        )
        super().__init__(Page.HANDOFFS, HandoffTableModel(), empty, "Search handoffs  (Ctrl+F)",
                         parent)
        self._handoffs = handoffs
        self._notify = notify
        self._today = today
        self._questions = questions
        self._open_step = open_step
        self.go_to_library = empty.button.clicked
        self.check_in_action = self.add_action(MainAction.CHECK_IN, self.check_in)
        self.revoke_action = self.add_action(MainAction.REVOKE, self.revoke)
        self.export_action = self.add_action(MainAction.EXPORT_CSV, self.export_csv)
        self.answer_action = self.add_action(MainAction.ANSWER_QUESTION, self.answer_question)
        self.answer_action.setVisible(questions is not None)
        self.on_activate(self.check_in)

        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        self.timeline.setAccessibleName("Timeline")
        self.timeline.itemActivated.connect(lambda _item: self.answer_question())
        self.answer_button = QPushButton("&Answer the question…")
        self.answer_button.clicked.connect(lambda: self.answer_question())
        self.answer_button.setVisible(questions is not None)
        self.asking = QLabel()
        self.asking.setObjectName("openQuestions")
        self.asking.setWordWrap(True)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel("&Timeline")
        title.setBuddy(self.timeline)
        column.addWidget(title)
        column.addWidget(self.timeline, 1)
        column.addWidget(self.asking)
        column.addWidget(self.answer_button)
        self.add_side_panel(panel)
        self.selection_changed.connect(self._show_timeline)

    def refresh(self) -> None:
        rows = self._handoffs.list(self.search_text(), limit=self.LIMIT)
        self.set_rows(rows, limit=self.LIMIT)

    def _show_timeline(self) -> None:
        self.timeline.clear()
        row = self.selected()
        self.asking.clear()
        self.answer_button.setEnabled(False)
        if row is None:
            self.timeline.addItem("Select a handoff to see its timeline.")
            return
        waiting = self._open_questions(row.id)
        for event in self._handoffs.events(row.id):
            item = QListWidgetItem(describe(event, frozenset(q.id for q in waiting)),
                                   self.timeline)
            item.setData(EVENT_ROLE, event.id)
        if waiting:
            self.asking.setText(f"{len(waiting)} question(s) from {row.assistant_name} "
                                f"wait for your answer.")
        self.answer_button.setEnabled(bool(waiting))

    def _open_questions(self, handoff_id: int) -> list[QuestionRow]:
        if self._questions is None:
            return []
        return [q for q in self._questions.of_handoff(handoff_id) if q.is_open]

    def show_handoff(self, handoff_id: int, question_id: int | None = None) -> bool:
        """Select a handoff (and a question on its timeline); False if it is not listed."""
        if not self.select_where(lambda row: row.id == handoff_id):
            self.search.clear()
            self.refresh()
            if not self.select_where(lambda row: row.id == handoff_id):
                return False
        if question_id is not None:
            for index in range(self.timeline.count()):
                item = self.timeline.item(index)
                if item.data(EVENT_ROLE) == question_id:
                    self.timeline.setCurrentItem(item)
                    self.timeline.scrollToItem(item)
        return True

    def answer_question(self, question_id: int | None = None) -> None:
        """Answer a question: the one given, the one picked on the timeline, or the oldest
        open one of the selected handoff."""
        row = self.selected()
        if self._questions is None or row is None:
            return
        asked = self._questions.of_handoff(row.id)
        picked = self.timeline.currentItem()
        wanted = question_id or (picked.data(EVENT_ROLE) if picked is not None else None)
        question = next((q for q in asked if q.id == wanted), None) or next(
            (q for q in asked if q.is_open), None)
        if question is None:
            self._notify(f"{row.assistant_name} has no open question on this handoff.")
            return
        text = AnswerDialog.ask(self, question, self._open_step)
        if text is None:
            return
        try:
            self._questions.answer(question.id, text)
        except UserError as error:
            messages.show_problem(self, str(error))
        self.refresh()
        self.show_handoff(row.id, question.id)
        self._notify(f"Answered {row.assistant_name}: the answer goes into the next package "
                     f"you send them for “{row.process_title}”.")

    def check_in(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = CheckInDialog.ask(self, row, self._today())
        if answer is None:
            return
        try:  # refused if someone else moved the handoff on since it was shown
            after = self._handoffs.check_in(row.id, answer.status, answer.note,
                                            expected_version=row.row_version)
            self._handoffs.set_due(row.id, answer.next_due, expected_version=after.row_version)
        except UserError as error:
            messages.show_problem(self, str(error))
            self.refresh()
            return
        self.refresh()
        self._notify(f"Checked in with {row.assistant_name}.")

    def revoke(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = (f"Take “{row.process_title}” back from {row.assistant_name}? Progress "
                    "receipts for this handoff will be refused from now on.")
        if not messages.confirm(self, "Revoke handoff", question, "Revoke"):
            return
        try:
            self._handoffs.revoke(row.id, expected_version=row.row_version)
        except UserError as error:
            messages.show_problem(self, str(error))
        self.refresh()

    def export_csv(self) -> None:
        target = ask_save_path(self, "Export handoffs", "handoffs.csv", "CSV files (*.csv)")
        if target is None:
            return
        try:
            count = write_handoffs_csv(self._handoffs.list(), target, self._today())
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self._notify(f"Exported {count} handoffs to {target}.")


def ask_save_path(parent: QWidget, title: str, name: str, filter_: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / name), filter_)
    return Path(path) if path else None
