"""Long work with a progress dialog and a Cancel button (export, import, recovery)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from baton.ui.workers import Task, run_in_background

Work = Callable[[Callable[[float, str], None], threading.Event], Any]


class _Progress(QObject):
    moved = Signal(float, str)


class ProgressTask(QObject):
    """Runs ``work(progress, cancel)`` off the GUI thread while a dialog shows progress."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        work: Work,
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None],
    ) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self.dialog = QProgressDialog(title, "Cancel", 0, 1000, parent)
        self.dialog.setWindowTitle("Baton")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel.set)
        self._progress = _Progress()
        self._progress.moved.connect(self._show)
        self._on_done = on_done
        self._on_failed = on_failed
        self.task: Task = run_in_background(
            lambda: work(self._progress.moved.emit, self.cancel), self._done, self._failed
        )

    def _show(self, fraction: float, what: str) -> None:
        self.dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if what:
            self.dialog.setLabelText(what)

    def _done(self, result: Any) -> None:
        self.dialog.close()
        self._on_done(result)

    def _failed(self, error: BaseException) -> None:
        self.dialog.close()
        self._on_failed(error)
