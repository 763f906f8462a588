"""Check a package's video without trusting it: an H.264 video in an MP4 of sane shape.

First the MP4's top-level boxes are walked (each one's size must fit in the file; there is
one index, ``moov``, of at most 64 MiB, and media data), so FFmpeg never parses an index of
gigabytes. Then PyAV opens it as MP4 only (no other demuxer, no network, no external data
references) and it must hold an H.264 video stream of sane size and duration. The same
check runs on a window into the zip (verify) or on the copy made while importing, so verify
and import accept the same videos.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

from baton.errors import UserError
from baton.handoff.video import VideoInfo

MAX_INDEX_BYTES = 64 << 20
MAX_TOP_LEVEL_BOXES = 1_000_000
MAX_VIDEO_SIDE = 8192
MAX_DURATION = 24 * 3600.0


class BadVideo(UserError):
    """The bytes are not a video Baton accepts; ``str()`` says why, briefly."""


class Window(io.RawIOBase):
    """A read-only, seekable view of ``size`` bytes of ``handle`` from ``start``.

    A stored (uncompressed) zip entry is a plain run of bytes in the zip, so the video can
    be probed in place without copying it out.
    """

    def __init__(self, handle: BinaryIO, start: int, size: int) -> None:
        super().__init__()
        self._handle = handle
        self._start = start
        self._size = size
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._size}[whence]
        self._at = max(0, base + offset)
        return self._at

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = max(0, min(len(buffer), self._size - self._at))
        if not count:
            return 0
        self._handle.seek(self._start + self._at)
        data = self._handle.read(count)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


def check_video(handle: BinaryIO, size: int) -> VideoInfo:
    """Check that ``handle`` (seekable, ``size`` bytes) is an H.264 video in an MP4.

    Returns:
        Its duration, size, frame rate and whether it has sound.

    Raises:
        BadVideo: it is not an MP4, its boxes are malformed or absurd, or it holds no
            H.264 video of sane size.
    """
    check_boxes(handle, size)
    handle.seek(0)
    return _probe(handle)


def check_boxes(handle: BinaryIO, size: int) -> None:
    """Walk the MP4's top-level boxes.

    Raises:
        BadVideo: the boxes do not tile the file, the first is not ``ftyp``, there is no
            index or media data, or the index is huge.
    """
    offset = 0
    count = 0
    kinds: dict[bytes, int] = {}
    while offset < size:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            raise BadVideo("is cut short inside an MP4 box header")
        length, kind = struct.unpack(">I4s", header[:8])
        header_size = 8
        if length == 1:
            if len(header) < 16:
                raise BadVideo("is cut short inside an MP4 box header")
            length = struct.unpack(">Q", header[8:16])[0]
            header_size = 16
        elif length == 0:
            length = size - offset
        if length < header_size or offset + length > size:
            raise BadVideo("an MP4 box has a size that does not fit the file")
        if not all(32 <= byte < 127 for byte in kind):
            raise BadVideo("is not an MP4 file (a box has no valid type)")
        if count == 0 and kind != b"ftyp":
            raise BadVideo("is not an MP4 file (it does not start with ftyp)")
        if kind == b"moov" and length > MAX_INDEX_BYTES:
            raise BadVideo("has an MP4 index far bigger than any video needs")
        kinds[kind] = kinds.get(kind, 0) + 1
        count += 1
        if count > MAX_TOP_LEVEL_BOXES:
            raise BadVideo("has more MP4 boxes than any video needs")
        offset += length
    if kinds.get(b"moov") != 1:
        raise BadVideo("is not a playable MP4 (it needs exactly one index, moov)")
    if not kinds.get(b"mdat"):
        raise BadVideo("is not a playable MP4 (it has no media data)")


def _probe(handle: BinaryIO) -> VideoInfo:
    import av

    try:
        with av.open(handle, mode="r", format="mp4", options={"enable_drefs": "0"}) as container:
            video = next(iter(container.streams.video), None)
            if video is None:
                raise BadVideo("holds no video stream")
            codec = video.codec_context
            if codec.name != "h264":
                raise BadVideo(f"holds {codec.name or 'an unknown kind of'} video, not H.264")
            width, height = int(codec.width), int(codec.height)
            if not (16 <= width <= MAX_VIDEO_SIDE and 16 <= height <= MAX_VIDEO_SIDE):
                raise BadVideo(f"holds video of {width}x{height} pixels, not a screen's size")
            duration = 0.0
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            if not 0.0 <= duration <= MAX_DURATION:
                raise BadVideo("lasts longer than a day, or less than nothing")
            rate = video.average_rate or video.guessed_rate
            fps = float(rate) if rate else 0.0
            if not 0.0 <= fps <= 1000.0:
                fps = 0.0
            return VideoInfo(
                duration=duration,
                width=width,
                height=height,
                fps=fps,
                has_audio=any(s.type == "audio" for s in container.streams),
            )
    except BadVideo:
        raise
    except Exception:  # noqa: BLE001 - FFmpeg and PyAV raise many kinds of error on hostile data
        raise BadVideo("is not a video Baton can read") from None
