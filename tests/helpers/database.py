"""The library database on each back-end Baton supports: embedded SQLite and PostgreSQL.

The ``database`` fixture (tests/conftest.py) opens SQLite unless a test directory asks for
every back-end with :func:`on_every_backend`; the PostgreSQL variant carries the
``postgres`` marker and runs on the server the test session starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from baton.core.db import Database, open_database, sqlite_url

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def on_every_backend(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses ``database`` once per back-end (a ``pytest_generate_tests``)."""
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", BACKENDS, indirect=True)


@contextmanager
def opened(request: pytest.FixtureRequest, folder: Path) -> Iterator[Database]:
    """A new, migrated database on the back-end ``request`` asks for (SQLite by default)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgres":
        url = request.getfixturevalue("postgres").new_database()
    else:
        url = sqlite_url(folder / "baton.db")
    database = open_database(url)
    try:
        yield database
    finally:
        database.close()
