"""Assistants: the people the owner hands work to."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QListWidget, QWidget

from baton.core.assistants import AssistantRow, Assistants
from baton.core.ladder import TrustLadder
from baton.errors import UserError
from baton.ui import messages
from baton.ui.actions import MainAction, Page
from baton.ui.dialogs.assistant import AssistantDialog
from baton.ui.models.tables import AssistantTableModel
from baton.ui.pages.table_page import EmptyState, TablePage


class AssistantsView(TablePage[AssistantRow]):
    """Lists assistants; create, edit, delete."""

    def __init__(
        self,
        assistants: Assistants,
        notify: Callable[[str], None],
        parent: QWidget | None = None,
        ladder: TrustLadder | None = None,
    ) -> None:
        empty = EmptyState(
            "No assistants yet",
            "Add the people you hand work to: on-site or offshore, full-time or task by task. "
            "Start them on small internal processes and move them up as trust grows.",
            "Add your first assistant",
        )
        super().__init__(Page.ASSISTANTS, AssistantTableModel(), empty,
                         "Search assistants  (Ctrl+F)", parent)
        self._assistants = assistants
        self._notify = notify
        empty.button.clicked.connect(self.add_assistant)
        self.new_action = self.add_action(MainAction.ADD_ASSISTANT, self.add_assistant)
        self.edit_action = self.add_action(MainAction.EDIT_ASSISTANT, self.edit_assistant)
        self.delete_action = self.add_action(MainAction.DELETE_ASSISTANT, self.delete_assistant)
        self.on_activate(self.edit_assistant)
        self._ladder = ladder
        self.next_up = QListWidget()
        self.next_up.setObjectName("nextUp")
        self.next_up.setWordWrap(True)
        if ladder is not None:
            self.add_side_panel(self.next_up)
            self.selection_changed.connect(self._show_suggestions)

    def refresh(self) -> None:
        self.set_rows(self._assistants.list(self.search_text()))

    def _show_suggestions(self) -> None:
        self.next_up.clear()
        row = self.selected()
        if row is None or self._ladder is None:
            self.next_up.addItem("Select an assistant to see what to hand them next.")
            return
        suggestions = self._ladder.suggestions(row.id)
        self.next_up.addItem(f"Hand {row.name} next:")
        for suggestion in suggestions:
            self.next_up.addItem(f"• {suggestion.title} ({suggestion.hours_per_week:g} h/week) — "
                                 f"{suggestion.reason}")
        if not suggestions:
            self.next_up.addItem("Nothing ready that they do not have yet. Mark processes "
                                 "“ready” in the Library when their steps are done.")

    def add_assistant(self) -> None:
        draft = AssistantDialog.ask(self)
        if draft is None:
            return
        try:
            row = self._assistants.add(draft)
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self.refresh()
        self.select_where(lambda r: r.id == row.id)
        self._notify(f"Added {row.name}.")

    def edit_assistant(self) -> None:
        row = self.selected()
        if row is None:
            return
        draft = AssistantDialog.ask(self, row)
        if draft is None:
            return
        try:
            saved = self._assistants.update(
                row.id, draft, expected_version=row.row_version
            )
        except UserError as error:
            messages.show_problem(self, str(error))
            self.refresh()
            return
        self.refresh()
        self._notify(f"Saved {saved.name}.")

    def delete_assistant(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = (
            f"Delete {row.name} and the timeline of their {row.handoff_count} handoffs? "
            "To keep the history, edit them and untick “Currently working with me” instead."
        )
        if not messages.confirm(self, "Delete assistant", question, "Delete"):
            return
        try:
            self._assistants.delete(row.id)
        except UserError as error:
            messages.show_problem(self, str(error))
        self.refresh()
        self._notify(f"Deleted {row.name}.")
