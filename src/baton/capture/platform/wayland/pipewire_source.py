"""Frames of a portal's PipeWire stream, read through GStreamer's ``gst-launch-1.0``.

Why a ``gst-launch-1.0`` child rather than PyGObject or a PipeWire binding: PyGObject
cannot be loaded into Baton's own Python (the venv or the frozen bundle) and PyPI has no
maintained PipeWire client; Debian's ``gstreamer1.0-pipewire`` + ``gstreamer1.0-tools`` give
a pipeline (``pipewiresrc ! videoconvert ! fdsink``) that takes the portal's file descriptor,
negotiates the format with the compositor, and writes raw BGRx frames into a pipe. A crash in
it cannot take Baton down, and its death is a clear end of stream.

PipeWire sends a frame only when the screen changes: a reader thread keeps the newest one
and ``grab`` returns it on every tick, so a still screen still fills the video.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

import numpy as np

from baton.capture.platform.screens import Region
from baton.capture.platform.wayland.portal import ScreenCast, Stream
from baton.capture.recording.sources import DisplayLost, Frame
from baton.errors import UserError

log = logging.getLogger("baton.capture")

GST_LAUNCH = "gst-launch-1.0"
CAPS = re.compile(r"fdsink\d*\.GstPad:sink: caps = video/x-raw.*?width=\(int\)(\d+), "
                  r"height=\(int\)(\d+)")
"""``gst-launch-1.0 -v`` prints each negotiated format; what reaches the pipe has this size."""
F_SETPIPE_SZ = 1031
FIRST_PICTURE_WAIT = 2.0
NO_GST = ("Baton needs GStreamer's PipeWire plugin to record on Wayland: install "
          "gstreamer1.0-pipewire and gstreamer1.0-tools.")


def child_env() -> dict[str, str]:
    """The environment for system programs: the frozen bundle's libraries left out."""
    env = dict(os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)  # set by PyInstaller's bootloader
    if original is not None:
        env["LD_LIBRARY_PATH"] = original
    elif getattr(sys, "frozen", False):
        env.pop("LD_LIBRARY_PATH", None)
    return env


def pipeline(fd: int, node_id: int, out_fd: int) -> list[str]:
    """The ``gst-launch-1.0`` command reading node ``node_id`` into ``out_fd`` as BGRx."""
    return [GST_LAUNCH, "-v", "pipewiresrc", f"fd={fd}", f"path={node_id}",
            "always-copy=true", "do-timestamp=false", "!", "videoconvert", "!",
            "video/x-raw,format=BGRx", "!", "fdsink", f"fd={out_fd}", "sync=false"]


def crop_box(region: Region, stream: Stream, width: int, height: int) -> tuple[int, int, int, int]:
    """Where ``region`` (desktop pixels) lies in a ``width`` x ``height`` frame of ``stream``.

    Returns:
        ``(x, y, w, h)`` in frame pixels.

    Raises:
        UserError: the region is not inside the shared screen.
    """
    left, top = stream.position or (0, 0)
    x, y = region.left - left, region.top - top
    if x < 0 or y < 0 or x + region.width > width or y + region.height > height:
        raise UserError(f"The area {region.width}x{region.height} at {region.left},{region.top} "
                        f"is not inside the shared screen ({width}x{height} at {left},{top}).")
    return x, y, region.width, region.height


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """In the child: end with Baton, so a killed Baton leaves no screencast running (the
    desktop's "sharing your screen" sign would stay on). The kernel sends the signal when
    the *thread* that started the child ends, so only the main thread asks for it; from
    another thread the child still ends at its next frame (the pipe's reader is gone)."""
    on_main = threading.current_thread() is threading.main_thread()
    if not sys.platform.startswith("linux") or not on_main:
        return None

    def arrange() -> None:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return arrange


class PipeWireSource:
    """A ``FrameSource`` reading the first stream of a started portal screen cast.

    Owns ``cast``: ``close`` ends the cast too.

    Args:
        cast: from ``ScreenCastPortal.start``.
        region: the area to record in desktop pixels; None is the whole shared stream.
        first_frame_timeout: seconds to wait for the stream to start (its format known).

    Raises:
        UserError: gst-launch-1.0 or its PipeWire plugin is missing, or no picture came.
    """

    def __init__(self, cast: ScreenCast, region: Region | None = None, *,
                 first_frame_timeout: float = 15.0) -> None:
        if shutil.which(GST_LAUNCH) is None:
            cast.close()
            raise UserError(NO_GST)
        self._cast = cast
        self._stream = cast.streams[0]
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._size: tuple[int, int] | None = None
        self._frames = 0
        self._ended: str | None = None
        self._messages: list[str] = []
        self._sized = threading.Event()
        self._first = threading.Event()
        read_fd, write_fd = os.pipe()
        with contextlib.suppress(OSError):
            fcntl.fcntl(read_fd, F_SETPIPE_SZ, 8 * 1024 * 1024)  # fewer wake-ups per frame
        try:
            self._process = subprocess.Popen(
                pipeline(cast.pipewire_fd, self._stream.node_id, write_fd),
                pass_fds=(cast.pipewire_fd, write_fd), env=child_env(),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent())
        except OSError as error:
            os.close(read_fd)
            os.close(write_fd)
            cast.close()
            raise UserError(NO_GST) from error
        os.close(write_fd)
        self._pipe = os.fdopen(read_fd, "rb", buffering=0)
        assert self._process.stdout is not None
        self._threads = [
            threading.Thread(target=self._read_messages, args=(self._process.stdout,),
                             name="pipewire-messages", daemon=True),
            threading.Thread(target=self._read_frames, name="pipewire-frames", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        try:
            self._wait_started(first_frame_timeout)
            width, height = self.size
            x, y, w, h = (crop_box(region, self._stream, width, height) if region is not None
                          else (0, 0, width, height))
            self._box = (x, y, w - w % 2, h - h % 2)  # H.264 needs even sides
        except BaseException:
            self.close()
            raise
        left, top = self._stream.position or (0, 0)
        x, y, w, h = self._box
        self._region = Region(left + x, top + y, w, h)

    # -- the reader threads -----------------------------------------------------------------
    def _read_messages(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            self._messages = [*self._messages[-30:], line]
            found = CAPS.search(line)
            if found is None:
                continue
            size = (int(found.group(1)), int(found.group(2)))
            if self._size is None:
                log.info("wayland: PipeWire stream is %dx%d", *size)
                self._size = size
                self._sized.set()
            elif size != self._size:
                # The message can arrive after frames of the new size are in the pipe:
                # the stream cannot be followed reliably any more.
                self._ended = f"the shared screen changed size to {size[0]}x{size[1]}"
                self._process.terminate()
        self._sized.set()  # the process ended: waiters look at why

    def _read_frames(self) -> None:
        try:
            while True:
                self._sized.wait()
                size = self._size
                if size is None:
                    break
                width, height = size
                buffer = bytearray(width * height * 4)
                if not self._read_exactly(memoryview(buffer)):
                    break
                frame = np.frombuffer(buffer, np.uint8).reshape(height, width, 4)
                frame[:, :, 3] = 255  # BGRx: the padding byte is undefined
                with self._lock:
                    self._latest = frame
                    self._frames += 1
                self._first.set()
        finally:
            self._ended = self._ended or "the screen-sharing stream ended"
            self._first.set()

    def _read_exactly(self, view: memoryview) -> bool:
        done = 0
        while done < len(view):
            count = self._pipe.readinto(view[done:])
            if not count:
                return False
            done += count
        return True

    def _wait_started(self, timeout: float) -> None:
        """Wait until the stream's size is known, then briefly for its first picture.

        xdg-desktop-portal-wlr sends the first picture only when something on the screen
        changes; until then ``grab`` gives black frames of the right size.
        """
        deadline = time.monotonic() + timeout
        while not self._sized.wait(0.1):
            if time.monotonic() > deadline:
                raise UserError(f"The shared screen sent no picture within {timeout:.0f} s.")
        if self._size is None:
            log.info("wayland: gst-launch-1.0 said: %s", " | ".join(self._messages[-8:]))
            if any("no element" in m and "pipewiresrc" in m for m in self._messages):
                raise UserError(NO_GST)
            raise UserError("The shared screen closed before sending a picture.")
        self._first.wait(FIRST_PICTURE_WAIT)
        if self._latest is None:
            log.info("wayland: no picture yet (a still screen): black until the first one")
            width, height = self._size
            blank = np.zeros((height, width, 4), np.uint8)
            blank[:, :, 3] = 255
            with self._lock:
                if self._latest is None:
                    self._latest = blank

    # -- FrameSource --------------------------------------------------------------------------
    @property
    def region(self) -> Region:
        return self._region

    @property
    def size(self) -> tuple[int, int]:
        """The stream's size in pixels (what PipeWire negotiated)."""
        assert self._size is not None
        return self._size

    @property
    def frames_received(self) -> int:
        """Pictures that came from PipeWire so far (it sends one only on change)."""
        return self._frames

    @property
    def restore_token(self) -> str:
        return self._cast.restore_token

    def grab(self) -> Frame:
        with self._lock:
            frame = self._latest
        if self._ended is not None or frame is None:
            raise DisplayLost(f"Screen sharing stopped ({self._ended or 'no picture'})")
        x, y, w, h = self._box
        if (x, y, w, h) == (0, 0, frame.shape[1], frame.shape[0]):
            return frame
        return frame[y:y + h, x:x + w]

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._ended = self._ended or "closed"
        for thread in self._threads:
            thread.join(5)
        self._pipe.close()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._cast.close()
