"""A page of the main window: a toolbar, a search box, a sortable table and an empty state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QSize, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from baton.ui.actions import ACTIONS, PAGE_ACTIONS, MainAction, Page, make_action
from baton.ui.models.rows import ROW_ROLE, SORT_ROLE, RowTableModel
from baton.ui.pages.fit_columns import ColumnFitter

Row = TypeVar("Row")


class EmptyState(QWidget):
    """What a page shows before there is anything in it: what to do first, and a button."""

    def __init__(self, title: str, hint: str, button_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel(title)
        heading.setObjectName("emptyTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(hint)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setObjectName("emptyHint")
        self.button = QPushButton(button_text)
        self.button.setObjectName("primaryButton")
        self._row = QHBoxLayout()
        self._row.addStretch(1)
        self._row.addWidget(self.button)
        self._row.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(self._row)
        layout.addStretch(2)

    def add_button(self, text: str) -> QPushButton:
        """Another way to start, beside the main button."""
        button = QPushButton(text)
        self._row.insertWidget(self._row.count() - 1, button)
        return button


class TablePage(QWidget, Generic[Row]):
    """Shows a ``RowTableModel`` with search and an empty state; subclasses add actions."""

    selection_changed = Signal()

    def __init__(
        self,
        page: Page,
        model: RowTableModel[Row],
        empty: EmptyState,
        search_placeholder: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.page_actions: dict[MainAction, QAction] = {}
        self.model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.toolbar.setIconSize(QSize(20, 20))
        self.search = QLineEdit()
        self.search.setPlaceholderText(search_placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        # Searching asks the service (the database), so it stays fast in a large library.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.more = QLabel()
        self.more.setObjectName("moreRows")
        self.more.hide()

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # Columns share the table's width (never a sideways scroll); the first gets the most.
        self.columns = ColumnFitter(self.table)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        self.table.doubleClicked.connect(self._activated)
        # Right-click a row: the page's actions (also those the toolbar has no room for).
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.empty = empty
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.more)
        self._on_activate: Callable[[], None] | None = None
        self._loaded = False

    def add_side_panel(self, panel: QWidget) -> None:
        """Show ``panel`` under the table (details of the selected row), so the table keeps
        the page's whole width."""
        splitter = QSplitter(Qt.Orientation.Vertical)
        index = self.stack.indexOf(self.table)
        self.stack.removeWidget(self.table)
        splitter.addWidget(self.table)
        self.table.show()  # the stack hid it when it was taken out
        splitter.addWidget(panel)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([400, 220])
        self.stack.insertWidget(index, splitter)

    def add_action(self, key: MainAction, handler: Callable[[], Any]) -> QAction:
        """Put the registry's action ``key`` on the toolbar (and the rows' right-click menu).

        Actions take their place in ``PAGE_ACTIONS`` order, whoever adds them and when.
        """
        order = PAGE_ACTIONS[self.page]
        if key not in order:
            raise ValueError(f"{key.name} is not an action of the {self.page} page")
        spec = ACTIONS[key]
        action = make_action(key, self, handler)
        if spec.needs_selection:
            action.setEnabled(False)
            self.selection_changed.connect(lambda: action.setEnabled(self.selected() is not None))
        later = [self.page_actions[k] for k in order[order.index(key) + 1:]
                 if k in self.page_actions]
        _insert(self.toolbar, action, before=later)
        self.addAction(action)  # the shortcut works wherever the focus is on this page
        if spec.context_menu:
            _insert(self.table, action, before=later)
        self.page_actions[key] = action
        return action

    def on_activate(self, handler: Callable[[], None]) -> None:
        """What double-click or Enter on a row does."""
        self._on_activate = handler

    def refresh(self) -> None:
        """Reload the rows from the service (subclasses implement)."""
        raise NotImplementedError

    def showEvent(self, event: Any) -> None:  # noqa: N802
        # Pages load when first shown, so opening Baton only queries what is on screen.
        if not self._loaded:
            self._loaded = True
            self.refresh()
        super().showEvent(event)

    def search_text(self) -> str:
        return self.search.text().strip()

    def set_rows(self, rows: list[Row], limit: int | None = None) -> None:
        """Show ``rows``; when ``limit`` rows came back, say that there may be more."""
        self._loaded = True
        selected = self.selected()
        self.model.set_rows(rows)
        searching = bool(self.search_text())
        self.stack.setCurrentIndex(0 if rows or searching else self.stack.indexOf(self.empty))
        self.search.setEnabled(bool(rows) or searching)
        truncated = limit is not None and len(rows) >= limit
        self.more.setText(f"Showing the first {len(rows):,}. Search to find the others.")
        self.more.setVisible(truncated)
        if selected is not None:
            self.select_where(lambda row: getattr(row, "id", None) == getattr(selected, "id", 0))
        self._selection_moved()

    def selected(self) -> Row | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        row: Row = indexes[0].data(ROW_ROLE)
        return row

    def select_where(self, predicate: Callable[[Row], bool]) -> bool:
        for proxy_row in range(self.proxy.rowCount()):
            index = self.proxy.index(proxy_row, 0)
            if predicate(index.data(ROW_ROLE)):
                self.table.selectRow(proxy_row)
                self.table.scrollTo(index)
                return True
        return False

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self._activated(self.table.currentIndex())
            return
        super().keyPressEvent(event)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid() and self._on_activate is not None:
            self._on_activate()

    def _selection_moved(self) -> None:
        self.selection_changed.emit()


def _insert(widget: QWidget, action: QAction, before: list[QAction]) -> None:
    """Add ``action`` to ``widget`` ahead of the first of ``before`` it has (else last)."""
    present = widget.actions()
    follower = next((other for other in before if other in present), None)
    if follower is None:
        widget.addAction(action)
    else:
        widget.insertAction(follower, action)
