"""Content-addressed media store: ``media/ab/<sha256>.<ext>``.

A media key is ``<sha256>.<ext>``; rows hold keys. Files are written to a temp file and
renamed into place, so a crash never leaves a half-written file under a real key. Reads can
verify the hash. Nothing is deleted while a row still refers to it.

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
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from baton.errors import UserError

CHUNK = 1 << 20
_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_PREPARED_NAME = re.compile(r"^[0-9a-f]{64}$")
PREPARED_FOLDER = "prepared"
GRACE_SECONDS = 3600  # cleanup leaves younger files alone


class CorruptMedia(UserError):
    """A stored file no longer matches its hash (disk damage or tampering)."""


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
        if not target.exists():
            self._write_atomically(target, lambda handle: handle.write(data))
        return key

    def put_file(self, source: Path, ext: str | None = None) -> str:
        """Copy ``source`` into the store (streamed, never loaded whole); returns its key."""
        digest = sha256_file(source)
        key = f"{digest}.{_clean_ext(ext or source.suffix.lstrip('.') or 'bin')}"
        target = self.path(key)
        if not target.exists():

            def copy(handle: BinaryIO) -> None:
                with source.open("rb") as src:
                    shutil.copyfileobj(src, handle, CHUNK)

            self._write_atomically(target, copy)
        return key

    def read_bytes(self, key: str, *, verify: bool = True) -> bytes:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CorruptMedia(f"A media file is missing from the library: {path}") from None
        if verify and hashlib.sha256(data).hexdigest() != key.split(".", 1)[0]:
            raise CorruptMedia(f"A media file is damaged (its content changed): {path}")
        return data

    def verify(self, key: str) -> None:
        """Raise ``CorruptMedia`` if the file is missing or its content changed."""
        path = self.path(key)
        if not path.is_file():
            raise CorruptMedia(f"A media file is missing from the library: {path}")
        if sha256_file(path) != key.split(".", 1)[0]:
            raise CorruptMedia(f"A media file is damaged (its content changed): {path}")

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

    def collect_garbage(self, referenced: Iterable[str], *, now: float | None = None) -> list[str]:
        """Delete stored files no row refers to; returns the deleted keys.

        Only files older than an hour go (one stored a moment ago may not have its row
        yet), and so do half-written files a killed Baton left (``.incoming-*``, and the
        ``.staging-*`` folders of an import killed while it checked a package).
        """
        keep = set(referenced)
        cutoff = (time.time() if now is None else now) - GRACE_SECONDS
        removed = []
        for key in self.keys():
            if key in keep:
                continue
            with contextlib.suppress(OSError):
                path = self.path(key)
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(key)
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            if folder.is_dir():
                for stale in folder.glob(".incoming-*"):
                    with contextlib.suppress(OSError):
                        if stale.stat().st_mtime < cutoff:
                            stale.unlink()
        # What an import killed while checking a package had staged (handoff.validation).
        for staging in self.root.glob(".staging-*") if self.root.is_dir() else ():
            with contextlib.suppress(OSError):
                if staging.is_dir() and staging.stat().st_mtime < cutoff:
                    shutil.rmtree(staging)
        return removed

    def _write_atomically(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except OSError as error:
            Path(temp_name).unlink(missing_ok=True)
            raise UserError(f"Cannot save media to {target.parent}: {error.strerror}") from None
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


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
