"""Fixtures for handoff tests: a library with a process, its media, and package builders."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

# The builders are plain functions shared with the browser tests in tests/e2e.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from handoff_builders import make_mp4, seed_process, standard_steps  # noqa: E402

from baton.core.assistants import Assistants
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.versions import ProcessVersionRow
from baton.handoff.package import PackageInfo, build_package


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 320x240, 10 fps faststart H.264 MP4 (made once per test session)."""
    return make_mp4(tmp_path_factory.mktemp("video") / "walkthrough.mp4")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    yield db
    db.close()


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def library(database: Database, clock: FixedClock) -> Library:
    return Library(database.sessions, clock)


@pytest.fixture
def assistants(database: Database, clock: FixedClock) -> Assistants:
    return Assistants(database.sessions, clock)


@pytest.fixture
def handoffs(database: Database, clock: FixedClock) -> Handoffs:
    return Handoffs(database.sessions, clock)


@pytest.fixture
def version(database: Database, media: MediaStore, sample_video: Path) -> ProcessVersionRow:
    """Version 1 of a process with three steps (one redacted) and a recording."""
    return seed_process(database, media, steps=standard_steps(), video=sample_video)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def build(qapp: Any, media: MediaStore, out_dir: Path) -> Callable[..., PackageInfo]:
    """``build(version, name="package.zip", **options)``: export into ``out_dir``."""

    def run(source: Any, name: str = "package.zip", **options: Any) -> PackageInfo:
        return build_package(source, media, out_dir / name, **options)

    return run
