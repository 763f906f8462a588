"""Fixtures for handoff tests: a library with a process, its media, and package builders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baton.core.db import Database, open_database, sqlite_url
from baton.core.media import MediaStore
from baton.core.versions import ProcessVersionRow
from baton.handoff.package import PackageInfo, build_package
from helpers.builders import fixed_receipt_key, seed_process, standard_steps
from helpers.video import make_mp4


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
        if options.get("handoff_id") is not None:
            options.setdefault("receipt_key", fixed_receipt_key(options["handoff_id"]))
        return build_package(source, media, out_dir / name, **options)

    return run
