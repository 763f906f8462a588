"""Baton's look: the stylesheet, with its pictures found through the ``baton:`` prefix."""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtWidgets import QApplication

from baton.ui.icons import resource_file


def apply_style(app: QApplication) -> None:
    """Give ``app`` Baton's stylesheet (``url(baton:name.svg)`` names an icon file)."""
    QDir.setSearchPaths("baton", [str(resource_file("icons"))])
    app.setStyleSheet(resource_file("style.qss").read_text(encoding="utf-8"))
