"""Write a file that appears whole at its final name, or not at all.

On Linux the file is created with ``O_TMPFILE``: it has no name until it is linked into
place, so a crash, a cancel or even ``SIGKILL`` leaves nothing behind. Elsewhere a hidden
``.<name>.*.part`` file beside the target is renamed over it at the end (and removed on
failure or cancel).
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from baton.errors import UserError


class AtomicOutput:
    """``with AtomicOutput(target) as out: ...write...; out.commit()``."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._file: BinaryIO | None = None
        self._temp_name: str | None = None
        self._committed = False

    @property
    def file(self) -> BinaryIO:
        """The open file to write to."""
        if self._file is None:
            raise RuntimeError("AtomicOutput is not open")
        return self._file

    def __enter__(self) -> AtomicOutput:
        folder = self.target.parent
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (AttributeError, OSError):
            fd, self._temp_name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".part", dir=folder
            )
        self._file = os.fdopen(fd, "w+b")
        return self

    def commit(self) -> None:
        """Flush to disk and give the file its final name (replacing any file there)."""
        handle = self.file
        handle.flush()
        os.fsync(handle.fileno())
        os.fchmod(handle.fileno(), 0o644)
        if self._temp_name is None:
            self._link_anonymous(handle.fileno())
        else:
            os.replace(self._temp_name, self.target)
            self._temp_name = None
        self._committed = True
        _fsync_folder(self.target.parent)

    def _link_anonymous(self, fd: int) -> None:
        # link() will not replace a file, so link under a fresh name, then rename over.
        folder = self.target.parent
        proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        try:
            for attempt in range(100):
                name = folder / f".{self.target.name}.{os.getpid()}.{attempt}.part"
                try:
                    os.link(str(fd), name, src_dir_fd=proc, follow_symlinks=True)
                except FileExistsError:
                    continue
                try:
                    os.replace(name, self.target)
                except BaseException:
                    name.unlink(missing_ok=True)
                    raise
                return
        finally:
            os.close(proc)
        raise OSError(errno.EEXIST, "no free temporary name", str(folder))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._temp_name is not None:
            Path(self._temp_name).unlink(missing_ok=True)
            self._temp_name = None


SYNC_FILE_RANGE_WRITE = 2


def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_SYNC_FILE_RANGE = _sync_file_range()


def start_writeback(fd: int, offset: int, count: int) -> None:
    """Ask the kernel to start writing these bytes to disk now, without waiting.

    The final ``fsync`` then finds most of the file already written, so the disk works
    while the export still copies (on Linux; elsewhere this does nothing).
    """
    if _SYNC_FILE_RANGE is not None:
        _SYNC_FILE_RANGE(fd, offset, count, SYNC_FILE_RANGE_WRITE)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # not possible on every platform; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def anonymous_temp(folder: Path) -> BinaryIO:
    """A scratch file in ``folder`` that disappears when closed (or the process dies)."""
    return tempfile.TemporaryFile(dir=folder)


def disk_error(error: OSError, folder: Path) -> UserError:
    """Turn an OS error while writing into ``folder`` into a sentence the user can act on."""
    if error.errno == errno.ENOSPC:
        return UserError(f"The disk is full: free some space in {folder} and export again.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"Baton may not write to {folder}: choose another folder.")
    if error.errno == errno.ENOENT:
        return UserError(f"The folder {folder} does not exist: choose another folder.")
    return UserError(f"Cannot write the package to {folder}: {error.strerror or error}.")
