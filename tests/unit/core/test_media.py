"""The content-addressed media store."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from baton.core.media import CorruptMedia, MediaStore


def test_put_bytes_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"hello", "PNG")
    digest = hashlib.sha256(b"hello").hexdigest()
    assert key == f"{digest}.png"
    assert store.path(key) == tmp_path / "media" / digest[:2] / key
    assert store.put_bytes(b"hello", "png") == key
    assert list(store.keys()) == [key]
    assert store.read_bytes(key) == b"hello"


def test_put_file_streams_and_leaves_no_temp_files(tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(bytes(range(256)) * 10_000)
    store = MediaStore(tmp_path / "media")
    key = store.put_file(source)
    assert key.endswith(".mp4")
    assert store.path(key).read_bytes() == source.read_bytes()
    leftovers = [p for p in (tmp_path / "media").rglob("*") if p.name.startswith(".incoming")]
    assert leftovers == []


def test_a_damaged_file_is_detected(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"original screenshot", "png")
    store.path(key).write_bytes(b"tampered screenshot")
    with pytest.raises(CorruptMedia, match="damaged"):
        store.read_bytes(key)
    with pytest.raises(CorruptMedia, match="damaged"):
        store.verify(key)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"x", "png")
    store.path(key).unlink()
    with pytest.raises(CorruptMedia, match="missing"):
        store.verify(key)
    with pytest.raises(CorruptMedia, match="missing"):
        store.read_bytes(key)


def test_garbage_collection_keeps_what_is_referenced(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    kept = store.put_bytes(b"kept", "png")
    dropped = store.put_bytes(b"dropped", "png")
    assert store.collect_garbage({kept}) == []  # just stored: its row may be on its way
    assert store.collect_garbage({kept}, now=time.time() + 3601) == [dropped]
    assert kept in store and dropped not in store


def test_garbage_collection_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    import os

    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"kept", "bin")
    folder = store.path(key).parent
    old, fresh = folder / ".incoming-old", folder / ".incoming-fresh"
    old.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(old, (1_000_000, 1_000_000))
    staged = store.root / ".staging-old"  # an import killed while it checked a package
    (staged / "00000").parent.mkdir()
    (staged / "00000").write_bytes(b"a screenshot")
    os.utime(staged, (1_000_000, 1_000_000))
    store.collect_garbage({key}, now=1_000_000 + 3601)
    assert not old.exists() and not staged.exists()
    assert fresh.exists() and key in store


def test_keys_are_validated(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
    with pytest.raises(ValueError):
        store.put_bytes(b"x", "p/ng")
