"""Content-addressed media store: ``media/ab/<sha256>.<ext>``.

A media key is ``<sha256>.<ext>``; rows hold keys. Files are written to a temp file and
renamed into place, so a crash never leaves a half-written file under a real key, with the
permissions the user's umask gives (a team shares the folder). Reads can verify the hash.
Nothing is deleted while a row still refers to it, and storing content that is already
there touches the file: cleanup (``baton.core.cleanup``) takes that as "wanted again".

``media/prepared/<name>.json`` are indexes of files made from a process version for its
packages (``baton.handoff.prepared``). Each names the version it was made for
(``"made_for": {"process_id", "version", "content_hash"}``) and the media it uses
(``"media": [keys]``), so cleanup keeps that media while it is its process's latest version.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from baton.errors import UserError
from baton.util.atomic import atomic_write, is_leftover

CHUNK = 1 << 20
_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_PREPARED_NAME = re.compile(r"^[0-9a-f]{64}$")
PREPARED_FOLDER = "prepared"
LEFTOVER_SECONDS = 24 * 3600


class CorruptMedia(UserError):
    """A stored file no longer matches its hash (disk damage or tampering)."""


class MediaUnreadable(UserError):
    """A stored file is there but this user may not read it (another user stored it)."""


def unreadable(path: Path, error: OSError) -> UserError:
    """The plain sentence for a media file that cannot be read."""
    if isinstance(error, FileNotFoundError):
        return CorruptMedia(f"A media file is missing from the library: {path}")
    if isinstance(error, PermissionError):
        return MediaUnreadable(
            f"Baton may not read the media file {path}: another user stored it without "
            "read permission for you. Ask them (or an administrator) to make the media "
            "folder readable for your group, e.g. chmod -R g+rX on it.")
    return MediaUnreadable(f"Cannot read the media file {path}: {error.strerror or error}.")


class MediaStore:
    """Stores files by the SHA-256 of their content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key[:2] / key

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    def put_bytes(self, data: bytes, ext: str) -> str:
        """Store ``data``; returns its key. Storing the same content twice is free."""
        key = f"{hashlib.sha256(data).hexdigest()}.{_clean_ext(ext)}"
        target = self.path(key)
        if not _touch(target):
            self._write_atomically(target, lambda handle: handle.write(data))
        return key

    def put_file(self, source: Path, ext: str | None = None) -> str:
        """Copy ``source`` into the store (streamed, never loaded whole); returns its key."""
        digest = sha256_file(source)
        key = f"{digest}.{_clean_ext(ext or source.suffix.lstrip('.') or 'bin')}"
        target = self.path(key)
        if not _touch(target):

            def copy(handle: BinaryIO) -> None:
                with source.open("rb") as src:
                    shutil.copyfileobj(src, handle, CHUNK)

            self._write_atomically(target, copy)
        return key

    def read_bytes(self, key: str, *, verify: bool = True) -> bytes:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise unreadable(path, error) from None
        if verify and hashlib.sha256(data).hexdigest() != key.split(".", 1)[0]:
            raise CorruptMedia(f"A media file is damaged (its content changed): {path}")
        return data

    def verify(self, key: str) -> None:
        """Raise ``CorruptMedia`` if the file is missing or its content changed."""
        path = self.path(key)
        try:
            digest = sha256_file(path)
        except OSError as error:
            raise unreadable(path, error) from None
        if digest != key.split(".", 1)[0]:
            raise CorruptMedia(f"A media file is damaged (its content changed): {path}")

    def open(self, key: str) -> BinaryIO:
        """The stored file, open for reading.

        Raises:
            CorruptMedia: it is missing.
            MediaUnreadable: it is there but cannot be read (permissions).
        """
        path = self.path(key)
        try:
            return path.open("rb")
        except OSError as error:
            raise unreadable(path, error) from None

    def prepared_index(self, name: str) -> Path:
        """Where the index of a prepared version is kept (``name``: 64 hex digits)."""
        if not _PREPARED_NAME.match(name):
            raise ValueError(f"not a prepared-version name: {name!r}")
        return self.root / PREPARED_FOLDER / f"{name}.json"

    def prepared_indexes(self) -> list[Path]:
        """Every prepared-version index in the store."""
        folder = self.root / PREPARED_FOLDER
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.json") if _PREPARED_NAME.match(p.stem))

    def write_prepared_index(self, name: str, data: bytes) -> None:
        """Write an index whole (temp file, then rename)."""
        self._write_atomically(self.prepared_index(name), lambda handle: handle.write(data))

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for file in sorted(folder.iterdir()):
                    if _KEY.match(file.name):
                        yield file.name

    def stored_time(self, key: str) -> int | None:
        """The file's modification time (ns), which storing it again moves; None if gone."""
        try:
            return self.path(key).stat().st_mtime_ns
        except OSError:
            return None

    def set_aside(self, key: str, seen_time: int) -> bool:
        """Take a file cleanup means to delete out of use: rename it aside.

        From then on a ``put`` of the same content writes a new file instead of touching
        this one. Returns False (and leaves the file) if it is gone or was stored again
        since cleanup looked (its time is no longer ``seen_time``).
        """
        path = self.path(key)
        aside = self._aside(key)
        try:
            os.replace(path, aside)
        except OSError:
            return False
        try:
            unchanged = aside.stat().st_mtime_ns == seen_time
        except OSError:
            unchanged = False
        if not unchanged:
            self.put_back(key)
        return unchanged

    def put_back(self, key: str) -> None:
        """Undo ``set_aside`` (a row turned out to want the file)."""
        path, aside = self.path(key), self._aside(key)
        try:
            if path.exists():  # a put wrote the same content anew meanwhile: keep that one
                aside.unlink()
            else:
                os.replace(aside, path)
        except OSError:
            pass

    def delete_aside(self, key: str) -> None:
        self._aside(key).unlink(missing_ok=True)

    def _aside(self, key: str) -> Path:
        path = self.path(key)
        return path.with_name(f".deleting-{path.name}")

    def remove_leftovers(self, *, now: float | None = None) -> int:
        """Tidy up after a killed Baton: put back files a cleanup set aside, and delete
        half-written files older than a day by this machine's clock (far more than any
        clock is off, so never a file being written). Returns how many were deleted."""
        cutoff = (time.time() if now is None else now) - LEFTOVER_SECONDS
        removed = 0
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for aside in folder.glob(".deleting-*"):
                key = aside.name.removeprefix(".deleting-")
                if _KEY.match(key):
                    self.put_back(key)  # its cleanup decides again next time
            for stale in folder.glob(".*"):
                if not (is_leftover(stale.name) or stale.name.startswith(".incoming-")):
                    continue
                with contextlib.suppress(OSError):
                    if stale.stat().st_mtime < cutoff:
                        stale.unlink()
                        removed += 1
        # What an import killed while checking a package had staged (handoff.validation).
        for staging in self.root.glob(".staging-*") if self.root.is_dir() else ():
            with contextlib.suppress(OSError):
                if staging.is_dir() and staging.stat().st_mtime < cutoff:
                    shutil.rmtree(staging)
        return removed

    def _write_atomically(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_write(target) as handle:
                write(handle)
        except OSError as error:
            raise UserError(f"Cannot save media to {target.parent}: {error.strerror}") from None


def _touch(path: Path) -> bool:
    """Mark a stored file as stored again (its modification time moves); False if it is
    not there (or cannot be touched: then it is written again, which moves it too)."""
    try:
        os.utime(path)
    except OSError:
        return False
    return True


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _clean_ext(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    if not re.fullmatch(r"[a-z0-9]{1,8}", ext):
        raise ValueError(f"bad media extension: {ext!r}")
    return ext
