"""The who-holds-what matrix: assistants down, processes across, status in each cell."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from baton.core.dashboard import Holding
from baton.core.states import HandoffStatus

Index = QModelIndex | QPersistentModelIndex

STATUS_COLOURS = {
    HandoffStatus.SENT: "#e3e8ef",
    HandoffStatus.ACKNOWLEDGED: "#d6e4f5",
    HandoffStatus.PRACTISING: "#fbe7c6",
    HandoffStatus.SUPERVISED: "#f6d6a8",
    HandoffStatus.INDEPENDENT: "#c8ecd0",
    HandoffStatus.NEEDS_HELP: "#f8c9c4",
    HandoffStatus.REVOKED: "#eeeeee",
}


class HoldingsModel(QAbstractTableModel):
    """Filled from ``Dashboard.holdings()`` rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._assistants: list[str] = []
        self._processes: list[str] = []
        self._cells: dict[tuple[int, int], Holding] = {}

    def set_rows(self, holdings: list[Holding]) -> None:
        self.beginResetModel()
        self._assistants = sorted({h.assistant_name for h in holdings}, key=str.lower)
        self._processes = sorted({h.process_title for h in holdings}, key=str.lower)
        rows = {name: i for i, name in enumerate(self._assistants)}
        columns = {title: i for i, title in enumerate(self._processes)}
        self._cells = {(rows[h.assistant_name], columns[h.process_title]): h for h in holdings}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._assistants)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._processes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        holding = self._cells.get((index.row(), index.column()))
        if holding is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{holding.status.value.replace('-', ' ')} · v{holding.version_number}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(STATUS_COLOURS[holding.status])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#1f2933")
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{holding.assistant_name} holds “{holding.process_title}” "
                    f"v{holding.version_number}: {holding.status.value}")
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = self._processes if orientation == Qt.Orientation.Horizontal else self._assistants
        return names[section] if 0 <= section < len(names) else None
