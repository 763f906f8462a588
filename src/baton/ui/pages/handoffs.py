"""Handoffs: which assistant holds which version of which process, and how it is going."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QListWidget, QListWidgetItem, QWidget

from baton.core.clock import utc_now
from baton.core.handoffs import HandoffEventRow, HandoffRow, Handoffs
from baton.core.reports import write_handoffs_csv
from baton.errors import UserError
from baton.ui import messages
from baton.ui.actions import MainAction, Page
from baton.ui.dialogs.check_in import CheckInDialog
from baton.ui.models.tables import HandoffTableModel
from baton.ui.pages.table_page import EmptyState, TablePage


def describe(event: HandoffEventRow) -> str:
    when = event.at.isoformat(sep=" ", timespec="minutes")
    what = event.kind.value.replace("-", " ").capitalize()
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
        self.go_to_library = empty.button.clicked
        self.check_in_action = self.add_action(MainAction.CHECK_IN, self.check_in)
        self.revoke_action = self.add_action(MainAction.REVOKE, self.revoke)
        self.export_action = self.add_action(MainAction.EXPORT_CSV, self.export_csv)
        self.on_activate(self.check_in)

        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        self.add_side_panel(self.timeline)
        self.selection_changed.connect(self._show_timeline)

    def refresh(self) -> None:
        rows = self._handoffs.list(self.search_text(), limit=self.LIMIT)
        self.set_rows(rows, limit=self.LIMIT)

    def _show_timeline(self) -> None:
        self.timeline.clear()
        row = self.selected()
        if row is None:
            self.timeline.addItem("Select a handoff to see its timeline.")
            return
        for event in self._handoffs.events(row.id):
            QListWidgetItem(describe(event), self.timeline)

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
