"""Frame sources: where the recorder's pictures come from (the screen, or a test pattern)."""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from baton.capture.platform.screens import Region, display_name, open_mss
from baton.errors import UserError

log = logging.getLogger("baton.capture")

M_TRIM_THRESHOLD = -1
PR_SET_NAME = 15
M_MMAP_THRESHOLD = -3

Frame = npt.NDArray[np.uint8]
"""A BGRA image, shape ``(height, width, 4)``, writable."""


class DisplayLost(UserError):
    """The screen stopped answering while recording (the X server went away)."""


def _raw_bytes(frame: Frame) -> bytearray | bytes | None:
    """The bytes object a frame is a view of (mss hands out a fresh bytearray per grab)."""
    base: object = frame
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return base if isinstance(base, bytearray | bytes) else None


def same_pixels(first: Frame, second: Frame) -> bool:
    """True when two frames are byte for byte identical (a memcmp for screen grabs)."""
    if first.shape != second.shape:
        return False
    raw_first, raw_second = _raw_bytes(first), _raw_bytes(second)
    if raw_first is not None and raw_second is not None and len(raw_first) == first.nbytes:
        return raw_first == raw_second
    return bool(np.array_equal(first, second))


class FrameSource(Protocol):
    """Gives BGRA images of one fixed area."""

    @property
    def region(self) -> Region:
        """The captured area in physical screen pixels (also maps pointer positions)."""

    def grab(self) -> Frame:
        """Return the current image.

        Raises:
            DisplayLost: the screen cannot be read any more.
        """

    def close(self) -> None:
        """Release the connection."""


def _glibc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") else None
    except OSError:
        return None


def keep_frame_memory(keep: bool) -> None:
    """Let glibc reuse freed frame buffers instead of handing them back to the kernel.

    mss returns every grab in a new 8 MB buffer (at 1080p). By default glibc maps and
    unmaps blocks that large, so each grab pays for 2,000 fresh zeroed pages: about 10%
    of the recorder's CPU. While recording, big blocks come from (and go back to) the
    heap; afterwards the heap is trimmed again.
    """
    libc = _glibc()
    if libc is None:
        return
    if keep:
        libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024)
    else:  # glibc's defaults
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 128 * 1024)
        libc.malloc_trim(0)


def name_this_thread(name: str) -> None:
    """Give the calling thread an operating-system name (``top -H``, per-thread CPU in the
    benchmark); Python's thread names stay inside Python."""
    libc = _glibc()
    if libc is not None:
        libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def return_free_memory() -> None:
    """Hand memory freed inside the process (the encoder's pictures) back to the system."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


class ScreenSource:
    """Grabs one area of the X screen with a single, reused ``mss`` instance.

    Raises:
        UserError: on construction, when the display cannot be reached.
    """

    def __init__(self, region: Region, display: str | None = None) -> None:
        self._region = region
        self._display = display
        self._box = region.as_mss()
        self._sct: Any = open_mss(display)
        keep_frame_memory(True)

    @property
    def region(self) -> Region:
        return self._region

    def grab(self) -> Frame:
        import mss

        try:
            shot = self._sct.grab(self._box)
        except (mss.ScreenShotError, AssertionError, OSError) as error:
            # mss 10.2 fails an internal assertion when the X connection drops mid-grab.
            raise DisplayLost(f"The display {self._display_name()} went away") from error
        height, width = shot.height, shot.width
        return np.frombuffer(shot.raw, np.uint8).reshape(height, width, 4)

    def _display_name(self) -> str:
        return display_name(self._display) or "(none)"

    def close(self) -> None:
        try:
            self._sct.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not hide the real error
            pass
        keep_frame_memory(False)


def screen_source(region: Region, display: str | None = None) -> FrameSource:
    """The fastest way to read ``region`` of this X display: shared memory told by XDamage
    what changed (``xshm.XShmSource``), else mss (a remote display without MIT-SHM).

    Raises:
        UserError: the display cannot be reached.
    """
    from baton.capture.platform.xcb import XcbUnavailable
    from baton.capture.recording.xshm import XShmSource

    try:
        return XShmSource(region, display)
    except XcbUnavailable as error:
        log.info("reading the screen with mss: %s", error)
        return ScreenSource(region, display)


class SyntheticSource:
    """A moving test pattern of a fixed size, for tests that need no X server.

    The background colour can be changed while recording (``color``) so tests can find
    the change in the decoded video; a white block moves one step per grab.
    """

    def __init__(
        self, region: Region, color: tuple[int, int, int] = (40, 40, 40), *, moving: bool = True
    ) -> None:
        self._region = region
        self.color = color
        self.moving = moving
        self.grabs = 0

    @property
    def region(self) -> Region:
        return self._region

    def grab(self) -> Frame:
        height, width = self._region.height, self._region.width
        frame = np.empty((height, width, 4), np.uint8)
        blue, green, red = self.color
        frame[:, :] = (blue, green, red, 255)
        size = max(4, min(width, height) // 8)
        x = (self.grabs * 4 if self.moving else 0) % max(1, width - size)
        frame[:size, x:x + size] = 255
        self.grabs += 1
        return frame

    def close(self) -> None:
        return None
