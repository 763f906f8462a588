"""Our bugs: log them and show a dialog with the details instead of vanishing."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from baton.errors import DatabaseUnavailable, UserError

log = logging.getLogger("baton.ui")


def install_crash_handler(log_file: Path, refresh: list[Callable[[], None]] | None = None
                          ) -> None:
    """Route uncaught exceptions in the GUI to the log and a dialog.

    Args:
        log_file: named in the dialog for bug reports.
        refresh: filled in once the window exists: what Retry does when the team library
            could not be reached (show everything again from the database).
    """

    def handle(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(error, KeyboardInterrupt):
            QApplication.quit()
            return
        if isinstance(error, DatabaseUnavailable):
            # Not a bug: the server or the network. Plain words, and a way to try again.
            log.info("database unavailable: %s", error)
            from baton.ui.messages import ask_retry

            message = str(error)
            while ask_retry(QApplication.activeWindow(), message) and refresh:
                try:
                    for again in refresh:
                        again()
                    break
                except DatabaseUnavailable as still:
                    message = str(still)
            return
        if isinstance(error, UserError):
            log.info("problem: %s", error)
            QMessageBox.warning(QApplication.activeWindow(), "Baton", str(error))
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("unexpected error:\n%s", details)
        box = QMessageBox(QMessageBox.Icon.Critical, "Baton hit a bug", "")
        box.setText(
            "Something went wrong inside Baton. Your saved work is safe.\n\n"
            f"The details are in {log_file}; please include them when you report this."
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = handle
