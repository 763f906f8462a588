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
from handoff_builders import (  # noqa: E402
    fixed_receipt_key,
    make_mp4,
    seed_process,
    standard_steps,
)

from baton.core.db import Database, open_database, sqlite_url
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import ProcessVersion
from baton.core.tracking import Tracking
from baton.handoff.package import PackageInfo, build_package


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def genuine_package(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package as Baton sends it (three steps, two screenshots, a video, handoff 5),
    made once per session for the hostile corpus and the fuzzers."""
    folder = tmp_path_factory.mktemp("genuine")
    database = open_database(sqlite_url(folder / "baton.db"))
    media = MediaStore(folder / "media")
    video = make_mp4(folder / "clip.mp4")
    version = seed_process(database, media, steps=standard_steps(), video=video)
    package = build_package(version, media, folder / "package.zip", handoff_id=5,
                            assistant="Ana", receipt_key=fixed_receipt_key(5))
    database.close()
    return package.path


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
def tracking(database: Database, clock: FixedClock) -> Tracking:
    return Tracking(database.sessions, clock)


@pytest.fixture
def version(database: Database, media: MediaStore, sample_video: Path) -> ProcessVersion:
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
        if options.get("handoff_id") is not None:
            options.setdefault("receipt_key", fixed_receipt_key(options["handoff_id"]))
        return build_package(source, media, out_dir / name, **options)

    return run
