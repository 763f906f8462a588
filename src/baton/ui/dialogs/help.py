"""Help: a one-page guide, and every keyboard shortcut (listed from the action registry)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from baton.capture.recording.hotkeys import TAKE_STEP_LABEL
from baton.ui.actions import ACTIONS, MENUS, PAGE_ACTIONS, MainAction, Page
from baton.ui.steps.capture import TOGGLE_LABEL
from baton.ui.steps.tools import Tool

STOP_LABEL = "Ctrl+Alt+S"  # capture/recording/hotkeys.py's STOP_RECORDING

GUIDE = f"""
<h2>Baton in four steps</h2>
<ol>
<li><b>Write a process down.</b> In the <i>Library</i>, add something you do every week
(Ctrl+N). Then show Baton how you do it: <i>Capture steps</i> (Ctrl+Shift+C) turns every
click into a step with a screenshot; <i>Record</i> (Ctrl+R) films your screen while you talk.
Both at once works too.</li>
<li><b>Tidy the steps.</b> The step editor opens with the new steps: name them, add a line
of instructions, delete the noisy ones (select several with Shift or Ctrl, then Delete),
draw arrows and boxes, and black out anything private. Every edit can be undone.</li>
<li><b>Hand it off.</b> <i>Send</i> (Ctrl+Shift+S) makes a zip for an assistant. They open
it in any browser, with no account and no internet, tick the steps off, and ask
questions. Try it first by sending the example process to yourself.</li>
<li><b>Keep track.</b> Drop the progress receipt they send back onto Baton's window. Their
questions appear on the <i>Dashboard</i>: open one to answer it; the answer goes into the
next package you send them. Check in (Ctrl+K) to move the handoff along.</li>
</ol>
<p>While Baton captures steps or records, its window steps aside: {TOGGLE_LABEL} stops
capturing and {STOP_LABEL} stops recording, from any program. While capturing,
{TAKE_STEP_LABEL} (or <i>Take step</i> on the capture bar) makes a step of the screen as it
is, for a moment no click marks: a page that finished loading, a result to check.</p>
"""


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(where it works, what it does, the keys), from the registry of actions."""
    rows: list[tuple[str, str, str]] = []
    seen: set[MainAction] = set()

    def add(where: str, key: MainAction) -> None:
        spec = ACTIONS[key]
        if spec.shortcut is None or key in seen:
            return
        seen.add(key)
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((where, spec.text.replace("&", "").rstrip("…"), keys))

    for keys in MENUS.values():
        for key in keys:
            if key is not None:
                add("Anywhere in Baton", key)
    for page in Page:
        for key in PAGE_ACTIONS[page]:
            add(f"{page.value} page", key)
    rows.append(("From any program", "Capture steps on/off", TOGGLE_LABEL))
    rows.append(("From any program", "Stop recording", STOP_LABEL))
    rows.append(("While capturing steps", "Take step (the screen as it is)", TAKE_STEP_LABEL))
    for tool in Tool:
        rows.append(("On a screenshot in the step editor", f"{tool.label} tool", tool.key))
    rows.append(("On a screenshot in the step editor", "Place a mark at the crosshair",
                 "Enter"))
    rows.append(("In the step editor", "Select several steps", "Shift+click, Ctrl+click"))
    return rows


class ShortcutsDialog(QDialog):
    """Every shortcut in one table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 560)
        rows = shortcut_rows()
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Keyboard shortcuts")
        for number, row in enumerate(rows):
            for column, text in enumerate(row):
                self.table.setItem(number, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


class QuickGuideDialog(QDialog):
    """How Baton works, on one page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quick guide")
        self.resize(600, 520)
        self.text = QTextBrowser()
        self.text.setHtml(GUIDE)
        self.text.setOpenLinks(False)
        note = QLabel("Help → Getting started shows the welcome again, with the example.")
        note.setObjectName("hint")
        note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(note)
        layout.addWidget(buttons)
