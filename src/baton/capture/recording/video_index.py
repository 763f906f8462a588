"""What a video file holds, read from its packets without decoding a picture.

Trimming a recording (``trim``) and making a package's video (``baton.handoff``) both plan
from it: which frames there are, which are keyframes, where the video ends, and whether
Baton's recorder made it (its encoder settings are in the file's comment tag).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from baton.capture.recording.colour import is_tagged
from baton.capture.recording.video_settings import VideoSettings
from baton.errors import UserError


@dataclass(frozen=True)
class VideoIndex:
    """A video's frames and settings.

    Attributes:
        time_base: seconds per unit of the times below.
        frames: the presentation time (pts) of every frame, in order.
        keyframes: the presentation times of the keyframes, in order.
        end: the time just after the last frame (its pts plus its duration, at least one
            unit past its pts).
        rate: frames a second, as the stream states it (30 when it does not).
        settings: the recorder's encoder settings; None for a video Baton did not make.
        tagged: whether the stream carries colour tags.
        extradata: the codec's stored header (an MP4's ``avcC`` box for H.264).
    """

    time_base: Fraction
    frames: list[int]
    keyframes: list[int]
    end: int
    width: int
    height: int
    rate: float
    settings: VideoSettings | None
    tagged: bool
    extradata: bytes


def read_index(src: Path) -> VideoIndex:
    """The frames and settings of the first video stream of ``src``.

    Raises:
        UserError: ``src`` cannot be read as a video, or holds no video frames.
    """
    try:
        with av.open(str(src)) as container:
            if not container.streams.video:
                raise UserError(f"{src.name} holds no video.")
            stream = container.streams.video[0]
            frames: list[int] = []
            keyframes: list[int] = []
            end = 0
            for packet in container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue  # the demuxer's empty packet at the end
                frames.append(packet.pts)
                if packet.is_keyframe:
                    keyframes.append(packet.pts)
                end = max(end, packet.pts + (packet.duration or 0))
            comment = str(container.metadata.get("comment", ""))
            width, height = stream.codec_context.width, stream.codec_context.height
            rate = float(stream.average_rate or stream.guessed_rate or 30)
            time_base = stream.time_base
            if not frames or time_base is None:
                raise UserError(f"{src.name} holds no video.")
            frames.sort()
            end = max(end, frames[-1] + 1)  # a last frame without a duration still shows
            return VideoIndex(
                time_base, frames, sorted(keyframes), end, width, height, rate,
                VideoSettings.from_tag(comment, width, height), is_tagged(stream),
                bytes(stream.codec_context.extradata or b""))
    except av.error.FFmpegError as error:
        raise UserError(f"{src.name} is not a video Baton can read.") from error
