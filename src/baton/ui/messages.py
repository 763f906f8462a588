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


def ask_retry(parent: QWidget | None, message: str) -> bool:
    """Something failed that may work a moment later (the team library could not be
    reached): say so plainly and offer Retry. Returns whether to try again."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Baton", message, parent=parent)
    retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(retry)
    box.exec()
    return box.clickedButton() is retry
