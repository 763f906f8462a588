"""The list of a process's steps, with thumbnails and drag-and-drop reordering.

The model never changes the order itself: a drag asks for a move (``move_requested``) and
the editor carries it out through the step service (so it can be undone and is saved),
then hands the new rows back with ``set_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)

from baton.core.steps import StepRow
from baton.ui.models.rows import ROW_ROLE
from baton.ui.steps.thumbnails import ThumbnailLoader, thumbnail_key

Index = QModelIndex | QPersistentModelIndex
STEP_MIME = "application/x-baton-step-ids"


def step_label(row: StepRow) -> str:
    title = row.title.strip() or "Untitled step"
    return f"{row.position}. {title}"


class StepListModel(QAbstractListModel):
    """Steps in order; ``ROW_ROLE`` gives the ``StepRow``; thumbnails load when shown.

    Signals:
        move_requested(step_id, position): the user dragged a step to a new 1-based position.
    """

    move_requested = Signal(int, int)

    def __init__(self, thumbnails: ThumbnailLoader | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StepRow] = []
        self._keys: dict[int, str] = {}  # step id → thumbnail key, for rows asked about
        self._thumbnails = thumbnails
        if thumbnails is not None:
            thumbnails.thumbnail_ready.connect(self._thumbnail_ready)

    # -- rows ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[StepRow]) -> None:
        """Show ``rows``; an edit or a single move keeps selection and scroll position."""
        new = list(rows)
        self._keys.clear()
        old_ids = [row.id for row in self._rows]
        new_ids = [row.id for row in new]
        if old_ids == new_ids:
            self._rows = new
            if new:
                self.dataChanged.emit(self.index(0), self.index(len(new) - 1))
            return
        moved = _single_move(old_ids, new_ids)
        if moved is None:
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        source, destination = moved
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination)
        self._rows = new
        self.endMoveRows()
        self.dataChanged.emit(self.index(0), self.index(len(new) - 1))

    def replace_row(self, row: StepRow) -> None:
        """Show a changed step (same id) without touching the others."""
        for number, current in enumerate(self._rows):
            if current.id == row.id:
                self._rows[number] = row
                self._keys.pop(row.id, None)
                index = self.index(number)
                self.dataChanged.emit(index, index)
                return

    def rows(self) -> list[StepRow]:
        return list(self._rows)

    def row_at(self, number: int) -> StepRow:
        return self._rows[number]

    def row_of(self, step_id: int) -> int:
        """The list row of a step, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.id == step_id), -1)

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return step_label(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.instruction or row.title or None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return step_label(row) + (", with a screenshot" if row.screenshot else "")
        if role == Qt.ItemDataRole.SizeHintRole and self._thumbnails is not None:
            size = self._thumbnails.size
            return QSize(size.width() + 240, size.height() + 12)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [STEP_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        ids = ",".join(str(self._rows[i.row()].id) for i in indexes if i.isValid())
        data.setData(STEP_MIME, QByteArray(ids.encode()))
        return data

    def dropMimeData(  # noqa: N802
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """A step dropped before list row ``row`` (-1: at the end, or on ``parent``)."""
        if action != Qt.DropAction.MoveAction or not data.hasFormat(STEP_MIME):
            return False
        try:
            ids = [int(part) for part in bytes(data.data(STEP_MIME).data()).split(b",")]
        except ValueError:
            return False
        source = self.row_of(ids[0]) if len(ids) == 1 else -1
        if source < 0:
            return False
        before = row if row >= 0 else (parent.row() if parent.isValid() else len(self._rows))
        return self._request_move(source, before)

    def moveRows(  # noqa: N802
        self, source_parent: Index, source_row: int, count: int,
        destination_parent: Index, destination_child: int,
    ) -> bool:
        """What ``QListView`` calls for an internal drag: ask the editor to move the step."""
        if count != 1 or source_parent.isValid() or destination_parent.isValid():
            return False
        if not 0 <= source_row < len(self._rows):
            return False
        return self._request_move(source_row, destination_child)

    def _request_move(self, source: int, before: int) -> bool:
        target = before - 1 if before > source else before
        target = min(max(target, 0), len(self._rows) - 1)
        if target == source:
            return False
        self.move_requested.emit(self._rows[source].id, target + 1)
        return True

    # -- thumbnails ------------------------------------------------------------------------

    def _decoration(self, row: StepRow) -> Any:
        if self._thumbnails is None:
            return None
        if row.screenshot is None:
            return self._thumbnails.no_screenshot
        key = self._keys.get(row.id)
        if key is None:
            key = self._keys[row.id] = thumbnail_key(row.screenshot, row.annotations,
                                                     row.redactions)
        pixmap = self._thumbnails.thumbnail(key)
        if pixmap is None:
            self._thumbnails.request_thumbnail(key, row.screenshot, row.annotations,
                                               row.redactions)
            return self._thumbnails.placeholder
        return pixmap

    def _thumbnail_ready(self, key: str) -> None:
        for number, row in enumerate(self._rows):
            if self._keys.get(row.id) == key:
                index = self.index(number)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def _single_move(old: list[int], new: list[int]) -> tuple[int, int] | None:
    """If ``new`` is ``old`` with one item moved: (its old row, Qt's destination row)."""
    if len(old) != len(new) or sorted(old) != sorted(new) or len(old) < 2:
        return None
    for source, item in enumerate(old):
        rest = old[:source] + old[source + 1:]
        target = new.index(item)
        if rest[:target] + [item] + rest[target:] == new:
            return source, target + 1 if target > source else target
    return None
