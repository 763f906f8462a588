"""Opening the library before the window: a waiting window, then Retry or Quit, never a hang."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog
from pytestqt.qtbot import QtBot

from baton.core.upgrade import UpgradeNotice
from baton.errors import DatabaseUnavailable, UserError
from baton.services import Services, open_services
from baton.ui.opening import OPENING_TITLE, open_library
from helpers.team import SilentServer


def waiting_window() -> QProgressDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QProgressDialog) and widget.isVisible():
            if widget.windowTitle() == OPENING_TITLE:
                return widget
    return None


def test_a_silent_team_library_shows_a_window_then_offers_retry(
    qtbot: QtBot, tmp_path: Path
) -> None:
    silent = SilentServer()
    asked: list[tuple[float, str, bool]] = []
    seen_waiting: list[float] = []
    started = time.monotonic()

    def look() -> None:
        if waiting_window() is not None and not seen_waiting:
            seen_waiting.append(time.monotonic() - started)

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)

    def retry(error: DatabaseUnavailable) -> bool:
        asked.append((time.monotonic() - started, str(error), waiting_window() is None))
        return len(asked) < 2  # Retry once, then Quit

    try:
        result = open_library(
            lambda confirm: open_services(str(tmp_path), silent.url("connect_timeout=2"),
                                          confirm=confirm),
            what="the team library", retry=retry, show_after_ms=100)
    finally:
        timer.stop()
        silent.close()
    assert result is None  # the owner quit
    assert len(asked) == 2
    # The waiting window came first, well before the connect timeout ran out
    assert seen_waiting
    assert seen_waiting[0] < asked[0][0] - 1
    for _when, message, waiting_closed in asked:
        assert "Cannot reach the team library" in message
        assert "\n" not in message
        assert waiting_closed
    # each attempt gives up after the 2 s timeout (plus slack for a busy machine)
    assert asked[0][0] < 2 + 6
    assert asked[1][0] - asked[0][0] < 2 + 6


def test_a_library_that_opens_returns_its_services(qtbot: QtBot, tmp_path: Path) -> None:
    services = open_library(lambda confirm: open_services(str(tmp_path), confirm=confirm),
                            retry=lambda error: pytest.fail(str(error)))
    assert isinstance(services, Services)
    services.close()


def test_other_problems_are_raised_as_they_are(qtbot: QtBot) -> None:
    def broken(confirm: Any) -> None:
        raise UserError("The database folder does not exist: /nowhere")

    with pytest.raises(UserError, match="does not exist"):
        open_library(broken)


def test_the_upgrade_question_is_asked_on_the_gui_thread(qtbot: QtBot) -> None:
    import threading

    asked_on: list[bool] = []
    notice = UpgradeNotice("0002", "0005", None, "pg_dump is not installed")

    def ask(given: UpgradeNotice) -> bool:
        asked_on.append(threading.current_thread() is threading.main_thread())
        assert given == notice
        return False

    answer = open_library(lambda confirm: confirm(notice), ask=ask)
    assert answer is False
    assert asked_on == [True]


def test_a_database_failure_anywhere_is_a_plain_message_with_retry(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "Baton hit a bug": the server or the network, said plainly, and Retry."""
    import sys

    from PySide6.QtWidgets import QMessageBox

    from baton.ui import messages
    from baton.ui.crash import install_crash_handler

    bugs: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: bugs.append(self.text()) or 0)
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_retry",
                        lambda parent, text: asked.append(text) or len(asked) < 3)
    refreshed: list[int] = []

    def refresh() -> None:
        refreshed.append(1)
        if len(refreshed) == 1:
            raise DatabaseUnavailable("Cannot reach the team library at db:5432: still down.")

    previous = sys.excepthook
    install_crash_handler(tmp_path / "baton.log", [refresh])
    try:
        error = DatabaseUnavailable("Cannot reach the team library at db:5432: refused.")
        sys.excepthook(DatabaseUnavailable, error, None)
    finally:
        sys.excepthook = previous
    assert bugs == []
    assert asked == ["Cannot reach the team library at db:5432: refused.",
                     "Cannot reach the team library at db:5432: still down."]
    assert len(refreshed) == 2  # retried until it worked

