"""Atomic writes: a file appears whole at its name, or nothing appears (both code paths)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from baton.util.atomic import (
    AtomicOutput,
    atomic_path,
    atomic_text,
    atomic_write,
    is_leftover,
    write_bytes_atomically,
    write_text_atomically,
)


@pytest.fixture(params=["nameless", "named-temp"])
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test with Linux's O_TMPFILE and with the portable hidden-file fallback."""
    if request.param == "named-temp":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return str(request.param)


def test_commit_replaces_the_target_with_normal_permissions(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    target.write_bytes(b"old")
    with AtomicOutput(target) as output:
        output.file.write(b"new package")
        assert target.read_bytes() == b"old"  # nothing visible until commit
        output.commit()
    assert target.read_bytes() == b"new package"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.zip"]


def test_leaving_without_commit_leaves_nothing(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    with pytest.raises(RuntimeError), AtomicOutput(target) as output:  # noqa: PT012 - it fails inside the writer
        output.file.write(b"half a package")
        raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def fsynced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each ``os.fsync`` call synced: "file" or "folder"."""
    kinds: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        kinds.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return kinds


def write_with_atomic_path(target: Path, data: bytes) -> None:
    with atomic_path(target) as temp:
        assert temp.parent == target.parent
        assert temp != target
        temp.write_bytes(data)  # as FFmpeg does: by name


def write_with_stream(target: Path, data: bytes) -> None:
    with atomic_write(target) as out:
        out.write(data)


FRONT_DOORS = {
    "bytes": write_bytes_atomically,
    "text": lambda target, data: write_text_atomically(target, data.decode()),
    "stream": write_with_stream,
    "path": write_with_atomic_path,
}


@pytest.mark.parametrize("door", sorted(FRONT_DOORS))
def test_every_front_door_syncs_the_file_then_the_folder(
    platform: str, door: str, tmp_path: Path, fsynced: list[str]
) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"old")
    FRONT_DOORS[door](target, b'{"new": 1}')
    assert target.read_bytes() == b'{"new": 1}'
    assert fsynced == ["file", "folder"]
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_failed_stream_leaves_the_old_file(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "handoffs.csv"
    target.write_bytes(b"old table")
    with pytest.raises(OSError, match="disk full"), atomic_write(target) as out:  # noqa: PT012 - it fails inside the writer
        out.write(b"half a table")
        raise OSError("disk full")
    assert target.read_bytes() == b"old table"
    assert [p.name for p in tmp_path.iterdir()] == ["handoffs.csv"]


def test_text_keeps_the_encoding_and_newlines_asked_for(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "handoffs.csv"
    with atomic_text(target, encoding="utf-8-sig", newline="") as out:
        out.write("Process,Assistant\r\nInvoices,Zoë\r\n")
    assert target.read_bytes() == "\ufeffProcess,Assistant\r\nInvoices,Zoë\r\n".encode()


def test_a_named_temp_is_removed_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    with pytest.raises(ValueError, match="no video"), atomic_path(target) as temp:  # noqa: PT012 - it fails inside the writer
        temp.write_bytes(b"half a video")
        raise ValueError("no video")
    assert list(tmp_path.iterdir()) == []


def test_two_writers_of_one_file_never_share_a_temp_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two Batons saving the same file at once (two processes, or two machines on a share
    # that has no O_TMPFILE): each writes its own temporary file, and the last one wins whole.
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    target = tmp_path / "settings.json"
    with AtomicOutput(target) as first, AtomicOutput(target) as second:
        assert first.temp_name
        assert second.temp_name
        assert first.temp_name != second.temp_name
        first.file.write(b"first")
        second.file.write(b"second")
        first.commit()
        assert target.read_bytes() == b"first"
        second.commit()
    assert target.read_bytes() == b"second"
    with atomic_path(target) as one, atomic_path(target) as two:
        assert one != two


def test_leftovers_of_a_killed_writer_are_recognised(tmp_path: Path) -> None:
    target = tmp_path / "ab" / "0123.png"
    target.parent.mkdir()
    with atomic_path(target) as temp:
        assert is_leftover(temp.name)
    assert not is_leftover(target.name)
    assert not is_leftover(".hidden")
