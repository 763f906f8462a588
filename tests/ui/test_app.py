"""Starting the app: missing display, bad library, crash dialog."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from baton.app import display_problem, run_app
from baton.settings import Settings
from baton.ui.crash import install_crash_handler
from baton.ui.dialogs.settings import SettingsDialog


def test_no_display_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert "DISPLAY is not set" in (display_problem() or "")
    monkeypatch.setenv("DISPLAY", ":4711")
    assert display_problem() == (
        "Cannot connect to the display :4711: is an X server running there?"
    )


def test_a_bad_library_is_reported_not_crashed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "baton.db").write_bytes(b"not a database" * 100)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert run_app(data_dir=str(tmp_path)) == 1
    assert shown
    assert shown[0].startswith("Cannot open the database")
    assert capsys.readouterr().err.startswith("baton: Cannot open the database")


@pytest.mark.logs_error("unexpected error")
def test_our_bugs_are_logged_and_shown(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    previous = sys.excepthook
    install_crash_handler(tmp_path / "baton.log")
    try:
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError as error:
            with caplog.at_level(logging.ERROR, logger="baton.ui"):
                sys.excepthook(type(error), error, error.__traceback__)
    finally:
        sys.excepthook = previous
    assert shown
    assert "Your saved work is safe" in shown[0]
    assert "baton.log" in shown[0]
    assert "ZeroDivisionError: boom" in caplog.text


def test_preferences_save_what_changed(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    fps = dialog.editors["recording.fps"]
    fps.setCurrentIndex(fps.findData(60))  # type: ignore[attr-defined]
    dialog.editors["recording.show_keys"].setChecked(True)  # type: ignore[attr-defined]
    dialog.editors["steps.keep_typing_in"].setText(" XTerm ")  # type: ignore[attr-defined]
    dialog.accept()
    reloaded = Settings(tmp_path / "settings.json")
    assert reloaded.get("recording.fps") == 60
    assert reloaded.get("recording.show_keys") is True
    assert reloaded.get("steps.keep_typing_in") == "XTerm"


@pytest.mark.logs_error("media cleanup failed")
def test_closing_the_app_removes_old_unused_media(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from baton.app import clean_up
    from baton.core import cleanup
    from baton.core.models import MediaOrphan
    from baton.services import open_services

    services = open_services(str(tmp_path))
    try:
        old = services.media.put_bytes(b"a screenshot of a deleted step", "png")
        clean_up(services)  # unreferenced from now on (by the database's clock)
        new = services.media.put_bytes(b"stored a moment ago", "png")
        assert old in services.media
        with services.database.sessions() as session:  # an hour and a bit later
            for orphan in session.scalars(select(MediaOrphan)):
                orphan.since -= timedelta(minutes=61)
            session.commit()
        clean_up(services)
        assert old not in services.media
        assert new in services.media

        def broken(*args: object, **kwargs: object) -> list[str]:
            raise RuntimeError("disk gone")

        monkeypatch.setattr(cleanup, "clean_media", broken)
        clean_up(services)  # logged, never raised: closing goes on
        assert "media cleanup failed" in caplog.text
    finally:
        services.close()


def test_showing_the_window_loads_no_video_or_image_library(tmp_path: Path) -> None:
    """PyAV, OpenCV and numpy take about 0.25 s to import: they load on first use only."""
    import subprocess
    import sys

    script = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import baton.app\n"
        "from baton.services import open_services\n"
        "from baton.ui.main_window import MainWindow, make_state\n"
        "app = QApplication([])\n"
        f"services = open_services({str(tmp_path)!r})\n"
        "window = MainWindow(services, make_state(services.paths.ui_state_file))\n"
        "window.show()\n"
        "for _ in range(20): app.processEvents()\n"
        "print(window.isVisible(), sorted(m for m in ('av', 'cv2', 'numpy') if m in sys.modules))\n"
        "window.close(); services.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True []"
