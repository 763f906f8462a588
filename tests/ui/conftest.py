"""Fixtures for widget tests: real services on a temp library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.services import Services, open_services


@pytest.fixture
def services(data_dir: Path) -> Iterator[Services]:
    opened = open_services(str(data_dir))
    yield opened
    opened.close()
