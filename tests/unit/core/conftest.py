"""Fixtures for core tests: services on a fresh database, on every back-end."""

from __future__ import annotations

import pytest

from helpers.database import on_every_backend


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The same tests run on embedded SQLite and on a real PostgreSQL server."""
    on_every_backend(metafunc)
