"""The tray icon: record, stop and capture steps without bringing the window forward."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


class Tray(QSystemTrayIcon):
    """Only made when the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``)."""

    def __init__(
        self,
        icon: QIcon,
        actions: list[QAction],
        parent: QWidget,
    ) -> None:
        super().__init__(icon, parent)
        self.setToolTip("Baton")
        self.menu = QMenu(parent)
        self.entries: dict[str, QAction] = {}
        """The menu's actions by their label (without the ``&`` of a mnemonic)."""
        for action in actions:
            self.menu.addAction(action)
            self.entries[action.text().replace("&", "")] = action
        self.setContextMenu(self.menu)

    def recording(self, active: bool) -> None:
        self.setToolTip("Baton — recording" if active else "Baton")
        self.entries["Stop recording"].setEnabled(active)
