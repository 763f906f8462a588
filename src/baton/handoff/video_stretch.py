"""Re-encoding a stretch of a recording: its frames decoded, painted and encoded again so
that they stitch onto the frames copied around them (``baton.handoff.video_redaction``)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import av
import numpy as np

from baton.capture.recording.h264 import (
    DROPPED_NALS,
    PARAMETER_SETS,
    nals_annexb,
    recorder_encoder,
    to_avcc,
)
from baton.capture.recording.video_settings import VideoSettings
from baton.errors import UserError
from baton.handoff.video_plan import Box, PlannedFrame

ENCODER_THREADS = "2"
"""x264 frame threads while preparing (the stream header does not depend on them)."""
PICTURES_AHEAD = 6
"""Pictures decoded ahead of the encoder (about 3 MB each at 1080p)."""


class HeadersDiffer(Exception):
    """A re-encoded stretch's stream header is not the recording's: it cannot be stitched."""


class Pictures:
    """The recording's decoded frames by pts, decoding forward and seeking only backward or
    over a gap with a keyframe in it. (Callers restamp the frames they get: the pts of each
    is kept here.)"""

    def __init__(self, container: Any, keyframes: list[int]) -> None:
        self._container = container
        self._stream = container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self._keyframes = keyframes
        self._frames: Iterator[Any] | None = None
        self._current: Any = None
        self._current_pts = -1

    def get(self, pts: int) -> Any:
        if self._current is not None and self._current_pts == pts:
            return self._current
        key = max((k for k in self._keyframes if k <= pts), default=self._keyframes[0])
        if self._frames is None or self._current_pts > pts or key > self._current_pts:
            self._container.seek(key, stream=self._stream, backward=True, any_frame=False)
            self._frames = self._container.decode(self._stream)
            self._current, self._current_pts = None, -1
        for frame in self._frames:
            if frame.pts is None:
                continue
            self._current, self._current_pts = frame, int(frame.pts)
            if frame.pts >= pts:
                break
        if self._current is None or self._current_pts != pts:
            raise UserError("The recording is damaged: a frame could not be decoded.")
        return self._current


class PicturesAhead:
    """The pictures of the frames to re-encode, decoded and painted on a worker thread a few
    frames ahead of the encoder, so that decoding and encoding use both cores (PyAV lets go
    of the GIL while FFmpeg works). Hand them out in plan order with ``next``.
    """

    def __init__(self, video: Path, keyframes: list[int], frames: Sequence[PlannedFrame],
                 ahead: int = PICTURES_AHEAD) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(video, keyframes, frames),
                                        name="baton-decode", daemon=True)
        self._thread.start()

    def _work(self, video: Path, keyframes: list[int], frames: Sequence[PlannedFrame]) -> None:
        try:
            with av.open(str(video)) as container:
                pictures = Pictures(container, keyframes)
                for frame in frames:
                    picture = pictures.get(frame.picture)
                    if not self._put(painted(picture, frame.boxes) if frame.boxes else picture):
                        return
        except BaseException as error:  # noqa: BLE001 - raised again by ``next``
            self._put(_Failed(error))

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def next(self) -> Any:
        """The next planned frame's picture (raises what went wrong decoding it)."""
        item = self._queue.get()
        if isinstance(item, _Failed):
            raise item.error
        return item

    def close(self) -> None:
        """Stop the worker (early, after a failure or a cancel, or at the end)."""
        self._stop.set()
        self._thread.join()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def painted(frame: Any, boxes: Sequence[Box]) -> Any:
    """A copy of a decoded frame with solid black boxes (the frame itself is left as is: the
    decoder may still predict later frames from it).

    The boxes are widened to even pixels so that the half-size colour planes are covered
    whole: nothing of what is under a box survives, not even its colour. The planes are
    copied straight into a new frame (``from_ndarray`` would copy twice as much).
    """
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    width, height = frame.width, frame.height
    result = av.VideoFrame(width, height, "yuv420p")
    result.color_range = frame.color_range
    result.colorspace = frame.colorspace
    black = (0 if frame.color_range == 2 else 16, 128, 128)  # 2: full ("JPEG") range
    for index in range(3):
        shift = 0 if index == 0 else 1
        rows, columns = height >> shift, width >> shift
        target = _plane(result.planes[index], rows, columns)
        np.copyto(target, _plane(frame.planes[index], rows, columns))
        for x, y, w, h in boxes:
            left, top = max(x // 2 * 2, 0), max(y // 2 * 2, 0)
            right, bottom = min(-(-(x + w) // 2) * 2, width), min(-(-(y + h) // 2) * 2, height)
            target[top >> shift:bottom >> shift, left >> shift:right >> shift] = black[index]
    return result


def _plane(plane: Any, rows: int, columns: int) -> Any:
    """A plane's pixels as a (rows, columns) array over its buffer (rows may be padded)."""
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:rows, :columns]


class StretchEncoder:
    """Re-encodes one stretch frame by frame, as the recorder's encoder would; its packets
    come out stamped with the plan's pts, in the stream's form (MP4's length-prefixed units
    or start codes), without the stream header (checked against the recording's)."""

    def __init__(self, settings: VideoSettings, expected: list[bytes],
                 start_codes: bool) -> None:
        self._codec = recorder_encoder(settings, ENCODER_THREADS)
        self._expected = expected
        self._start_codes = start_codes
        self._stamps: list[int] = []

    def encode(self, frame: PlannedFrame, image: Any) -> list[Any]:
        """Encode the picture of a planned frame (already painted)."""
        image.pts = len(self._stamps)
        image.time_base = self._codec.time_base
        image.pict_type = (av.video.frame.PictureType.I if frame.keyframe
                           else av.video.frame.PictureType.NONE)
        self._stamps.append(frame.pts)
        return self._converted(self._codec.encode(image))

    def finish(self) -> list[Any]:
        return self._converted(self._codec.encode(None))

    def _converted(self, encoded: list[Any]) -> list[Any]:
        packets = []
        for packet in encoded:
            units = nals_annexb(bytes(packet))
            sets = [unit for unit in units if unit[0] & 0x1F in PARAMETER_SETS]
            if sets and sets != self._expected:
                raise HeadersDiffer()
            kept = [unit for unit in units if unit[0] & 0x1F not in DROPPED_NALS]
            done = av.Packet(b"".join(b"\x00\x00\x00\x01" + unit for unit in kept)
                             if self._start_codes else to_avcc(kept))
            # No B-frames: packets come out in the order the frames went in.
            done.pts = done.dts = self._stamps[packet.pts]
            done.is_keyframe = packet.is_keyframe
            packets.append(done)
        return packets
