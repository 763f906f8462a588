"""Opening the library before the main window, without ever hanging silently.

Opening a team library means reaching a PostgreSQL server over the network, which can
take up to the connect timeout (or longer, while another Baton upgrades it). So it runs
off the GUI thread while a small window says what Baton is doing, with a Quit button. If
the server cannot be reached the owner reads why, and can retry or quit. A team library
that needs an upgrade is only upgraded after the owner agreed (``ask_upgrade``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from baton.core.upgrade import UpgradeNotice
from baton.errors import DatabaseUnavailable, UserError

log = logging.getLogger("baton.ui")

OPENING_TITLE = "Baton — opening the library"
UNREACHABLE_TITLE = "Baton cannot reach the team library"
SHOW_AFTER_MS = 400

Opener = Callable[[Callable[[UpgradeNotice], bool]], Any]


def ask_upgrade(parent: QWidget | None, notice: UpgradeNotice) -> bool:
    """Ask the owner before a team library is upgraded (others need this Baton then)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Upgrade the team library?",
                      notice.sentence(), parent=parent)
    action = "Upgrade" if notice.backup is not None else "Upgrade without a backup"
    upgrade = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is upgrade


def ask_retry_opening(parent: QWidget | None, error: DatabaseUnavailable) -> bool:
    """Say why the library cannot be opened now; returns whether to try again."""
    box = QMessageBox(QMessageBox.Icon.Warning, UNREACHABLE_TITLE, str(error), parent=parent)
    retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    return box.clickedButton() is retry


class _Asker(QObject):
    """Runs the upgrade question on the GUI thread for the opening thread."""

    asked = Signal(object)

    def __init__(self, ask: Callable[[UpgradeNotice], bool]) -> None:
        super().__init__()
        self._ask = ask
        self.answer = False
        self.asked.connect(self._answer, Qt.ConnectionType.BlockingQueuedConnection)

    @Slot(object)
    def _answer(self, notice: UpgradeNotice) -> None:
        self.answer = self._ask(notice)

    def __call__(self, notice: UpgradeNotice) -> bool:
        self.asked.emit(notice)  # blocks the opening thread until the owner answered
        return self.answer


class _Done(QObject):
    finished = Signal()


def open_library(
    opener: Opener,
    *,
    what: str = "your library",
    ask: Callable[[UpgradeNotice], bool] | None = None,
    retry: Callable[[DatabaseUnavailable], bool] | None = None,
    show_after_ms: int = SHOW_AFTER_MS,
) -> Any | None:
    """Run ``opener(confirm)`` off the GUI thread; returns what it returned, or None if the
    owner quit.

    Args:
        opener: opens the library; gets the upgrade question to ask (``confirm``).
        what: what is being opened, for the waiting window.
        ask: the upgrade question (default: ``ask_upgrade``).
        retry: asked when the library cannot be reached (default: ``ask_retry_opening``).
        show_after_ms: the waiting window shows only if opening takes longer.

    Raises:
        UserError: the library cannot be opened for a reason a retry does not fix.
    """
    asker = _Asker(ask or (lambda notice: ask_upgrade(None, notice)))
    retry = retry or (lambda error: ask_retry_opening(None, error))
    while True:
        outcome = _run_once(opener, asker, what, show_after_ms)
        if outcome is None:
            return None  # the owner quit while waiting
        result, error = outcome
        if error is None:
            return result
        if isinstance(error, DatabaseUnavailable):
            log.info("cannot open the library: %s", error)
            if retry(error):
                continue
            return None
        raise error


def _run_once(opener: Opener, asker: _Asker, what: str, show_after_ms: int
              ) -> tuple[Any, UserError | None] | None:
    outcome: dict[str, Any] = {}
    done = _Done()
    loop = QEventLoop()
    done.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            outcome["result"] = opener(asker)
        except UserError as error:
            outcome["error"] = error
        except BaseException as error:  # noqa: BLE001 - our bug: re-raised on the GUI thread
            outcome["bug"] = error
        done.finished.emit()

    waiting = QProgressDialog(f"Opening {what}…", "Quit", 0, 0)
    waiting.setWindowTitle(OPENING_TITLE)
    waiting.setMinimumDuration(show_after_ms)
    waiting.setAutoClose(False)
    waiting.setAutoReset(False)
    quit_pressed = threading.Event()
    waiting.canceled.connect(quit_pressed.set)
    waiting.canceled.connect(loop.quit)
    # Daemon: if the owner quits while the server never answers, the app can still exit.
    thread = threading.Thread(target=work, name="open-library", daemon=True)
    thread.start()
    QTimer.singleShot(0, lambda: waiting.setValue(0))  # starts the show-after timer
    if "result" not in outcome and "error" not in outcome and "bug" not in outcome:
        loop.exec()
    waiting.close()
    waiting.deleteLater()
    if quit_pressed.is_set() and not ("result" in outcome or "error" in outcome):
        return None
    if "bug" in outcome:
        raise outcome["bug"]
    return outcome.get("result"), outcome.get("error")
