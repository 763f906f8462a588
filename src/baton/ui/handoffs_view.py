"""Handoffs: which assistant holds which version of which process, and how it is going."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from baton.core.tracking import HandoffRow, Tracking
from baton.ui.models.tables import HandoffTableModel
from baton.ui.table_page import EmptyState, TablePage


class HandoffsView(TablePage[HandoffRow]):
    """Lists handoffs, newest first."""

    def __init__(self, tracking: Tracking, parent: QWidget | None = None) -> None:
        empty = EmptyState(
            "Nothing handed off yet",
            "When a process is ready, send it to an assistant: Baton makes a package that "
            "opens in any browser, and their progress shows up here.",
            "Go to the Library",
        )
        super().__init__(HandoffTableModel(), empty, "Search handoffs  (Ctrl+F)", parent)
        self._tracking = tracking
        self.go_to_library = empty.button.clicked
        self.refresh_action = self.add_action("Refresh", self.refresh, "F5")
        self.refresh()

    def refresh(self) -> None:
        self.set_rows(self._tracking.list_handoffs())
