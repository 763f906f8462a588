"""Our bugs: log them and show a dialog with the details instead of vanishing."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from baton.errors import UserError

log = logging.getLogger("baton.ui")


def install_crash_handler(log_file: Path) -> None:
    """Route uncaught exceptions in the GUI to the log and a dialog."""

    def handle(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(error, KeyboardInterrupt):
            QApplication.quit()
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
