"""The tray icon: record, stop and capture steps without bringing the window forward."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from baton.ui.icons import with_dot


class Tray(QSystemTrayIcon):
    """Only made when the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``)."""

    def __init__(
        self,
        icon: QIcon,
        actions: list[QAction],
        parent: QWidget,
    ) -> None:
        super().__init__(icon, parent)
        self._idle = icon
        self._busy = with_dot(icon)
        self._capturing = False
        self._recording = False
        self.setToolTip("Baton")
        self.menu = QMenu(parent)
        self.entries: dict[str, QAction] = {}
        """The menu's actions by their label (without the ``&`` of a mnemonic)."""
        for action in actions:
            self.menu.addAction(action)
            self.entries[action.text().replace("&", "")] = action
        self.setContextMenu(self.menu)

    def recording(self, active: bool) -> None:
        self._recording = active
        self.entries["Stop recording"].setEnabled(active)
        self._show_state()

    def capturing(self, active: bool) -> None:
        """Steps are being captured: a red dot and a tooltip saying how to stop."""
        self._capturing = active
        self._show_state()

    def _show_state(self) -> None:
        busy = self._recording or self._capturing
        self.setIcon(self._busy if busy else self._idle)
        if self._recording:
            self.setToolTip("Baton — recording")
        elif self._capturing:
            self.setToolTip("Baton — capturing steps (Ctrl+Alt+C stops)")
        else:
            self.setToolTip("Baton")
