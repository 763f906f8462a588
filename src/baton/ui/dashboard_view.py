"""The Dashboard: hours got back, what is open, and what to do next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from baton.core.tracking import DashboardFigures, Tracking


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


class DashboardView(QWidget):
    """Figures computed by ``Tracking.dashboard`` and a next-step hint."""

    CARDS = (
        ("hours_per_week_handed_off", "hours a week handed off (assistant works independently)"),
        ("processes", "processes in the library"),
        ("processes_ready", "processes ready to hand off"),
        ("active_assistants", "active assistants"),
        ("open_handoffs", "handoffs in progress"),
        ("overdue_handoffs", "check-ins overdue"),
        ("open_questions", "handoffs with an open question"),
        ("backlog_nudges", "things you keep doing yourself"),
    )

    def __init__(self, tracking: Tracking, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tracking = tracking
        title = QLabel("Dashboard")
        title.setObjectName("pageTitle")
        self.next_step = QLabel()
        self.next_step.setObjectName("nextStep")
        self.next_step.setWordWrap(True)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.cards: dict[str, FigureCard] = {}
        for index, (name, caption) in enumerate(self.CARDS):
            card = FigureCard(caption)
            self.cards[name] = card
            grid.addWidget(card, index // 4, index % 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(title)
        layout.addWidget(self.next_step)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.next_step.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    def refresh(self) -> None:
        figures = self._tracking.dashboard()
        for name, card in self.cards.items():
            value = getattr(figures, name)
            card.value.setText(f"{value:.1f}" if isinstance(value, float) else str(value))
        self.next_step.setText(next_step(figures))


def next_step(figures: DashboardFigures) -> str:
    """The one thing the owner should do next, in plain words."""
    if figures.processes == 0:
        return "Start in the Library: add a process you do every week (Ctrl+N)."
    if figures.active_assistants == 0:
        return "Add the assistant you want to hand work to, under Assistants."
    if figures.open_questions:
        return "An assistant asked a question: open Handoffs to answer it."
    if figures.overdue_handoffs:
        return "Some check-ins are overdue: see how your assistants are getting on."
    if figures.backlog_nudges:
        return "You keep doing some processes yourself: record them next time."
    if figures.open_handoffs == 0:
        return "Send a ready process to an assistant to get those hours back."
    return "Everything is on track."
