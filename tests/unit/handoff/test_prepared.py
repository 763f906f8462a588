"""Prepared versions: made once, reused by every later export, remade when damaged or gone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.core.cleanup import clean_media
from baton.core.db import Database
from baton.core.library import Library
from baton.core.media import CorruptMedia, MediaStore
from baton.core.steps import StepContent, Steps
from baton.core.versions import ProcessVersionRow
from baton.handoff import documents, preparation
from baton.handoff.package import ExportCancelled, PackageInfo
from baton.handoff.preparation import prepare_version
from baton.handoff.prepared import load_prepared
from baton.handoff.source import VersionSource
from baton.handoff.validation import verify_package

Build = Callable[..., PackageInfo]


@pytest.fixture
def paintings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how many times the PDF checklist and screenshots are made."""
    made: list[int] = []
    real = documents.prepare_documents

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(preparation, "prepare_documents", counted)
    return made


def test_a_second_export_copies_what_the_first_prepared(
    build: Build, version: ProcessVersionRow, paintings: list[int]
) -> None:
    first = build(version, "first.zip", handoff_id=1, assistant="Ana")
    second = build(version, "second.zip", handoff_id=1, assistant="Ana")
    assert len(paintings) == 1
    assert first.path.read_bytes() == second.path.read_bytes()
    verify_package(second.path)


def test_every_assistant_gets_the_same_prepared_files(
    build: Build, version: ProcessVersionRow, paintings: list[int]
) -> None:
    ana = build(version, "ana.zip", handoff_id=1, assistant="Ana")
    ben = build(version, "ben.zip", handoff_id=2, assistant="Ben")
    assert len(paintings) == 1
    same = {"checklist.pdf", "video/walkthrough.mp4", "steps/001.png", "steps/002.png"}
    for name in same:
        assert ana.manifest.file(name) == ben.manifest.file(name)
    assert ana.manifest.file("index.html") != ben.manifest.file("index.html")  # their names


def test_a_missing_prepared_file_is_made_again(
    build: Build, version: ProcessVersionRow, media: MediaStore, paintings: list[int]
) -> None:
    first = build(version, "first.zip")
    ready = load_prepared(VersionSource.of(version), media)
    assert ready is not None
    media.path(ready.pdf.media_key).unlink()
    assert load_prepared(VersionSource.of(version), media) is None
    second = build(version, "second.zip")
    assert len(paintings) == 2
    assert first.path.read_bytes() == second.path.read_bytes()


def test_a_stored_file_changed_since_it_was_checked_is_caught(
    build: Build, version: ProcessVersionRow, media: MediaStore, out_dir: Path
) -> None:
    build(version, "first.zip")
    ready = load_prepared(VersionSource.of(version), media)
    assert ready is not None
    assert ready.video is not None
    path = media.path(ready.video.media_key)  # the video made for the package
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # same size, other bytes: written after it was checked
    path.write_bytes(bytes(data))
    assert load_prepared(VersionSource.of(version), media) is None
    with pytest.raises(CorruptMedia, match="damaged"):
        build(version, "second.zip")  # prepared again, so checked again
    assert [p.name for p in out_dir.iterdir()] == ["first.zip"]


def test_a_damaged_index_is_made_again(
    build: Build, version: ProcessVersionRow, media: MediaStore, paintings: list[int]
) -> None:
    first = build(version, "first.zip")
    (index,) = media.prepared_indexes()
    index.write_bytes(b'{"made_for": ')
    second = build(version, "second.zip")
    assert len(paintings) == 2
    assert first.path.read_bytes() == second.path.read_bytes()


def test_an_index_for_another_version_is_not_used(
    build: Build, version: ProcessVersionRow, media: MediaStore, paintings: list[int]
) -> None:
    build(version, "first.zip")
    (index,) = media.prepared_indexes()
    index.write_bytes(index.read_bytes().replace(b'"version": 1', b'"version": 9'))
    build(version, "second.zip")
    assert len(paintings) == 2


def test_a_damaged_screenshot_is_caught_when_preparing(
    build: Build, version: ProcessVersionRow, media: MediaStore, out_dir: Path
) -> None:
    path = media.path(version.snapshot["steps"][0]["screenshot"])
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptMedia, match="damaged"):
        build(version)
    assert list(out_dir.iterdir()) == []
    assert media.prepared_indexes() == []


def test_cancelling_a_preparation_indexes_nothing(
    qapp: Any, version: ProcessVersionRow, media: MediaStore
) -> None:
    def cancel() -> None:
        raise ExportCancelled()

    with pytest.raises(ExportCancelled):
        prepare_version(VersionSource.of(version), media, check_cancel=cancel)
    assert media.prepared_indexes() == []


def test_two_exports_at_once_prepare_once(
    qapp: Any, version: ProcessVersionRow, media: MediaStore, paintings: list[int]
) -> None:
    source = VersionSource.of(version)
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(prepare_version(source, media)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(paintings) == 1
    assert len(results) == 2
    assert results[0] == results[1]


def test_a_folder_without_file_locks_still_prepares(
    qapp: Any, version: ProcessVersionRow, media: MediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    ready = prepare_version(VersionSource.of(version), media)
    assert load_prepared(VersionSource.of(version), media) == ready


def test_cleanup_keeps_prepared_files_of_the_latest_version_only(
    build: Build,
    version: ProcessVersionRow,
    media: MediaStore,
    database: Database,
    library: Library,
) -> None:
    later = timedelta(0)  # no grace: what nothing refers to goes at once
    build(version)
    ready = load_prepared(VersionSource.of(version), media)
    assert ready is not None
    steps = version.snapshot["steps"]
    own = {step["screenshot"] for step in steps if step.get("screenshot")}
    made = [key for key in ready.media_keys() if key not in own | {version.snapshot["recording"]}]
    assert len(made) == 3  # the PDF, the redacted screenshot, the video with chapter keyframes
    clean_media(database.sessions, media, grace=later)
    assert load_prepared(VersionSource.of(version), media) == ready

    Steps(database.sessions).add(version.process_id, StepContent(title="Check the total"))
    newer = library.freeze_version(version.process_id)
    build(newer, "v2.zip")
    clean_media(database.sessions, media, grace=later)
    assert load_prepared(VersionSource.of(version), media) is None  # made again if needed
    assert load_prepared(VersionSource.of(newer), media) is not None
    assert len(media.prepared_indexes()) == 1

    library.delete_process(version.process_id)
    clean_media(database.sessions, media, grace=later)
    assert media.prepared_indexes() == []
    assert list((media.root / "prepared").iterdir()) == []  # the lock files went too
    for key in made:
        assert key not in media


def test_the_markdown_checklist_still_names_the_assistant(
    build: Build, version: ProcessVersionRow
) -> None:
    import zipfile

    build(version, "first.zip", handoff_id=3, assistant="Ben")
    info = build(version, handoff_id=3, assistant="Ana Reyes")
    with zipfile.ZipFile(info.path) as archive:
        markdown = archive.read("checklist.md").decode()
    assert "prepared for Ana Reyes" in markdown
