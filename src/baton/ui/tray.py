"""The tray icon: record, stop and capture steps without bringing the window forward."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


class Tray(QSystemTrayIcon):
    """Only made when the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``)."""

    def __init__(
        self,
        icon: QIcon,
        actions: list[tuple[str, Callable[[], object]]],
        parent: QWidget,
    ) -> None:
        super().__init__(icon, parent)
        self.setToolTip("Baton")
        self.menu = QMenu(parent)
        self.entries: dict[str, QAction] = {}
        for text, handler in actions:
            self.entries[text] = self.menu.addAction(text, handler)
        self.setContextMenu(self.menu)

    def recording(self, active: bool) -> None:
        self.setToolTip("Baton — recording" if active else "Baton")
        self.entries["Stop recording"].setEnabled(active)
