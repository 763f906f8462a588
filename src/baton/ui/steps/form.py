"""The text of the current step (title, instructions, caution) and its debounced saving."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from baton.core.steps import MAX_TITLE, StepRow, Steps
from baton.errors import DatabaseUnavailable, UserError
from baton.ui.steps.commands import SeenRows, StepIds
from baton.ui.steps.text import UndoKeysToEditor, toggle_bold, toggle_bullets

FIELDS = ("title", "instruction", "caution")


class TextSaver(QObject):
    """Saves typed text a moment after the typing stops, and at once on ``flush``.

    Each text is saved as a change from the text last seen saved (``SeenRows``), so text
    another owner saved meanwhile is never overwritten: the save is refused instead.

    Signals:
        saving(bool): whether text is waiting to be saved.
        saved(row): a step was saved.
    """

    saving = Signal(bool)
    saved = Signal(object)

    def __init__(self, steps: Steps, ids: StepIds, delay_ms: int,
                 on_problem: Callable[[UserError], None], parent: QObject | None = None,
                 *, seen: SeenRows | None = None,
                 retry: Callable[[DatabaseUnavailable], bool] | None = None) -> None:
        super().__init__(parent)
        self._steps = steps
        self._ids = ids
        self._seen = seen or SeenRows()
        self._on_problem = on_problem
        self._retry = retry or (lambda error: False)
        self._pending: dict[int, dict[str, str]] = {}
        self._bases: dict[int, dict[str, str]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    def put(self, step_id: int, field: str, value: str, base: str | None = None) -> None:
        """Save ``value`` soon, as a change from ``base`` (None: the text last seen saved).

        A field already waiting keeps the base it had: what is saved has not changed.
        """
        pending = self._pending.setdefault(step_id, {})
        if field not in pending:
            seen = self._seen.row(self._ids.resolve(step_id))
            if base is None and seen is not None:
                base = getattr(seen, field)
            if base is not None:
                self._bases.setdefault(step_id, {})[field] = base
        pending[field] = value
        self._timer.start()
        self.saving.emit(True)

    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> bool:
        """Save everything waiting; returns False if the service refused something."""
        self._timer.stop()
        pending, self._pending = self._pending, {}
        bases, self._bases = self._bases, {}
        ok = True
        for step_id, fields in pending.items():
            while True:
                try:
                    row = self._steps.update(
                        self._ids.resolve(step_id), title=fields.get("title"),
                        instruction=fields.get("instruction"), caution=fields.get("caution"),
                        base=bases.get(step_id))
                except DatabaseUnavailable as error:
                    if self._retry(error):
                        continue
                    ok = False
                    self._on_problem(error)
                    break
                except UserError as error:
                    ok = False
                    self._on_problem(error)
                    break
                self._seen.remember([row])
                self.saved.emit(row)
                break
        if pending:
            self.saving.emit(False)
        return ok


class StepForm(QWidget):
    """Title, instructions and caution note of one step.

    Signals:
        text_edited(field, text): the user changed a field (not when a step is shown).
    """

    text_edited = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLineEdit()
        self.title.setMaxLength(MAX_TITLE)
        self.title.setPlaceholderText("What to do, e.g. Click “Pay now”")
        self.instruction = QPlainTextEdit()
        self.instruction.setMaximumHeight(150)
        self.instruction.setPlaceholderText(
            "Details for the assistant. **bold** for emphasis, “- ” at the start of a line "
            "for a bullet.")
        self.caution = QPlainTextEdit()
        self.caution.setPlaceholderText("Anything to be careful about (optional)")
        self.caution.setFixedHeight(56)
        self._undo_keys = UndoKeysToEditor(self)
        for editor in (self.instruction, self.caution):
            editor.setTabChangesFocus(True)
            editor.setUndoRedoEnabled(False)
        for widget in (self.title, self.instruction, self.caution):
            widget.installEventFilter(self._undo_keys)
        self.title.textEdited.connect(lambda text: self.text_edited.emit("title", text))
        self.instruction.textChanged.connect(lambda: self._changed("instruction"))
        self.caution.textChanged.connect(lambda: self._changed("caution"))
        self._loading = False

        self.bold_action = self._format_action("Bold", "Ctrl+B", self.make_bold)
        self.bullets_action = self._format_action("Bullets", "Ctrl+Shift+L", self.make_bullets)
        tools = QHBoxLayout()
        for action in (self.bold_action, self.bullets_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            tools.addWidget(button)
        tools.addStretch(1)

        form = QFormLayout()
        form.addRow(self._label("&Title", self.title), self.title)
        column = QVBoxLayout()
        column.addLayout(tools)
        column.addWidget(self.instruction)
        form.addRow(self._label("&Instructions", self.instruction), column)
        form.addRow(self._label("&Caution", self.caution), self.caution)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        self.show_step(None)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _format_action(self, text: str, shortcut: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.instruction)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(slot)
        self.instruction.addAction(action)
        return action

    def widget(self, field: str) -> QLineEdit | QPlainTextEdit:
        if field == "title":
            return self.title
        return self.instruction if field == "instruction" else self.caution

    def text(self, field: str) -> str:
        widget = self.widget(field)
        return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()

    def set_text(self, field: str, value: str) -> None:
        """Show ``value`` in a field unless it is already there (keeps the cursor)."""
        if self.text(field) == value:
            return
        self._loading = True
        try:
            widget = self.widget(field)
            if isinstance(widget, QLineEdit):
                widget.setText(value)
            else:
                widget.setPlainText(value)
                widget.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._loading = False

    def show_step(self, row: StepRow | None) -> None:
        for field in FIELDS:
            self.set_text(field, getattr(row, field) if row is not None else "")
            self.widget(field).setEnabled(row is not None)
        self.bold_action.setEnabled(row is not None)
        self.bullets_action.setEnabled(row is not None)

    def make_bold(self) -> None:
        self._reformat(toggle_bold)

    def make_bullets(self) -> None:
        self._reformat(toggle_bullets)

    def _reformat(self, change: Callable[[str, int, int], tuple[str, int, int]]) -> None:
        cursor = self.instruction.textCursor()
        text, start, end = change(self.instruction.toPlainText(), cursor.selectionStart(),
                                  cursor.selectionEnd())
        self.instruction.setPlainText(text)
        cursor = self.instruction.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.instruction.setTextCursor(cursor)

    def _changed(self, field: str) -> None:
        if not self._loading:
            self.text_edited.emit(field, self.text(field))
