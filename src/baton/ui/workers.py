"""Run long work off the GUI thread and get the result back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("baton.ui")


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """One piece of background work; ``signals.done``/``failed`` arrive on the GUI thread."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread
            self.signals.failed.emit(error)
        else:
            self.signals.done.emit(result)


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``work`` on a pool thread; the callbacks run on the GUI thread."""
    task = Task(work)
    task.setAutoDelete(False)  # the caller keeps it (and its signals) alive
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
