"""Write a file that appears whole at its final name, or not at all.

One policy for every file Baton writes and renames into place: the bytes go to a temporary
file in the target's folder under a name no other writer can share, the file is fsynced,
renamed over the target, and the folder is fsynced so the rename survives a power cut.

On Linux the temporary file is created with ``O_TMPFILE``: it has no name until it is linked
into place, so a crash, a cancel or even ``SIGKILL`` leaves nothing behind. Elsewhere (and on
file systems without ``O_TMPFILE``, such as many network shares) a hidden
``.<name>.<random>.part`` file beside the target is renamed over it at the end, and removed
on failure or cancel.

Front doors: ``write_bytes_atomically`` / ``write_text_atomically`` for whole contents,
``atomic_write`` for a stream, ``atomic_path`` for writers that need a file name (FFmpeg),
``AtomicOutput`` for the package writer that copies in the kernel.
"""

from __future__ import annotations

import ctypes
import errno
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TextIO

from baton.util.fsmode import shared_file_mode

FILE_MODE = 0o644
"""The mode under the usual umask 022; files get ``shared_file_mode()`` (the user's umask,
as ``open()`` would give), so colleagues sharing a team's media folder can read them."""
PART_SUFFIX = ".part"


class AtomicOutput:
    """``with AtomicOutput(target) as out: ...write to out.file...; out.commit()``.

    Leaving the block without ``commit()`` leaves the target as it was.
    """

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

    @property
    def temp_name(self) -> str | None:
        """The temporary file's name, or None while it has none (``O_TMPFILE``)."""
        return self._temp_name

    def __enter__(self) -> AtomicOutput:
        folder = self.target.parent
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (AttributeError, OSError):
            fd, self._temp_name = _named_temp(self.target)
        self._file = os.fdopen(fd, "w+b")
        return self

    def commit(self) -> None:
        """Flush to disk and give the file its final name (replacing any file there)."""
        handle = self.file
        handle.flush()
        os.fsync(handle.fileno())
        os.fchmod(handle.fileno(), shared_file_mode())
        if self._temp_name is None:
            self._link_anonymous(handle.fileno())
        else:
            os.replace(self._temp_name, self.target)
            self._temp_name = None
        self._committed = True
        sync_folder(self.target.parent)

    def _link_anonymous(self, fd: int) -> None:
        # link() will not replace a file, so link under a fresh name, then rename over.
        folder = self.target.parent
        proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        try:
            for attempt in range(100):
                name = folder / f".{self.target.name}.{os.getpid()}.{attempt}{PART_SUFFIX}"
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


@contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    """Stream into ``target``: it is replaced when the block ends without an exception.

    ``with atomic_write(path) as out: out.write(...)``; on an exception the target is left
    as it was and nothing is left behind.
    """
    with AtomicOutput(target) as output:
        yield output.file
        output.commit()


@contextmanager
def atomic_text(target: Path, encoding: str = "utf-8", newline: str | None = None
                ) -> Iterator[TextIO]:
    """Like ``atomic_write``, for text (``newline`` as for ``open``)."""
    with AtomicOutput(target) as output:
        text = io.TextIOWrapper(output.file, encoding=encoding, newline=newline)
        try:
            yield text
        finally:
            text.detach()  # flushes; the AtomicOutput closes the file
        output.commit()


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` whole (see the module docstring)."""
    with atomic_write(target) as out:
        out.write(data)


def write_text_atomically(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Replace ``target`` with ``text`` whole (see the module docstring)."""
    write_bytes_atomically(target, text.encode(encoding))


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A fresh temporary file name beside ``target``, for writers that open files by name.

    Write the file at the name given; when the block ends without an exception it is
    fsynced and renamed over ``target`` (the same policy as ``atomic_write``); otherwise it
    is removed.
    """
    fd, name = _named_temp(target)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        fd = os.open(temp, os.O_RDWR)
        try:
            os.fsync(fd)
            os.fchmod(fd, shared_file_mode())
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def _named_temp(target: Path) -> tuple[int, str]:
    # mkstemp picks a random name and creates it exclusively: two writers (two processes,
    # or two machines sharing the folder) never share a temporary file.
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART_SUFFIX, dir=target.parent)


def is_leftover(name: str) -> bool:
    """Whether a file name is one of this module's temporary files (left by a killed writer)."""
    return name.startswith(".") and name.endswith(PART_SUFFIX)


def sync_folder(folder: Path) -> None:
    """Make a file created or renamed in ``folder`` survive a power cut (fsync the folder)."""
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

