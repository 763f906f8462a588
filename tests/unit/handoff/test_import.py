"""Importing a package into another library: everything arrives, hostile ones write nothing."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from baton.core.db import Database, open_database, sqlite_url
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import Process, ProcessStatus, Recording, Step
from baton.core.versions import ProcessVersionRow
from baton.handoff.importer import import_package
from baton.handoff.package import PackageInfo
from baton.handoff.reader import BadPackage

Build = Callable[..., PackageInfo]


@pytest.fixture
def other(tmp_path: Path) -> Iterator[tuple[Database, MediaStore]]:
    """A second, empty library (another owner's, or another computer's)."""
    database = open_database(sqlite_url(tmp_path / "other.db"))
    yield database, MediaStore(tmp_path / "other-media")
    database.close()


def test_import_recreates_the_process_with_its_media(
    build: Build, version: ProcessVersionRow, other: tuple[Database, MediaStore]
) -> None:
    package = build(version, handoff_id=1, assistant="Ana")
    database, media = other
    process_id = import_package(package.path, Library(database.sessions), media)
    with database.sessions() as session:
        process = session.get(Process, process_id)
        assert process is not None
        assert process.title == "Send the invoices"
        assert process.summary == "Every Monday."
        assert process.status is ProcessStatus.READY
        assert process.minutes_per_run == 30
        steps = session.scalars(
            select(Step).where(Step.process_id == process_id).order_by(Step.position)
        ).all()
        assert [s.title for s in steps] == ["Open the billing page", "Export the list", "Email it"]
        assert [s.video_time for s in steps] == [0.5, 1.5, 2.5]
        assert (steps[0].click_x, steps[0].click_y) == (40, 50)
        assert steps[1].caution == "Never pick XLSX."
        assert steps[2].screenshot is None
        with zipfile.ZipFile(package.path) as archive:
            for step, name in ((steps[0], "steps/001.png"), (steps[1], "steps/002.png")):
                assert step.screenshot is not None
                assert media.read_bytes(step.screenshot) == archive.read(name)
            video = archive.read("video/walkthrough.mp4")
        assert steps[1].redactions == []  # already burned into the imported pixels
        recording = session.get(Recording, process.recording_id)
        assert recording is not None
        assert recording.media is not None
        assert media.read_bytes(recording.media) == video
        assert recording.duration == pytest.approx(3.0, abs=0.2)
        assert (recording.width, recording.height) == (320, 240)


def test_importing_twice_keeps_titles_apart(
    build: Build, version: ProcessVersionRow, other: tuple[Database, MediaStore]
) -> None:
    package = build(version)
    database, media = other
    first = import_package(package.path, Library(database.sessions), media)
    second = import_package(package.path, Library(database.sessions), media)
    with database.sessions() as session:
        assert session.get(Process, first).title == "Send the invoices"  # type: ignore[union-attr]
        assert session.get(Process, second).title == "Send the invoices (imported)"  # type: ignore[union-attr]


def test_a_hostile_package_writes_nothing(
    build: Build, version: ProcessVersionRow, other: tuple[Database, MediaStore], tmp_path: Path
) -> None:
    package = build(version)
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(package.path) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "steps/002.png":
                data = data[:-1] + bytes([data[-1] ^ 1])  # same size, different content
            target.writestr(info, data)
    database, media = other
    with pytest.raises(BadPackage, match="does not match its manifest"):
        import_package(hostile, Library(database.sessions), media)
    with database.sessions() as session:
        assert session.scalar(select(func.count(Process.id))) == 0
        assert session.scalar(select(func.count(Recording.id))) == 0
    assert not media.root.exists() or list(media.keys()) == []
