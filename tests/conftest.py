"""Shared fixtures: offscreen Qt by default, a real Xvfb display for marked tests, temp data.

What the fixtures are built from lives in ``tests/helpers/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.core.assistants import Assistants
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from helpers.clock import TestClock
from helpers.database import opened
from helpers.postgres import PostgresServer
from helpers.sway import WaylandDesktop
from helpers.xvfb import XDisplay, start_xvfb

# pytester: tests/helpers/test_helpers.py runs pytest on made-up projects.
pytest_plugins = [
    "helpers.logfail", "helpers.watchdog", "helpers.coverage_floors", "pytester",
]

# Unit and UI tests need no X server; tests that grab the screen ask for `xdisplay`.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("BATON_DATA_DIR", None)
os.environ.pop("BATON_DATABASE_URL", None)


@pytest.fixture(scope="session")
def xdisplay() -> Iterator[XDisplay]:
    """A 1920x1080 Xvfb display for the whole session (DISPLAY is set while tests run)."""
    process, display = start_xvfb()
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display.name
    try:
        yield display
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def sway_desktop() -> Iterator[WaylandDesktop]:
    """A 1280x720 headless sway desktop for the session, with PipeWire and the ScreenCast portal.

    Nothing in ``os.environ`` changes: pass ``sway_desktop.env()`` to what should run there.
    """
    desktop = WaylandDesktop().start()
    try:
        yield desktop
    finally:
        desktop.stop()


USER_FOLDER_VARIABLES = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


@pytest.fixture(autouse=True)
def platformdirs_isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Per-user files (settings, window state, logs, recordings) go under a temp folder.

    Set in the environment, so every Baton a test starts as a subprocess inherits it too;
    outside tmp_path, so tests that list their tmp_path see only what they made.
    """
    root = tmp_path_factory.mktemp("user")
    for name in USER_FOLDER_VARIABLES:
        monkeypatch.setenv(name, str(root / name.removeprefix("XDG_").lower()))
    return root


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (team-mode tests).

    Its folder is our own (not pytest's tmp_path, which other pytest runs may prune).
    """
    root = Path(tempfile.mkdtemp(prefix="baton-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = PostgresServer(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, migrated library database.

    SQLite, except where a conftest's ``pytest_generate_tests`` calls
    ``helpers.database.on_every_backend``: there each test runs on SQLite and again on the
    session's PostgreSQL server (marked ``postgres``).
    """
    with opened(request, tmp_path) as database:
        yield database


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def library(database: Database, clock: TestClock) -> Library:
    return Library(database.sessions, clock)


@pytest.fixture
def assistants(database: Database, clock: TestClock) -> Assistants:
    return Assistants(database.sessions, clock)


@pytest.fixture
def handoffs(database: Database, clock: TestClock) -> Handoffs:
    return Handoffs(database.sessions, clock)
