"""The content-addressed media store."""

from __future__ import annotations

import hashlib
import os
import stat
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
    leftovers = [p for p in (tmp_path / "media").rglob("*") if p.name.startswith(".")]
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


def test_leftovers_of_a_killed_writer_or_cleanup_are_tidied(tmp_path: Path) -> None:
    import os

    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"kept", "bin")
    set_aside = store.put_bytes(b"set aside by a killed cleanup", "bin")
    assert store.set_aside(set_aside, store.path(set_aside).stat().st_mtime_ns)
    folder = store.path(key).parent
    old, fresh = folder / f".{key}.x1y2z3.part", folder / f".{key}.a1b2c3.part"
    older_baton = folder / ".incoming-old"
    unrelated = folder / ".keep-me"
    for path in (old, fresh, older_baton, unrelated):
        path.write_bytes(b"half")
    for path in (old, older_baton, unrelated):
        os.utime(path, (1_000_000, 1_000_000))
    assert store.remove_leftovers(now=1_000_000 + 24 * 3600 + 1) == 2
    assert not old.exists()
    assert not older_baton.exists()
    assert fresh.exists()
    assert unrelated.exists()
    assert key in store
    assert set_aside in store  # put back: its cleanup decides again
    staged = store.root / ".staging-old"  # an import killed while it checked a package
    staged.mkdir()
    (staged / "00000").write_bytes(b"a screenshot")
    os.utime(staged, (1_000_000, 1_000_000))
    store.remove_leftovers(now=1_000_000 + 24 * 3600 + 1)
    assert not staged.exists()


def test_storing_again_touches_the_file_and_beats_a_cleanup(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    key = store.put_bytes(b"screenshot", "png")
    seen = store.stored_time(key)
    assert seen is not None
    os.utime(store.path(key), ns=(seen - 10**9, seen - 10**9))  # stored a second earlier
    seen = store.stored_time(key)
    assert seen is not None
    assert store.put_bytes(b"screenshot", "png") == key
    assert store.stored_time(key) != seen
    assert not store.set_aside(key, seen)  # stored again since cleanup looked: kept
    assert key in store


def test_media_files_follow_the_umask(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    previous = os.umask(0o002)
    try:
        key = store.put_bytes(b"shared", "png")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(store.path(key).stat().st_mode) == 0o664


READ_AS_COLLEAGUE = """
import sys
sys.path.insert(0, sys.argv[1])
from baton.core.media import MediaStore
from baton.errors import UserError
try:
    MediaStore(__import__("pathlib").Path(sys.argv[2])).read_bytes(sys.argv[3])
    print("read")
except UserError as error:
    print(error)
"""


def _read_as_colleague(store: MediaStore, key: str) -> str:
    """Read a stored file as another user (``nobody``), the way a colleague would."""
    import subprocess

    src = str(Path(__file__).resolve().parents[3] / "src")
    argv = ["/usr/bin/python3", "-c", READ_AS_COLLEAGUE, src, str(store.root), key]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "nobody", "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_a_colleague_reads_media_or_is_told_plainly_why_not() -> None:
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="baton-shared-"))
    try:
        root.chmod(0o755)
        store = MediaStore(root / "media")
        previous = os.umask(0o022)
        try:
            shared = store.put_bytes(b"for the team", "png")
            private = store.put_bytes(b"not for the team", "png")
        finally:
            os.umask(previous)
        store.path(private).chmod(0o600)
        if os.geteuid() != 0:
            store.path(private).chmod(0)  # we are the colleague: make it unreadable to us
        assert _read_as_colleague(store, shared) == "read"
        message = _read_as_colleague(store, private)
        assert message.startswith("Baton may not read the media file")
        assert "write" not in message
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_keys_are_validated(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    with pytest.raises(ValueError, match="not a media key"):
        store.path("../../etc/passwd")
    with pytest.raises(ValueError, match="bad media extension"):
        store.put_bytes(b"x", "p/ng")
