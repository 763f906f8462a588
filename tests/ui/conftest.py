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


@pytest.fixture(autouse=True)
def no_real_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widget tests run offscreen: no global shortcuts or screen grabs on a real X server."""
    monkeypatch.delenv("DISPLAY", raising=False)
