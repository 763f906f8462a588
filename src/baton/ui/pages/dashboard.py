"""The Dashboard: hours got back, who holds what, what needs attention, what to do next."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from baton.core.dashboard import Attention, Dashboard, DashboardFigures
from baton.ui.models.holdings import HoldingsModel
from baton.ui.pages.hours_chart import HoursChart


class FigureCard(QFrame):
    """One number with a caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.value = QLabel("–")
        self.value.setObjectName("figureValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("figureCaption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


ATTENTION_ROLE = Qt.ItemDataRole.UserRole + 1
"""An attention item's ``(handoff id, question id or None)``."""


def describe_attention(item: Attention) -> str:
    """One line of "Needs your attention", naming the step a question is about."""
    if item.question_id is not None:
        where = f" at {item.step.label()}" if item.step is not None else ""
        return (f"{item.assistant_name} asked about “{item.process_title}”{where}: "
                f"{item.question}")
    return (f"Check in with {item.assistant_name} on “{item.process_title}” "
            f"(due {item.due_on})")


class DashboardView(QWidget):
    """Figures, a chart, the holdings matrix and the attention list from ``Dashboard``.

    Signals:
        open_item(handoff_id, question_id): an attention item was opened (double-click or
            Enter); ``question_id`` is None for an overdue check-in.
    """

    open_item = Signal(int, object)

    CARDS = (
        ("hours_per_week_handed_off", "hours a week handed off"),
        ("open_handoffs", "handoffs in progress"),
        ("overdue_handoffs", "check-ins overdue"),
        ("open_questions", "open questions"),
        ("processes_ready", "processes ready to hand off"),
        ("active_assistants", "active assistants"),
        ("independent_handoffs", "handoffs done independently"),
        ("backlog_nudges", "things you keep doing yourself"),
    )

    def __init__(self, dashboard: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dashboard = dashboard
        title = QLabel("Dashboard")
        title.setObjectName("pageTitle")
        self.next_step = QLabel()
        self.next_step.setObjectName("nextStep")
        self.next_step.setWordWrap(True)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.cards: dict[str, FigureCard] = {}
        for index, (name, caption) in enumerate(self.CARDS):
            card = FigureCard(caption)
            self.cards[name] = card
            grid.addWidget(card, index // 4, index % 4)
        self.chart = HoursChart()
        self.attention = QListWidget()
        self.attention.setMaximumHeight(160)
        self.attention.setWordWrap(True)  # a question is read whole, never scrolled sideways
        self.attention.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.attention.setAccessibleName("Needs your attention")
        self.attention.setToolTip("Double-click or press Enter to open it")
        self.attention.itemActivated.connect(self._opened)
        self.backlog = QListWidget()
        self.backlog.setMaximumHeight(100)
        self.holdings = HoldingsModel(self)
        self.matrix = QTableView()
        self.matrix.setModel(self.holdings)
        self.matrix.setMinimumHeight(140)
        self.matrix.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(title)
        layout.addWidget(self.next_step)
        layout.addLayout(grid)
        layout.addWidget(_heading("Hours a week each assistant took over"))
        layout.addWidget(self.chart)
        layout.addWidget(_heading("Needs your attention"))
        layout.addWidget(self.attention)
        layout.addWidget(_heading("Who holds what"))
        layout.addWidget(self.matrix)
        layout.addWidget(_heading("You keep doing these yourself"))
        layout.addWidget(self.backlog)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.next_step.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self._loaded = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if not self._loaded:  # computed when first shown, not while Baton starts
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._loaded = True
        figures = self._dashboard.figures()
        for name, card in self.cards.items():
            value = getattr(figures, name)
            card.value.setText(f"{value:.1f}" if isinstance(value, float) else str(value))
        self.next_step.setText(next_step(figures))
        self.chart.set_rows(self._dashboard.hours_by_assistant())
        self.attention.clear()
        for item in self._dashboard.needs_attention():
            entry = QListWidgetItem(describe_attention(item), self.attention)
            entry.setData(ATTENTION_ROLE, (item.handoff_id, item.question_id))
        if not self.attention.count():
            self.attention.addItem("Nothing overdue and no open questions.")
        self.holdings.set_rows(self._dashboard.holdings())
        self.backlog.clear()
        for nudge in self._dashboard.backlog():
            self.backlog.addItem(
                f"“{nudge.title}”: done yourself {nudge.times_done_myself} times. "
                + ("Its steps are written down: send it to an assistant."
                   if nudge.written_down else "Record it the next time you do it.")
            )
        if not self.backlog.count():
            self.backlog.addItem("Nothing yet. Use “I did this myself again” in the Library.")


    def _opened(self, item: QListWidgetItem) -> None:
        target = item.data(ATTENTION_ROLE)
        if target is not None:
            self.open_item.emit(target[0], target[1])


def next_step(figures: DashboardFigures) -> str:
    """The one thing the owner should do next, in plain words."""
    if figures.processes == 0:
        return "Start in the Library: add a process you do every week (Ctrl+N)."
    if figures.active_assistants == 0:
        return "Add the assistant you want to hand work to, under Assistants."
    if figures.open_questions:
        return "An assistant asked a question: see “Needs your attention” below."
    if figures.overdue_handoffs:
        return "Some check-ins are overdue: see how your assistants are getting on."
    if figures.backlog_nudges:
        return "You keep doing some processes yourself: record them next time."
    if figures.open_handoffs == 0:
        return "Send a ready process to an assistant to get those hours back."
    return "Everything is on track."
