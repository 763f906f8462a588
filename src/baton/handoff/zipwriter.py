"""A reproducible zip: fixed timestamps and permissions, entries streamed and hashed once."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from baton.handoff.manifest import FileEntry

CHUNK = 4 << 20
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # a regular file, rw-r--r--
UNIX = 3


@dataclass(frozen=True)
class Slice:
    """``size`` bytes of ``handle`` starting at ``offset`` (a file, or part of a scratch file)."""

    handle: BinaryIO
    offset: int
    size: int


class ReproducibleZip:
    """Writes entries in the order given, each with the same metadata every time."""

    def __init__(self, handle: BinaryIO) -> None:
        self._zip = zipfile.ZipFile(handle, "w", allowZip64=True)

    def add(
        self,
        name: str,
        source: Slice | bytes,
        *,
        compress: bool,
        on_bytes: Callable[[int], None] = lambda n: None,
        expected_sha256: str | None = None,
    ) -> FileEntry:
        """Stream one entry in; returns its path, SHA-256 and size.

        Args:
            name: the path inside the zip.
            source: the bytes, or a slice of a file to stream from.
            compress: deflate (text) or store (PNG, MP4, PDF: already compressed).
            on_bytes: called with each chunk's size (progress; may raise to cancel).
            expected_sha256: if given, the content must hash to this (media store keys).

        Raises:
            SourceChanged: the content does not match ``expected_sha256``.
        """
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
        info.create_system = UNIX
        info.external_attr = FILE_MODE << 16
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        size = len(source) if isinstance(source, bytes) else source.size
        info.file_size = size
        digest = hashlib.sha256()
        written = 0
        with self._zip.open(info, "w") as dest:  # file_size set: zip64 chosen from it
            if isinstance(source, bytes):
                dest.write(source)
                digest.update(source)
                written = size
                on_bytes(size)
            else:
                source.handle.seek(source.offset)
                while written < size:
                    chunk = source.handle.read(min(CHUNK, size - written))
                    if not chunk:
                        break
                    dest.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
                    on_bytes(len(chunk))
        sha = digest.hexdigest()
        if written != size or (expected_sha256 is not None and sha != expected_sha256):
            raise SourceChanged(name)
        return FileEntry(path=name, sha256=sha, bytes=size)

    def close(self) -> None:
        """Write the central directory."""
        self._zip.close()

    def abandon(self) -> None:
        """Close after a failure (the half-written file is about to be thrown away)."""
        try:
            self._zip.close()
        except (OSError, ValueError, RuntimeError):
            pass


class SourceChanged(Exception):
    """A file changed or was damaged while it was being packed."""
