"""Fixtures for core tests: a fresh database and services on a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from baton.core.clock import ManualClock
from baton.core.db import Database, open_database, sqlite_url
from baton.core.library import Library
from baton.core.tracking import Tracking


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    yield db
    db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def library(database: Database, clock: ManualClock) -> Library:
    return Library(database.sessions, clock)


@pytest.fixture
def tracking(database: Database, clock: ManualClock) -> Tracking:
    return Tracking(database.sessions, clock)
