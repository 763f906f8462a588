"""A reproducible zip, written by hand so that media is copied inside the kernel.

Every entry has the same metadata every time (1980-01-01, rw-r--r--, Unix), in the order
given. Small texts are deflated in memory. Media (PNG, MP4, PDF: already compressed) is
stored, and its CRC-32, SHA-256 and size are known before it is written (the prepared
version keeps them), so its bytes go from the media store into the zip with
``copy_file_range``: the kernel copies them like ``cp`` does, without passing them through
Python, and is asked to start writing each part to disk at once, so the final ``fsync``
has little left to wait for. Where that call is missing or refused (another platform,
another file system) a plain read/write loop does the same job and checks the CRC-32.

Entries and the archive switch to ZIP64 records only when a size or an offset needs them.
"""

from __future__ import annotations

import errno
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from baton.handoff.manifest import FileEntry
from baton.util.atomic import start_writeback

CHUNK = 16 << 20  # bytes per kernel copy call, between progress reports and cancel checks
READ_CHUNK = 1 << 20
ZIP64_LIMIT = 0xFFFFFFFF
FILE_MODE = 0o100644  # a regular file, rw-r--r--
MADE_BY = (3 << 8) | 45  # Unix, spec 4.5
DOS_DATE, DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00:00
STORED, DEFLATED = 0, 8

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_COPY_REFUSED = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


@dataclass(frozen=True)
class StoredFile:
    """A file to store in the zip, with what is already known about its bytes."""

    handle: BinaryIO
    size: int
    crc32: int
    sha256: str


@dataclass(frozen=True)
class _Written:
    name: bytes
    method: int
    crc32: int
    packed: int
    size: int
    offset: int


class ReproducibleZip:
    """Writes entries to an open file descriptor, then the central directory on ``close``.

    Args:
        handle: the file to write (from its start; its buffer is bypassed).
        zip64_from: sizes and offsets from this value on use ZIP64 records (tests lower it).
    """

    def __init__(self, handle: BinaryIO, *, zip64_from: int = ZIP64_LIMIT) -> None:
        handle.flush()
        self._fd = handle.fileno()
        os.lseek(self._fd, 0, os.SEEK_SET)
        self._offset = 0
        self._zip64_from = zip64_from
        self._entries: list[_Written] = []
        self._names: set[bytes] = set()

    @property
    def size(self) -> int:
        """Bytes written so far (the whole zip, once closed)."""
        return self._offset

    def add_bytes(self, name: str, data: bytes, *, sha256: str, compress: bool) -> FileEntry:
        """Add ``data`` (deflated if ``compress``); returns its manifest entry."""
        packed = _deflate(data) if compress else data
        crc = zlib.crc32(data)
        self._header(name, DEFLATED if compress else STORED, crc, len(packed), len(data))
        self._write(packed)
        return FileEntry(path=name, sha256=sha256, bytes=len(data))

    def add_file(
        self,
        name: str,
        source: StoredFile,
        *,
        on_bytes: Callable[[int], None] = lambda n: None,
    ) -> FileEntry:
        """Store ``source`` (copied in the kernel where possible); returns its manifest entry.

        ``on_bytes`` is called as bytes are copied (progress); it may raise to cancel.

        Raises:
            SourceChanged: the file is not the size (or, when read, the CRC-32) it should be.
        """
        fd = source.handle.fileno()
        if os.fstat(fd).st_size != source.size:
            raise SourceChanged(name)
        self._header(name, STORED, source.crc32, source.size, source.size)
        if not self._copy_in_kernel(fd, source.size, on_bytes):
            self._copy_by_reading(fd, source, name, on_bytes)
        return FileEntry(path=name, sha256=source.sha256, bytes=source.size)

    def close(self) -> None:
        """Write the central directory and the end records."""
        start = self._offset
        for entry in self._entries:
            self._write(self._central(entry))
        size = self._offset - start
        count = len(self._entries)
        if count >= 0xFFFF or size >= self._zip64_from or start >= self._zip64_from:
            end64 = self._offset
            self._write(_END64.pack(0x06064B50, 44, MADE_BY, 45, 0, 0, count, count, size, start))
            self._write(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
            self._write(_END.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, ZIP64_LIMIT, ZIP64_LIMIT, 0))
        else:
            self._write(_END.pack(0x06054B50, 0, 0, count, count, size, start, 0))

    def _header(self, name: str, method: int, crc: int, packed: int, size: int) -> None:
        encoded = name.encode("ascii")  # package names are plain ASCII (manifest.SAFE_NAME)
        if encoded in self._names:
            raise ValueError(f"{name} is already in the zip")
        self._names.add(encoded)
        entry = _Written(encoded, method, crc, packed, size, self._offset)
        self._entries.append(entry)
        big = size >= self._zip64_from or packed >= self._zip64_from
        extra = struct.pack("<HHQQ", 1, 16, size, packed) if big else b""
        self._write(
            _LOCAL.pack(
                0x04034B50,
                45 if big else 20,
                0,
                method,
                DOS_TIME,
                DOS_DATE,
                crc,
                ZIP64_LIMIT if big else packed,
                ZIP64_LIMIT if big else size,
                len(encoded),
                len(extra),
            )
            + encoded
            + extra
        )

    def _central(self, entry: _Written) -> bytes:
        limit = self._zip64_from
        big, far = entry.size >= limit or entry.packed >= limit, entry.offset >= limit
        values = [entry.size, entry.packed] if big else []
        if far:
            values.append(entry.offset)
        extra = struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values) if values else b""
        return (
            _CENTRAL.pack(
                0x02014B50,
                MADE_BY,
                45 if values else 20,
                0,
                entry.method,
                DOS_TIME,
                DOS_DATE,
                entry.crc32,
                ZIP64_LIMIT if big else entry.packed,
                ZIP64_LIMIT if big else entry.size,
                len(entry.name),
                len(extra),
                0,
                0,
                0,
                FILE_MODE << 16,
                ZIP64_LIMIT if far else entry.offset,
            )
            + entry.name
            + extra
        )

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
            self._offset += written

    def _copy_in_kernel(self, fd: int, size: int, on_bytes: Callable[[int], None]) -> bool:
        """Copy with ``copy_file_range``; False if this system or file system refuses it."""
        copy = getattr(os, "copy_file_range", None)
        if copy is None:
            return False
        done = 0
        while done < size:
            try:
                count = copy(fd, self._fd, min(CHUNK, size - done), done)
            except OSError as error:
                if done == 0 and error.errno in _COPY_REFUSED:
                    return False
                raise
            if count == 0:
                raise SourceChanged("a file got shorter while it was being packed")
            start_writeback(self._fd, self._offset, count)
            done += count
            self._offset += count
            on_bytes(count)
        return True

    def _copy_by_reading(
        self, fd: int, source: StoredFile, name: str, on_bytes: Callable[[int], None]
    ) -> None:
        crc, done = 0, 0
        while done < source.size:
            chunk = _read_at(fd, min(READ_CHUNK, source.size - done), done)
            if not chunk:
                raise SourceChanged(name)
            crc = zlib.crc32(chunk, crc)
            self._write(chunk)
            done += len(chunk)
            on_bytes(len(chunk))
        if crc != source.crc32:
            raise SourceChanged(name)


def _read_at(fd: int, count: int, offset: int) -> bytes:
    pread = getattr(os, "pread", None)
    if pread is not None:
        return bytes(pread(fd, count, offset))
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, count)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflated_size(data: bytes) -> int:
    """How many bytes ``data`` takes in the zip when deflated."""
    return len(_deflate(data))


class SourceChanged(Exception):
    """A file changed or was damaged while it was being packed."""
