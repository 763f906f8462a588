"""The video in a package: redaction boxes burned in, a keyframe at every chapter, colours tagged.

The library's recording is never changed: a version's video is made from it when the
version is prepared (``baton.handoff.prepared``), and kept. What is copied and what is
re-encoded is planned by ``baton.handoff.video_plan``; here the plan is carried out in one
pass over the recording:

- copied frames go into the new file as they are (through ``RETAG_FILTER`` when the
  recording predates the colour tags, which rewrites only the stream header);
- each stretch to re-encode is decoded from the keyframe before it, painted (solid black
  boxes, written straight into the YUV planes), and encoded by a fresh encoder set up as the
  recorder's was (``stitchable``, same preset and quality), whose stream header therefore
  matches the copied frames' byte for byte (checked on every keyframe; all in
  ``baton.handoff.video_stretch``);
- sound is copied.

Recordings Baton did not make (or a header that does not match after all) are re-encoded
whole, with the same painting and keyframes. Memory stays flat: frames are decoded, painted
and encoded one at a time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from baton.capture.recording.colour import RETAG_FILTER, copy_tags, tag_encoder
from baton.capture.recording.h264 import parameter_sets
from baton.capture.recording.video_index import VideoIndex, read_index
from baton.capture.recording.video_settings import VideoSettings
from baton.errors import UserError
from baton.handoff.video_plan import TimedBox, VideoPlan, plan_video
from baton.handoff.video_stretch import (
    ENCODER_THREADS,
    HeadersDiffer,
    PicturesAhead,
    StretchEncoder,
)

log = logging.getLogger("baton.handoff")

REENCODE_WEIGHT = 12
"""A re-encoded frame costs about as much as copying twelve (for the progress bar)."""
REPORT_EVERY = 25

Progress = Callable[[float], None]
Check = Callable[[], None]


@dataclass(frozen=True)
class MadeVideo:
    """A package video that was made: how much was copied and how much re-encoded."""

    path: Path
    copied_frames: int
    reencoded_frames: int
    stitched: bool
    """True when only the planned stretches were re-encoded (False: the whole video)."""


def make_package_video(
    src: Path,
    dst: Path,
    boxes: Sequence[TimedBox],
    chapters: Sequence[float],
    *,
    progress: Progress = lambda fraction: None,
    check_cancel: Check = lambda: None,
) -> MadeVideo | None:
    """Write the package's video for ``src`` to ``dst``, or return None when ``src`` can go in
    as it is (nothing to hide, a keyframe at every chapter already, colours tagged; or a file
    that cannot be read as a video, when there is nothing to hide in it).

    Raises:
        UserError: there are boxes to hide and ``src`` is not a video Baton can read.
    """
    try:
        info = read_index(src)
    except UserError:
        if boxes:
            raise  # what cannot be read cannot be hidden: never send it in the clear
        log.warning("%s cannot be read as a video: packed as it is", src.name)
        return None
    plan = plan_video(info.frames, info.keyframes, info.time_base, info.end, boxes, chapters)
    if plan.all_copied and (info.tagged or info.settings is None):
        return None  # a video from elsewhere: its colours are whatever its maker tagged
    tracker = _Tracker(plan, progress, check_cancel)
    temp = dst.with_name(dst.name + ".tmp")
    try:
        if info.settings is not None:
            try:
                made = _stitch(src, temp, info, plan, tracker)
            except HeadersDiffer:
                log.info("re-encoded headers differ from the recording's: re-encoding it all")
                temp.unlink(missing_ok=True)
                tracker.restart()
                made = _reencode_all(src, temp, info, plan, tracker)
        else:
            made = _reencode_all(src, temp, info, plan, tracker)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    temp.replace(dst)
    progress(1.0)
    return MadeVideo(dst, made[0], made[1], made[2])


class _Tracker:
    """Progress and cancel checks, weighted by what each frame costs."""

    def __init__(self, plan: VideoPlan, progress: Progress, check_cancel: Check) -> None:
        self._total = max(1, len(plan.frames) + plan.reencoded * (REENCODE_WEIGHT - 1))
        self._progress = progress
        self._check = check_cancel
        self._done = self._since = 0

    def frame(self, reencoded: bool) -> None:
        self._done += REENCODE_WEIGHT if reencoded else 1
        self._since += 1
        if self._since >= REPORT_EVERY:
            self._since = 0
            self._check()
            self._progress(min(self._done / self._total, 0.99))

    def restart(self) -> None:
        self._done = self._since = 0


def _durations(plan: VideoPlan, end: int) -> dict[int, int]:
    times = [frame.pts for frame in plan.frames] + [end]
    return {pts: max(1, later - pts) for pts, later in zip(times, times[1:], strict=False)}


def _stitch(src: Path, dst: Path, info: VideoIndex, plan: VideoPlan,
            tracker: _Tracker) -> tuple[int, int, bool]:
    """Copy the planned frames and re-encode the rest, in one pass in file order (so sound
    and pictures stay interleaved and nothing piles up in memory)."""
    settings = info.settings
    assert settings is not None
    durations = _durations(plan, info.end)
    frames = plan.frames
    index = copied = reencoded = 0
    with contextlib.ExitStack() as stack:
        source, out = _open(stack, src, dst)
        video_in = source.streams.video[0]
        video_out = out.add_stream_from_template(video_in)
        retag = None
        if not info.tagged:
            retag = av.bitstream.BitStreamFilterContext(RETAG_FILTER, video_in, video_out)
            tag_encoder(video_out.codec_context)  # the MP4 box says so too
        header = bytes(video_out.codec_context.extradata or b"")
        # The retagging filter hands out start codes (header and frames alike; the muxer
        # converts them): re-encoded frames must come in the same form.
        start_codes = header[:1] != b"\x01"
        audio = _add_audio(source, out)
        ahead = stack.enter_context(_closing(
            PicturesAhead(src, info.keyframes, [f for f in frames if not f.copy])))
        encoder: StretchEncoder | None = None

        def emit(packets: list[Any]) -> None:
            for packet in packets:
                packet.duration = durations[int(packet.pts)]
                packet.time_base = info.time_base
                packet.stream = video_out
                out.mux(packet)

        def reencode_until(pts: float) -> None:
            """Re-encode the planned frames up to ``pts`` that are not copies."""
            nonlocal index, reencoded, encoder
            while index < len(frames) and frames[index].pts <= pts and not frames[index].copy:
                frame = frames[index]
                if encoder is None:  # a stretch starts: a fresh encoder, an IDR first
                    encoder = StretchEncoder(settings, parameter_sets(header), start_codes)
                emit(encoder.encode(frame, ahead.next()))
                reencoded += 1
                index += 1
                tracker.frame(True)
                if index == len(frames) or frames[index].copy:
                    emit(encoder.finish())  # the stretch ends before a copied keyframe
                    encoder = None

        for packet in source.demux([video_in] + ([audio[0]] if audio else [])):
            if packet.pts is None or packet.size == 0:
                continue
            if audio is not None and packet.stream is audio[0]:
                packet.stream = audio[1]
                out.mux(packet)
                continue
            reencode_until(packet.pts)
            if index == len(frames) or frames[index].pts != packet.pts:
                continue  # re-encoded above
            packet.dts = packet.pts
            packet.duration = durations[packet.pts]
            for done in retag.filter(packet) if retag is not None else [packet]:
                done.stream = video_out
                out.mux(done)
            index += 1
            copied += 1
            tracker.frame(False)
        reencode_until(float("inf"))
    return copied, reencoded, True


def _open(stack: contextlib.ExitStack, src: Path, dst: Path) -> tuple[Any, Any]:
    """The recording, and the package video written beside it (its metadata copied)."""
    source = stack.enter_context(av.open(str(src)))
    out = stack.enter_context(av.open(str(dst), "w", format="mp4",
                                      options={"movflags": "faststart"}))
    out.metadata.update(dict(source.metadata))
    return source, out


def _reencode_all(src: Path, dst: Path, info: VideoIndex, plan: VideoPlan,
                  tracker: _Tracker) -> tuple[int, int, bool]:
    """Re-encode every frame of the plan (painted, keyframes where planned)."""
    fps = round(info.rate) if round(info.rate) in (10, 15, 30, 60) else 30
    settings = info.settings or VideoSettings.for_quality(info.width, info.height, fps,
                                                          "balanced")
    with contextlib.ExitStack() as stack:
        source, out = _open(stack, src, dst)
        video_in = source.streams.video[0]
        video_out = out.add_stream("libx264", rate=settings.fps)
        video_out.width, video_out.height, video_out.pix_fmt = info.width, info.height, "yuv420p"
        video_out.codec_context.time_base = info.time_base
        video_out.codec_context.options = {**settings.codec_options(),
                                           "threads": ENCODER_THREADS}
        if info.settings is not None:  # Baton's pictures are BT.601, tagged or not
            tag_encoder(video_out.codec_context)
        else:
            copy_tags(video_in, video_out.codec_context)
        audio = _add_audio(source, out)
        ahead = stack.enter_context(_closing(PicturesAhead(src, info.keyframes, plan.frames)))
        for frame in plan.frames:
            image = ahead.next()
            if image.format.name != "yuv420p":
                image = image.reformat(format="yuv420p")
            image.pts = frame.pts
            image.time_base = info.time_base
            image.pict_type = (av.video.frame.PictureType.I if frame.keyframe
                               else av.video.frame.PictureType.NONE)
            out.mux(video_out.encode(image))
            tracker.frame(True)
        out.mux(video_out.encode(None))
        if audio is not None:
            for packet in source.demux(audio[0]):
                if packet.pts is None or packet.size == 0:
                    continue
                packet.stream = audio[1]
                out.mux(packet)
    return 0, len(plan.frames), False


def _add_audio(source: Any, out: Any) -> tuple[Any, Any] | None:
    if not source.streams.audio:
        return None
    audio_in = source.streams.audio[0]
    return audio_in, out.add_stream_from_template(audio_in)


def as_timed_boxes(snapshot_boxes: Any) -> list[TimedBox]:
    """The ``video_redactions`` of a version snapshot as boxes to burn in.

    Raises:
        UserError: the list is malformed (a snapshot not written by Baton).
    """
    boxes = []
    for item in snapshot_boxes or []:
        try:
            end = item["end"]
            boxes.append(TimedBox(int(item["x"]), int(item["y"]), int(item["w"]), int(item["h"]),
                                  float(item["start"]), None if end is None else float(end)))
        except (KeyError, TypeError, ValueError):
            raise UserError("The version's video redactions are malformed.") from None
    return boxes


@contextlib.contextmanager
def _closing(ahead: PicturesAhead) -> Iterator[PicturesAhead]:
    try:
        yield ahead
    finally:
        ahead.close()
