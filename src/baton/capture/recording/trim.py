"""Trim a recording without re-encoding it, except for the first few frames when needed.

Baton's recordings have no B-frames, so every frame depends only on earlier ones: cutting
the end anywhere is a plain copy. Cutting the start on a keyframe is a plain copy too.
Otherwise the frames from the cut to the next keyframe are re-encoded with the
recording's own x264 settings (``stitchable``, so the stream headers come out identical)
and the rest is copied. Files from elsewhere, whose headers cannot be matched, are
re-encoded over the trimmed range.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from baton.capture.recording.colour import copy_tags, tag_encoder
from baton.capture.recording.h264 import (
    DROPPED_NALS,
    PARAMETER_SETS,
    nals_annexb,
    parameter_sets_avcc,
    recorder_encoder,
    to_avcc,
)
from baton.capture.recording.video_index import read_index
from baton.capture.recording.video_settings import VideoSettings
from baton.errors import UserError
from baton.util.atomic import atomic_path

log = logging.getLogger("baton.capture")

@dataclass(frozen=True)
class TrimResult:
    """What ``trim`` wrote: how much it copied and how much it had to re-encode."""

    path: Path
    duration: float
    copied_frames: int
    reencoded_frames: int


@dataclass
class _Source:
    time_base: Fraction
    frames: list[int]  # presentation times (pts) in stream time base, sorted
    keyframes: list[int]
    end: int  # pts just after the last frame
    settings: VideoSettings | None
    parameter_sets: list[bytes]


def _scan(src: Path) -> _Source:
    index = read_index(src)
    return _Source(index.time_base, index.frames, index.keyframes, index.end, index.settings,
                   parameter_sets_avcc(index.extradata))


def trim(src: Path, dst: Path, start: float, end: float) -> TrimResult:
    """Write the part of ``src`` between ``start`` and ``end`` seconds to ``dst``.

    The cut snaps to frame boundaries: the frame on screen at ``start`` is the first one.

    Raises:
        UserError: the range is empty or outside the video, or ``src`` is unreadable.
    """
    info = _scan(src)
    tb = info.time_base
    length = float(info.end * tb)
    if start < 0 or end <= start or start >= length:
        raise UserError(
            f"Cannot trim {start:.2f}-{end:.2f} s: the video is {length:.2f} s long."
        )
    start_pts = int(start / tb)
    end_pts = min(info.end, round(end / tb))
    first = max(pts for pts in info.frames if pts <= max(start_pts, info.frames[0]))
    next_key = next((pts for pts in info.keyframes if pts >= first), end_pts)
    half_frame = (info.frames[-1] - info.frames[0]) / max(1, 2 * (len(info.frames) - 1))
    if next_key - start_pts <= half_frame:  # a keyframe a hair after the cut: start there
        first = next_key
    copy_from = min(next_key, end_pts)
    with atomic_path(dst) as temp:
        head: list[Any] | None = []
        if first != copy_from and info.settings is not None:
            head = _reencode_head(src, info, first, copy_from)
        if first != copy_from and (info.settings is None or head is None):
            result = _reencode_all(src, temp, info, first, end_pts)
        else:
            result = _stitch(src, temp, info, head or [], first, copy_from, end_pts)
    return TrimResult(dst, *result)


def _decoded(container: Any, stream: Any, first: int, stop: int) -> Any:
    """Decoded frames with ``first <= pts < stop``, seeking to the keyframe before."""
    container.seek(first, stream=stream, backward=True, any_frame=False)
    for frame in container.decode(stream):
        if frame.pts is None or frame.pts < first:
            continue
        if frame.pts >= stop:
            return
        yield frame


def _reencode_head(src: Path, info: _Source, first: int, stop: int) -> list[Any] | None:
    """Re-encode ``[first, stop)``; None when its stream headers differ from the source's."""
    assert info.settings is not None
    codec = recorder_encoder(info.settings)
    packets: list[Any] = []
    original: list[int] = []
    with av.open(str(src)) as container:
        stream = container.streams.video[0]
        for index, frame in enumerate(_decoded(container, stream, first, stop)):
            original.append(frame.pts)
            picture = frame.reformat(format="yuv420p")
            picture.pts, picture.time_base = index, codec.time_base
            packets.extend(codec.encode(picture))
    packets.extend(codec.encode(None))
    converted: list[Any] = []
    for packet in packets:
        # No B-frames: packets come out in input order; keep the source's timestamps.
        pts = original[packet.pts]
        units = nals_annexb(bytes(packet))
        sets = [unit for unit in units if unit[0] & 0x1F in PARAMETER_SETS]
        if sets and sets != info.parameter_sets:
            log.info("re-encoded headers differ from the source's: re-encoding the range")
            return None
        out = av.Packet(to_avcc([u for u in units if u[0] & 0x1F not in DROPPED_NALS]))
        out.pts = out.dts = pts
        out.is_keyframe = packet.is_keyframe
        converted.append(out)
    return converted


def _stitch(src: Path, dst: Path, info: _Source, head: list[Any], first: int,
            copy_from: int, end_pts: int) -> tuple[float, int, int]:
    copied = 0
    with av.open(str(src)) as source, av.open(str(dst), "w", format="mp4",
                                              options={"movflags": "faststart"}) as out:
        out.metadata.update(dict(source.metadata))
        vin = source.streams.video[0]
        vout = out.add_stream_from_template(vin)
        audio = _add_audio(source, out)
        for packet in head:
            packet.pts -= first
            packet.dts -= first
            packet.time_base = info.time_base
            packet.stream = vout
            out.mux(packet)
        last = max(copy_from - first, 0)
        for packet in source.demux(vin):
            if packet.pts is None or packet.pts < copy_from or packet.pts >= end_pts:
                continue
            packet.pts -= first
            packet.dts = packet.pts
            packet.stream = vout
            out.mux(packet)
            last = packet.pts + (packet.duration or 0)
            copied += 1
        _copy_audio(source, out, audio, float(first * info.time_base),
                    float(end_pts * info.time_base))
    return float(last * info.time_base), copied, len(head)


def _reencode_all(src: Path, dst: Path, info: _Source, first: int,
                  end_pts: int) -> tuple[float, int, int]:
    with av.open(str(src)) as source, av.open(str(dst), "w", format="mp4",
                                              options={"movflags": "faststart"}) as out:
        vin = source.streams.video[0]
        fps = round(float(vin.average_rate or 30))
        fps = fps if fps in (10, 15, 30, 60) else 30
        settings = info.settings or VideoSettings.for_quality(vin.width, vin.height, fps,
                                                              "balanced")
        vout = out.add_stream("libx264", rate=settings.fps)
        vout.width, vout.height, vout.pix_fmt = vin.width, vin.height, "yuv420p"
        vout.codec_context.time_base = info.time_base
        vout.codec_context.options = settings.codec_options()
        if info.settings is not None:  # Baton's pictures are BT.601, tagged or not
            tag_encoder(vout.codec_context)
        else:
            copy_tags(vin, vout.codec_context)
        audio = _add_audio(source, out)
        count, last = 0, 0
        for frame in list(_decoded(source, vin, first, end_pts)):
            frame.pts -= first
            frame.pict_type = av.video.frame.PictureType.NONE
            for packet in vout.encode(frame.reformat(format="yuv420p")):
                out.mux(packet)
            count += 1
            last = frame.pts
        for packet in vout.encode(None):
            out.mux(packet)
        _copy_audio(source, out, audio, float(first * info.time_base),
                    float(end_pts * info.time_base))
    frame_time = Fraction(1, settings.fps) / info.time_base
    return float((last + frame_time) * info.time_base), 0, count


def _add_audio(source: Any, out: Any) -> tuple[Any, Any] | None:
    if not source.streams.audio:
        return None
    ain = source.streams.audio[0]
    return ain, out.add_stream_from_template(ain)


def _copy_audio(source: Any, out: Any, audio: tuple[Any, Any] | None, start: float,
                end: float) -> None:
    if audio is None:
        return
    ain, aout = audio
    source.seek(0)
    offset = round(start / ain.time_base)
    for packet in source.demux(ain):
        if packet.pts is None:
            continue
        seconds = float(packet.pts * ain.time_base)
        if seconds < start or seconds >= end:
            continue
        packet.pts -= offset
        packet.dts = packet.pts
        packet.stream = aout
        out.mux(packet)
