"""Keep a table's columns inside its width, so a page never scrolls sideways.

Each column gets what its text needs and the first column (the name of the thing) the room
that is left. When the room is short the first column still gets what it needs (at least
``first_min`` pixels), and the widest of the other columns give way first (their text is
cut with "…"; the tooltip has all of it).
The widths are worked out again when the table is resized or shows other rows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

PADDING = 12  # room around a cell's text beyond what the view measures


def share_widths(first: int, others: list[int], room: int, first_min: int,
                 other_min: int = 60) -> list[int]:
    """Widths for the first column and the others that add up to ``room`` when they can.

    The first column gets what it needs while the others can give way (down to
    ``other_min`` each), and never less than ``first_min``; the others give way evenly from
    the widest down.

    Args:
        first: what the first column's text needs.
        others: what each other column's text needs.
        room: the width to fill.
        first_min: the least the first column gets.
        other_min: the least any other column gets.

    Returns:
        One width per column, the first column first.
    """
    if first + sum(others) <= room:
        return [room - sum(others), *others]
    floor = [min(width, other_min) for width in others]
    keep_first = max(min(first, room - sum(floor)), min(first, first_min))
    budget = max(room - keep_first, 0)
    # The largest cap at which the others fit the budget (each keeps at least its floor).
    low, high = 0, max(others, default=0)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(f, min(w, cap)) for w, f in zip(others, floor, strict=True)) <= budget:
            low = cap
        else:
            high = cap - 1
    widths = [max(f, min(w, low)) for w, f in zip(others, floor, strict=True)]
    return [max(room - sum(widths), keep_first), *widths]


class ColumnFitter(QObject):
    """Sizes the columns of ``table`` to its viewport (see the module's docstring)."""

    def __init__(self, table: QTableView, first_min: int = 200, most: int = 360) -> None:
        super().__init__(table)
        self._table = table
        self._first_min = first_min
        self._most = most
        self._fitting = False
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.viewport().installEventFilter(self)
        model = table.model()
        model.modelReset.connect(self.fit)
        model.layoutChanged.connect(self.fit)
        model.rowsInserted.connect(self.fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def needed(self, column: int) -> int:
        """What a column's header and shown rows need, up to ``most`` pixels."""
        table = self._table
        header = table.horizontalHeader().sectionSizeHint(column)  # has room for the arrow
        cells = table.sizeHintForColumn(column) + PADDING if table.model().rowCount() else 0
        return min(max(header, cells), self._most)

    def fit(self) -> None:
        if self._fitting:
            return
        self._fitting = True
        try:
            table = self._table
            count = table.model().columnCount()
            if not count:
                return
            room = table.viewport().width()
            needs = [self.needed(column) for column in range(count)]
            widths = share_widths(needs[0], needs[1:], room, self._first_min)
            for column, width in enumerate(widths):
                if table.columnWidth(column) != width:
                    table.setColumnWidth(column, width)
        finally:
            self._fitting = False
