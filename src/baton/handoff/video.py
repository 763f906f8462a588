"""The walkthrough video in a package: probe it, check it starts fast, shrink it to a budget.

Videos go into packages as they are (stored, not recompressed). Only when the owner asks for
a size budget (say 25 MB for email) is the video re-encoded, with PyAV's libx264 at the
bitrate that fits, scaled down when that bitrate is too thin for the full size.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from baton.errors import UserError

log = logging.getLogger("baton.handoff")

MIN_VIDEO_KBPS = 120
AUDIO_KBPS = 96
CONTAINER_OVERHEAD = 0.97  # muxing overhead and x264's rate-control drift
ATTEMPTS = 3


@dataclass(frozen=True)
class VideoInfo:
    """What a package needs to know about a video."""

    duration: float
    width: int
    height: int
    fps: float
    has_audio: bool


def probe(path: Path) -> VideoInfo:
    """Read a video's duration, size, frame rate and whether it has sound.

    Raises:
        UserError: the file is not a video PyAV can read.
    """
    try:
        with av.open(str(path)) as container:
            video = next(iter(container.streams.video), None)
            if video is None:
                raise UserError(f"{path.name} holds no video.")
            duration = 0.0
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            rate = video.average_rate or video.guessed_rate
            return VideoInfo(
                duration=duration,
                width=int(video.codec_context.width),
                height=int(video.codec_context.height),
                fps=float(rate) if rate else 0.0,
                has_audio=any(s.type == "audio" for s in container.streams),
            )
    except av.error.FFmpegError as error:
        raise UserError(f"{path.name} is not a video Baton can read.") from error


def starts_fast(path: Path) -> bool:
    """Whether a browser can start playing before the whole MP4 has loaded.

    True when the ``moov`` index comes before the media data (faststart) or the file is
    fragmented; False for a plain MP4 with its index at the end, or not an MP4 at all.
    """
    with path.open("rb") as handle:
        offset = 0
        end = path.stat().st_size
        while offset + 8 <= end:
            handle.seek(offset)
            header = handle.read(8)
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0]
            elif size == 0:
                size = end - offset
            if kind == b"moov":
                return True
            if kind in (b"mdat", b"moof"):
                return False
            if size < 8:
                return False
            offset += size
    return False


def fit_to_budget(
    source: Path,
    target_bytes: int,
    out_path: Path,
    *,
    progress: Callable[[float], None],
    check_cancel: Callable[[], None],
    keyframes_at: Sequence[float] = (),
) -> None:
    """Re-encode ``source`` into ``out_path`` (H.264 + the original audio) under a size.

    Tries a bitrate from the target and the duration; if the result is still too big, tries
    again a little lower, up to three times. The colour tags are kept (the pictures are
    passed through unconverted), and a keyframe starts at each of ``keyframes_at`` (the
    chapters, in seconds) as well as every two seconds.

    Raises:
        UserError: the budget leaves less than a watchable bitrate, or it cannot be met.
    """
    info = probe(source)
    if info.duration <= 0:
        raise UserError("The video has no duration, so it cannot be shrunk to a size.")
    audio_bits = AUDIO_KBPS * 1000 * info.duration if info.has_audio else 0.0
    video_bits = target_bytes * 8 * CONTAINER_OVERHEAD - audio_bits
    kbps = video_bits / info.duration / 1000
    if kbps < MIN_VIDEO_KBPS:
        raise UserError(
            f"The size budget leaves {max(kbps, 0):.0f} kbit/s for the video, too little to "
            "watch; raise the budget or export without one."
        )
    for attempt in range(ATTEMPTS):
        _encode(
            source,
            out_path,
            info,
            int(kbps),
            progress=progress,
            check_cancel=check_cancel,
            attempt=attempt,
            keyframes_at=keyframes_at,
        )
        size = out_path.stat().st_size
        log.info("budget re-encode at %d kbit/s: %d bytes (target %d)", kbps, size, target_bytes)
        if size <= target_bytes:
            return
        kbps *= 0.85 * target_bytes / size
        if kbps < MIN_VIDEO_KBPS:
            break
    raise UserError(
        "The video could not be made small enough for the size budget; "
        "raise the budget or export without one."
    )


def _scaled_size(info: VideoInfo, kbps: float) -> tuple[int, int]:
    """Shrink the frame when the bitrate is too thin for it (about 0.06 bits per pixel)."""
    width, height = info.width, info.height
    fps = info.fps or 30.0
    for target_height in (1080, 720, 540, 360, 240):
        if height <= target_height:
            continue
        if kbps * 1000 / (width * height * fps) >= 0.06:
            break
        width = int(round(width * target_height / height / 2)) * 2
        height = target_height
    return width, height


def _encode(
    source: Path,
    out_path: Path,
    info: VideoInfo,
    kbps: int,
    *,
    progress: Callable[[float], None],
    check_cancel: Callable[[], None],
    attempt: int,
    keyframes_at: Sequence[float],
) -> None:
    from baton.capture.recording.colour import copy_tags

    width, height = _scaled_size(info, kbps)
    chapters = sorted(keyframes_at)
    total_frames = max(1.0, info.duration * (info.fps or 30.0))
    with (
        av.open(str(source)) as inp,
        av.open(str(out_path), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        video_in = inp.streams.video[0]
        audio_in = next(iter(inp.streams.audio), None)
        rate = video_in.average_rate or video_in.guessed_rate or 30
        video_out: Any = out.add_stream("libx264", rate=rate)
        video_out.width, video_out.height = width, height
        video_out.pix_fmt = "yuv420p"
        video_out.bit_rate = kbps * 1000
        video_out.codec_context.time_base = video_in.time_base
        video_out.options = {
            "preset": "veryfast",
            "maxrate": f"{int(kbps * 1.5)}k",
            "bufsize": f"{kbps * 2}k",
            "g": str(int(round(float(rate) * 2))),
            "forced-idr": "1",
        }
        copy_tags(video_in, video_out.codec_context)
        audio_out: Any = None
        if audio_in is not None:
            audio_out = out.add_stream("aac", rate=audio_in.codec_context.sample_rate or 48000)
            audio_out.bit_rate = AUDIO_KBPS * 1000
        streams: list[Any] = [video_in] + ([audio_in] if audio_in is not None else [])
        frames = 0
        for packet in inp.demux(streams):
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    frames += 1
                    if frames % 10 == 0:
                        check_cancel()
                        progress(min(1.0, (attempt + frames / total_frames) / (attempt + 1)))
                    chapter = bool(chapters) and float(frame.time or 0.0) >= chapters[0] - 1e-3
                    while chapters and float(frame.time or 0.0) >= chapters[0] - 1e-3:
                        chapters.pop(0)
                    frame.pict_type = (av.video.frame.PictureType.I if chapter
                                       else av.video.frame.PictureType.NONE)
                    out.mux(video_out.encode(frame.reformat(width, height, "yuv420p")))
                elif isinstance(frame, av.AudioFrame) and audio_out is not None:
                    frame.pts = None
                    out.mux(audio_out.encode(frame))
        out.mux(video_out.encode(None))
        if audio_out is not None:
            out.mux(audio_out.encode(None))
    progress(1.0)
