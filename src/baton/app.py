"""Open the app: build the services, hand them to the main window, run Qt."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from baton import __version__
from baton.errors import UserError
from baton.paths import resolve_paths
from baton.services import Services, open_services, open_user_files

log = logging.getLogger("baton.ui")


def display_problem() -> str | None:
    """Why no window can be shown here, or None. (Qt would abort the process instead.)"""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    display = os.environ.get("DISPLAY", "")
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    if display:
        host, _, number = display.partition(":")
        socket = Path("/tmp/.X11-unix") / f"X{number.split('.')[0]}"
        if host or socket.exists():
            return None
        return f"Cannot connect to the display {display}: is an X server running there?"
    return (
        "No display to open a window on (DISPLAY is not set): start Baton from your desktop, "
        "or use the command line (baton --help)."
    )


def run_app(data_dir: str | None = None, database_url: str | None = None) -> int:
    """Show the main window on the library in ``data_dir``; returns the exit code."""
    problem = display_problem()
    if problem:
        print(f"baton: {problem}", file=sys.stderr)
        return 1
    from baton.ui.crash import install_crash_handler
    from baton.ui.main_window import MainWindow, app_icon, make_state
    from baton.ui.style import apply_style

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Baton")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Baton")
    app.setDesktopFileName("baton")
    app.setWindowIcon(app_icon())
    apply_style(app)

    from baton.ui.opening import open_library

    team = database_url or os.environ.get("BATON_DATABASE_URL")
    try:  # off the GUI thread, with a window saying so: a team library may not answer
        log_file = open_user_files(resolve_paths(data_dir))
        services = open_library(
            lambda confirm: open_services(data_dir, database_url, confirm=confirm),
            what="the team library" if team else "your library")
    except UserError as error:
        QMessageBox.critical(None, "Baton cannot open your library", str(error))
        print(f"baton: {error}", file=sys.stderr)
        return 1
    if services is None:
        print("baton: the library could not be opened; quit", file=sys.stderr)
        return 1
    refresh: list[Callable[[], None]] = []
    install_crash_handler(log_file, refresh)
    log.info("Baton %s opened %s", __version__, services.paths.data_dir)
    window = MainWindow(services, make_state(services.paths.ui_state_file))
    refresh.append(window.refresh)
    window.show()
    try:
        return app.exec()
    finally:
        clean_up(services)
        services.close()


def clean_up(services: Services) -> None:
    """Remove media nothing refers to any more (as the app closes; never fails the exit)."""
    from baton.core.cleanup import clean_media

    try:
        removed = clean_media(services.database.sessions, services.media)
    except Exception:
        log.exception("media cleanup failed")
        return
    if removed:
        log.info("removed %d media files nothing refers to", len(removed))
