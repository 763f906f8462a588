"""H.264 (+ AAC) encoding into a crash-safe fragmented MP4, and the remux that finishes it.

While recording, the file is a fragmented MP4 (a fragment about every second), so a crash
or a power cut loses at most the last second: everything before it plays. On stop, the
file is remuxed (no re-encode) into a regular MP4 with the index at the front, which
browsers can start playing before it is fully loaded.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np
import numpy.typing as npt

from baton.capture.recording.colour import tag_encoder
from baton.capture.recording.pictures import Pictures
from baton.capture.recording.video_settings import AudioSettings, VideoSettings
from baton.capture.recording.yuv import Halves, RowConverter
from baton.errors import UserError
from baton.util.atomic import atomic_path

log = logging.getLogger("baton.capture")

FRAGMENT_MICROSECONDS = 1_000_000
AUDIO_FRAME_SAMPLES = 1024


class I420Converter:
    """Converts BGRA screen images into one reused yuv420p ``av.VideoFrame``.

    Exactly as the recorder converts (``pictures.Pictures``: ``yuv``'s BT.601 limited
    range, as the stream is tagged: ``baton.capture.recording.colour``, and the smoothed
    chroma). Reusing the frame instead of ``from_ndarray`` saves about 1 ms per 1080p
    frame; libx264 copies each picture before ``encode`` returns, so the frame can be
    overwritten for the next one.
    """

    def __init__(self, width: int, height: int, convert: RowConverter | None = None,
                 halves: Halves | None = None) -> None:
        self._pictures = Pictures(width, height, pool=1, convert=convert, halves=halves)
        self._height = height
        self.frame: Any = None

    def convert(self, bgra: npt.NDArray[np.uint8]) -> Any:
        """Fill and return the reused frame from a BGRA image of the converter's size."""
        self._pictures.update(bgra, [(0, self._height)])
        self.frame = self._pictures.take()
        self._pictures.give_back(self.frame)
        return self.frame


def disk_full(error: BaseException) -> bool:
    """True when an exception (or one it wraps) means the disk or quota is full."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class CountingFile:
    """A write-only binary file that counts bytes; PyAV writes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes_written = 0

    def write(self, data: bytes) -> int:
        written = self._raw.write(data)
        self.bytes_written += len(data)
        return written

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        self._raw.close()


def open_for_writing(path: Path) -> BinaryIO:
    """The default way a writer opens its file (tests inject one that fills up).

    Unbuffered: each muxed packet goes straight to the operating system, so a killed
    process loses nothing that the muxer already wrote.
    """
    return open(path, "wb", buffering=0)


class FragmentedWriter:
    """Encodes frames and audio into a fragmented MP4 as they arrive.

    Opening the writer opens the encoder (import, codec setup) so that the first frame
    is not delayed by it. Frames are stamped by the caller: ``pts`` counts frame periods
    since the start of the recording, so a missing frame never shortens the video.
    """

    def __init__(
        self,
        path: Path,
        video: VideoSettings,
        audio: AudioSettings | None = None,
        *,
        opener: Callable[[Path], BinaryIO] = open_for_writing,
    ) -> None:
        self.path = path
        self.video = video.validated()
        self.audio = audio
        self._file = CountingFile(opener(path))
        options = {
            "movflags": "frag_keyframe+empty_moov+default_base_moof",
            "frag_duration": str(FRAGMENT_MICROSECONDS),
            "flush_packets": "1",
        }
        self._container: Any = av.open(self._file, "w", format="mp4", options=options)
        self._container.metadata["comment"] = video.tag()
        stream = self._container.add_stream("libx264", rate=video.fps)
        stream.width = video.width
        stream.height = video.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, video.fps)
        stream.codec_context.gop_size = video.gop
        stream.codec_context.options = video.codec_options()
        tag_encoder(stream.codec_context)
        # PyAV asks for slice threads, which makes libx264 use sliced threads: 10-25%
        # larger files than frame threads (what ffmpeg uses) or a single thread.
        stream.codec_context.thread_type = "FRAME"
        self._video_stream: Any = stream
        self._converter: I420Converter | None = None  # made by the first write_frame
        self._audio_stream: Any = None
        self._audio_pending = np.zeros((0,), np.float32)
        self._audio_pts = 0
        if audio is not None:
            astream = self._container.add_stream("aac", rate=audio.sample_rate)
            astream.layout = "mono" if audio.channels == 1 else "stereo"
            astream.bit_rate = audio.bitrate
            self._audio_stream = astream
            self._audio_pending = np.zeros((0, audio.channels), np.float32)
        self._container.start_encoding()
        self.last_pts = -1
        self._last_keyframe = -video.gop  # the first frame is one anyway
        self._changed_since_keyframe = True
        self._closed = False

    @property
    def bytes_written(self) -> int:
        """Bytes written to the file so far."""
        return self._file.bytes_written

    def write_frame(self, bgra: npt.NDArray[np.uint8], pts: int, *, changed: bool = True) -> None:
        """Encode one BGRA frame shown from ``pts`` frame periods after the start.

        ``changed``: it differs from the frame before (False for the frame the recorder sends
        twice a second while the screen stands still).
        """
        if self._converter is None:
            self._converter = I420Converter(self.video.width, self.video.height)
        self.write_picture(self._converter.convert(bgra), pts, changed=changed)

    def write_picture(self, frame: Any, pts: int, *, changed: bool = True) -> None:
        """Encode a ready yuv420p ``av.VideoFrame`` (BT.601 limited, as ``I420Converter``
        makes it) shown from ``pts``; it may be reused once this returns (libx264 copies it).
        """
        if pts <= self.last_pts:
            pts = self.last_pts + 1
        frame.pts = pts
        frame.time_base = Fraction(1, self.video.fps)
        # At most GOP_SECONDS of recording time between keyframes, however few frames
        # were encoded in between, unless the screen is as it was at the last one (then a
        # player seeking to that keyframe shows the right screen anyway; a still screen
        # would otherwise cost a full picture every 10 s: 0.9 -> 3.7 MB/min at 1080p).
        # The frame object is reused: reset what was forced.
        self._changed_since_keyframe |= changed
        if self._changed_since_keyframe and pts - self._last_keyframe >= self.video.gop:
            self._changed_since_keyframe = False
            frame.pict_type = av.video.frame.PictureType.I
            self._last_keyframe = pts
        else:
            frame.pict_type = av.video.frame.PictureType.NONE
        self.last_pts = pts
        self._mux(self._video_stream.encode(frame))

    def write_audio(self, samples: npt.NDArray[np.float32]) -> None:
        """Append contiguous float samples (shape ``(n, channels)``) to the audio track."""
        if self._audio_stream is None or self.audio is None:
            return
        self._audio_pending = np.concatenate([self._audio_pending, samples])
        while len(self._audio_pending) >= AUDIO_FRAME_SAMPLES:
            chunk = self._audio_pending[:AUDIO_FRAME_SAMPLES]
            self._audio_pending = self._audio_pending[AUDIO_FRAME_SAMPLES:]
            self._encode_audio(chunk)

    @property
    def audio_samples_written(self) -> int:
        """Samples handed to the audio track so far (queued ones included)."""
        return self._audio_pts + len(self._audio_pending)

    def _encode_audio(self, chunk: npt.NDArray[np.float32]) -> None:
        assert self.audio is not None
        planar = np.ascontiguousarray(chunk.T)
        layout = "mono" if self.audio.channels == 1 else "stereo"
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=layout)
        frame.sample_rate = self.audio.sample_rate
        frame.pts = self._audio_pts
        frame.time_base = Fraction(1, self.audio.sample_rate)
        self._audio_pts += len(chunk)
        self._mux(self._audio_stream.encode(frame))

    def _mux(self, packets: list[Any]) -> None:
        for packet in packets:
            if packet.stream is self._video_stream:
                if not packet.duration:
                    packet.duration = 1
                if packet.is_keyframe and packet.pts is not None:
                    # x264's own keyframes (scene cuts, keyint) restart the count too.
                    self._last_keyframe = max(self._last_keyframe, int(packet.pts))
            self._container.mux(packet)

    def close(self) -> None:
        """Flush the encoders and finish the file (it stays fragmented)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._mux(self._video_stream.encode(None))
            if self._audio_stream is not None:
                if len(self._audio_pending):
                    self._encode_audio(self._audio_pending)
                    self._audio_pending = self._audio_pending[:0]
                self._mux(self._audio_stream.encode(None))
            self._container.close()
        finally:
            self._file.close()
            # The encoder's pictures (about 30 MB at 1080p) go with the last reference.
            self._container = self._video_stream = self._audio_stream = None
            self._converter = None

    def abandon(self) -> None:
        """Close the file without flushing (after a write failed, e.g. disk full)."""
        self._closed = True
        try:
            self._file.flush()
        except OSError:
            pass
        self._file.close()


def remux_faststart(src: Path, dst: Path) -> Path:
    """Copy the streams of ``src`` into a faststart MP4 at ``dst`` without re-encoding.

    Packets after a truncated final fragment (a crash) are skipped. The output is written
    to a temporary name and renamed, so ``dst`` is never half-written.

    Raises:
        UserError: ``src`` holds no readable video.
    """
    try:
        with atomic_path(dst) as temp, av.open(str(src)) as source:
            video_in = next((s for s in source.streams if s.type == "video"), None)
            if video_in is None:
                raise UserError(f"{src.name} holds no video that can be recovered.")
            inputs = [s for s in source.streams if s.type in ("video", "audio")]
            with av.open(str(temp), "w", format="mp4", options={"movflags": "faststart"}) as out:
                out.metadata.update(dict(source.metadata))
                mapping = {s.index: out.add_stream_from_template(s) for s in inputs}
                muxed = _copy_packets(source, inputs, mapping, out)
            if muxed == 0:
                raise UserError(f"{src.name} holds no video that can be recovered.")
    except av.error.InvalidDataError as error:
        raise UserError(f"{src.name} is not a recording Baton can read.") from error
    return dst


def _copy_packets(source: Any, inputs: list[Any], mapping: dict[int, Any], out: Any) -> int:
    muxed = 0
    try:
        for packet in source.demux(inputs):
            if packet.dts is None or packet.size == 0:
                continue
            packet.stream = mapping[packet.stream_index]
            out.mux(packet)
            muxed += 1
    except (av.error.InvalidDataError, av.error.EOFError) as error:
        # A crash cuts the last fragment short; everything before it is good.
        log.info("stopped reading at a damaged fragment: %s", error)
    return muxed
