"""Simple formatting for step instructions (``**bold**`` and ``- `` bullets), and sending
Ctrl+Z from text fields to the editor's undo history instead of the field's own."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence

BULLET = "- "
UNDO_KEYS = ("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y")
"""The editor's undo and redo shortcuts (strings: a key sequence needs a running app)."""


def toggle_bold(text: str, start: int, end: int) -> tuple[str, int, int]:
    """Wrap the selection ``start:end`` in ``**`` (or unwrap it); returns text and selection.

    With nothing selected, ``****`` is inserted and the cursor put between the stars.
    """
    start, end = sorted((start, end))
    if start == end:
        return text[:start] + "****" + text[start:], start + 2, start + 2
    selected = text[start:end]
    if len(selected) >= 4 and selected.startswith("**") and selected.endswith("**"):
        inner = selected[2:-2]
        return text[:start] + inner + text[end:], start, start + len(inner)
    if text[max(start - 2, 0):start] == "**" and text[end:end + 2] == "**":
        return text[:start - 2] + selected + text[end + 2:], start - 2, end - 2
    return text[:start] + "**" + selected + "**" + text[end:], start + 2, end + 2


def toggle_bullets(text: str, start: int, end: int) -> tuple[str, int, int]:
    """Make the lines touched by ``start:end`` bullets (or plain again if all are bullets).

    Returns:
        The new text and the selection covering the changed lines.
    """
    start, end = sorted((start, end))
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    lines = text[first:last].split("\n")
    if all(line.startswith(BULLET) for line in lines):
        lines = [line[len(BULLET):] for line in lines]
    else:
        lines = [line if line.startswith(BULLET) else BULLET + line for line in lines]
    block = "\n".join(lines)
    return text[:first] + block + text[last:], first, first + len(block)


def is_undo_key(event: QKeyEvent) -> bool:
    """Whether ``event`` is one of the editor's undo/redo shortcuts (or the platform's)."""
    if event.matches(QKeySequence.StandardKey.Undo) or event.matches(
        QKeySequence.StandardKey.Redo
    ):
        return True
    pressed = QKeySequence(event.keyCombination())
    return any(pressed == QKeySequence(key) for key in UNDO_KEYS)


class UndoKeysToEditor(QObject):
    """Event filter for text fields: their undo/redo keys reach the editor's actions.

    A field that accepts the shortcut-override for Ctrl+Z would undo its own typing and
    bypass the editor's history; not letting it see the override lets the shortcut fire.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and is_undo_key(event)
        ):
            event.ignore()
            return True
        return False
