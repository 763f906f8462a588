"""Fixtures for core tests: services on a fresh database, on every back-end."""

from __future__ import annotations

import pytest

from baton.core.clock import ManualClock
from baton.core.db import Database
from baton.core.library import Library
from baton.core.tracking import Tracking
from helpers.database import on_every_backend


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The same tests run on embedded SQLite and on a real PostgreSQL server."""
    on_every_backend(metafunc)


@pytest.fixture
def library(database: Database, clock: ManualClock) -> Library:
    return Library(database.sessions, clock)


@pytest.fixture
def tracking(database: Database, clock: ManualClock) -> Tracking:
    return Tracking(database.sessions, clock)
