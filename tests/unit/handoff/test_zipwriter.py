"""The hand-written zip: readable by every reader, the same bytes by either copy path."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from baton.handoff import zipwriter
from baton.handoff.zipwriter import ReproducibleZip, SourceChanged, StoredFile


def stored(path: Path) -> StoredFile:
    data = path.read_bytes()
    return StoredFile(
        path.open("rb"), len(data), zlib.crc32(data), hashlib.sha256(data).hexdigest()
    )


def write_zip(target: Path, media: Path, **options: Any) -> list[Any]:
    entries = []
    with target.open("w+b") as handle:
        archive = ReproducibleZip(handle, **options)
        source = stored(media)
        with source.handle:
            entries.append(archive.add_file("video/walkthrough.mp4", source))
        text = b"# Checklist\n\n- [ ] Done\n" * 50
        entries.append(
            archive.add_bytes(
                "checklist.md", text, sha256=hashlib.sha256(text).hexdigest(), compress=True
            )
        )
        entries.append(archive.add_bytes("empty.txt", b"", sha256="0" * 64, compress=False))
        archive.close()
        assert archive.size == target.stat().st_size
    return entries


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "media.bin"
    path.write_bytes(os.urandom(3 << 20) + b"end")
    return path


def check_readers(target: Path, media: Path) -> None:
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None  # every CRC-32 checked
        assert archive.namelist() == ["video/walkthrough.mp4", "checklist.md", "empty.txt"]
        assert archive.read("video/walkthrough.mp4") == media.read_bytes()
        assert archive.read("checklist.md").startswith(b"# Checklist")
        info = archive.getinfo("video/walkthrough.mp4")
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert archive.getinfo("checklist.md").compress_type == zipfile.ZIP_DEFLATED
    tested = subprocess.run(["unzip", "-t", str(target)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "No errors detected" in tested.stdout


def test_python_and_info_zip_read_every_entry(tmp_path: Path, media: Path) -> None:
    target = tmp_path / "package.zip"
    entries = write_zip(target, media)
    check_readers(target, media)
    assert entries[0].bytes == media.stat().st_size
    assert entries[0].sha256 == hashlib.sha256(media.read_bytes()).hexdigest()


def test_zip64_records_are_read_back(tmp_path: Path, media: Path) -> None:
    target = tmp_path / "package.zip"
    write_zip(target, media, zip64_from=1 << 20)  # the 3 MB entry and later offsets need ZIP64
    check_readers(target, media)
    assert b"PK\x06\x06" in target.read_bytes()[-200:]  # the ZIP64 end record


def test_the_read_write_copy_gives_the_same_bytes_as_the_kernel_copy(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_zip(tmp_path / "kernel.zip", media)

    def refused(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refused)
    write_zip(tmp_path / "read.zip", media)
    assert (tmp_path / "kernel.zip").read_bytes() == (tmp_path / "read.zip").read_bytes()


def test_the_read_write_copy_notices_a_wrong_checksum(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "copy_file_range")
    source = stored(media)
    wrong = StoredFile(source.handle, source.size, source.crc32 ^ 1, source.sha256)
    with (tmp_path / "x.zip").open("w+b") as handle, source.handle:
        with pytest.raises(SourceChanged):
            ReproducibleZip(handle).add_file("video/walkthrough.mp4", wrong)


def test_a_file_of_another_size_is_refused(tmp_path: Path, media: Path) -> None:
    source = stored(media)
    longer = StoredFile(source.handle, source.size + 1, source.crc32, source.sha256)
    with (tmp_path / "x.zip").open("w+b") as handle, source.handle:
        with pytest.raises(SourceChanged):
            ReproducibleZip(handle).add_file("video/walkthrough.mp4", longer)


def test_the_same_entries_give_the_same_bytes(tmp_path: Path, media: Path) -> None:
    write_zip(tmp_path / "a.zip", media)
    write_zip(tmp_path / "b.zip", media)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_progress_is_reported_and_can_cancel(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    class Stop(Exception):
        pass

    def on_bytes(count: int) -> None:
        seen.append(count)
        if sum(seen) > (1 << 20):
            raise Stop

    source = stored(media)
    with (tmp_path / "x.zip").open("w+b") as handle, source.handle:
        monkeypatch.setattr(zipwriter, "CHUNK", 1 << 20)
        with pytest.raises(Stop):
            ReproducibleZip(handle).add_file("video/walkthrough.mp4", source, on_bytes=on_bytes)
    assert len(seen) == 2


def test_a_name_twice_is_a_bug(tmp_path: Path) -> None:
    with (tmp_path / "x.zip").open("w+b") as handle:
        archive = ReproducibleZip(handle)
        archive.add_bytes("a.txt", b"a", sha256="0" * 64, compress=False)
        with pytest.raises(ValueError, match="already"):
            archive.add_bytes("a.txt", b"b", sha256="0" * 64, compress=False)
