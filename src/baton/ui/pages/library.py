"""The Library: the owner's processes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from baton.core.library import Library, ProcessRow
from baton.core.states import ProcessStatus
from baton.errors import UserError
from baton.ui import messages
from baton.ui.actions import MainAction, Page
from baton.ui.dialogs.process import ProcessDialog
from baton.ui.models.tables import ProcessTableModel
from baton.ui.pages.table_page import EmptyState, TablePage


class LibraryView(TablePage[ProcessRow]):
    """Lists processes; create, edit, delete, and count "I did this myself again".

    With ``open_steps`` (called with a process id), Enter or a double-click opens the
    process's steps and F2 edits its details; without it, both edit the details.
    """

    LIMIT = 1000

    def __init__(
        self,
        library: Library,
        notify: Callable[[str], None],
        parent: QWidget | None = None,
        open_steps: Callable[[int], None] | None = None,
    ) -> None:
        empty = EmptyState(
            "Welcome to Baton",
            "Start with something you do every week and would love to stop doing yourself. "
            "Add it here, then show Baton how you do it once: capture the steps, or record "
            "yourself doing it. Not sure yet? Look at the example first.",
            "Add your first process",
        )
        self.welcome_button = empty.add_button("Show me how (2 minutes)")
        self.example_button = empty.add_button("Open the example")
        super().__init__(Page.LIBRARY, ProcessTableModel(), empty, "Search processes  (Ctrl+F)",
                         parent)
        self._library = library
        self._notify = notify
        empty.button.clicked.connect(self.add_process)
        self.new_action = self.add_action(MainAction.ADD_PROCESS, self.add_process)
        self._open_steps = open_steps
        self.steps_action = self.add_action(MainAction.OPEN_STEPS, self.open_steps)
        self.steps_action.setVisible(open_steps is not None)
        self.edit_action = self.add_action(MainAction.EDIT_PROCESS, self.edit_process)
        self.delete_action = self.add_action(MainAction.DELETE_PROCESS, self.delete_process)
        self.myself_action = self.add_action(MainAction.DID_IT_MYSELF, self.did_it_myself)
        self.on_activate(self.open_steps if open_steps is not None else self.edit_process)

    def refresh(self) -> None:
        rows = self._library.list_processes(self.search_text(), limit=self.LIMIT)
        self.set_rows(rows, limit=self.LIMIT)

    def add_process(self) -> None:
        draft = ProcessDialog.ask(self)
        if draft is None:
            return
        try:
            row = self._library.add_process(draft)
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self.refresh()
        self.select_where(lambda r: r.id == row.id)
        self._notify(f"Added “{row.title}”.")

    def open_steps(self) -> None:
        row = self.selected()
        if row is not None and self._open_steps is not None:
            self._open_steps(row.id)

    def edit_process(self) -> None:
        row = self.selected()
        if row is None:
            return
        draft = ProcessDialog.ask(self, row)
        if draft is None:
            return
        try:
            saved = self._library.update_process(row.id, draft, expected_version=row.row_version)
        except UserError as error:
            messages.show_problem(self, str(error))
            self.refresh()
            return
        self.refresh()
        self._notify(f"Saved “{saved.title}”.")

    def delete_process(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = f"Delete “{row.title}” and its {row.step_count} steps? This cannot be undone."
        if not messages.confirm(self, "Delete process", question, "Delete"):
            return
        try:
            self._library.delete_process(row.id)
        except UserError as error:
            messages.show_problem(self, str(error))
        self.refresh()
        self._notify(f"Deleted “{row.title}”.")

    def did_it_myself(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            saved = self._library.did_it_myself(row.id)
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self.refresh()
        self._notify(myself_nudge(saved))


def myself_nudge(row: ProcessRow) -> str:
    """What to say after "I did this myself again": record it, send it, or just counted."""
    times = row.times_done_myself
    written_down = row.step_count > 0 or row.has_recording
    if times >= 2 and not written_down and row.status in (ProcessStatus.IDEA,
                                                           ProcessStatus.DRAFT):
        return (f"You have done “{row.title}” yourself {times} times: record it the next "
                "time you do it, and hand it off.")
    if times >= 2 and written_down and row.status is not ProcessStatus.READY:
        return (f"You have done “{row.title}” yourself {times} times, and its steps are "
                "written down: send it to an assistant (Ctrl+Shift+S).")
    return f"Counted: you did “{row.title}” yourself again."
