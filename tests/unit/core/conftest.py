"""Fixtures for core tests: a fresh database and services on a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from baton.core.assistants import Assistants
from baton.core.clock import ManualClock
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.library import Library


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same tests run on embedded SQLite and on a real PostgreSQL server."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").new_database()
    else:
        url = sqlite_url(tmp_path / "baton.db")
    db = open_database(url)
    yield db
    db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def library(database: Database, clock: ManualClock) -> Library:
    return Library(database.sessions, clock)


@pytest.fixture
def assistants(database: Database, clock: ManualClock) -> Assistants:
    return Assistants(database.sessions, clock)


@pytest.fixture
def handoffs(database: Database, clock: ManualClock) -> Handoffs:
    return Handoffs(database.sessions, clock)
