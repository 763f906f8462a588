"""Questions and messages to the user, behind small functions tests can replace."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(parent: QWidget | None, title: str, question: str, action: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def show_problem(parent: QWidget | None, message: str) -> None:
    """Tell the user about something they can fix (a ``UserError``): one plain line."""
    QMessageBox.warning(parent, "Baton", message)
