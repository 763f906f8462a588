"""Videos for tests: a small H.264 MP4 to feed Baton, and decoders to check what it wrote."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np


def make_mp4(
    path: Path,
    *,
    seconds: float = 3.0,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    faststart: bool = True,
) -> Path:
    """A small H.264 MP4 whose frames show their number (decodable, seekable, playable)."""
    width, height = size
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "g": str(fps)}
        for index in range(int(seconds * fps)):
            frame_image = np.full((height, width, 3), (index * 7) % 255, np.uint8)
            cv2.putText(frame_image, str(index), (20, height // 2), cv2.FONT_HERSHEY_SIMPLEX,
                        2.0, (255, 255, 255), 3)
            frame = av.VideoFrame.from_ndarray(frame_image, format="bgr24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@dataclass
class Decoded:
    """What a video file holds, as PyAV reads it."""

    codec: str
    width: int
    height: int
    duration: float
    frames: list[np.ndarray[Any, Any]]
    times: list[float]
    audio_codec: str | None
    audio_duration: float | None


def decode(path: Path, keep_frames: bool = True) -> Decoded:
    """Decode every video frame of ``path`` (as RGB arrays) and read the stream durations."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        frames: list[np.ndarray[Any, Any]] = []
        times: list[float] = []
        for frame in container.decode(video=0):
            times.append(float(frame.time))
            if keep_frames:
                frames.append(frame.to_ndarray(format="rgb24"))
        duration = float(video.duration * video.time_base) if video.duration else 0.0
        audio_duration = (
            float(audio.duration * audio.time_base) if audio and audio.duration else None
        )
        return Decoded(
            video.codec_context.name, video.width, video.height, duration, frames, times,
            audio.codec_context.name if audio else None, audio_duration,
        )


def ffprobe_duration(path: Path) -> float:
    """The container duration as ffprobe reports it (a reader independent of PyAV)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)], capture_output=True, text=True, check=True, timeout=30,
    )
    return float(result.stdout.strip())


def noisy_mp4(path: Path) -> Path:
    """Three seconds of noise at 320x240: a video that needs every byte it has."""
    rng = np.random.default_rng(1)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream: Any = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "10"}
        for index in range(30):
            frame = av.VideoFrame.from_ndarray(
                rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), format="bgr24"
            )
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path
