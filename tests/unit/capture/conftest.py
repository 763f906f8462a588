"""Helpers for the capture tests: decode what the recorder wrote, with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest


@dataclass
class Decoded:
    codec: str
    width: int
    height: int
    duration: float
    frames: list[np.ndarray[Any, Any]]
    times: list[float]
    audio_codec: str | None
    audio_duration: float | None


def decode(path: Path, keep_frames: bool = True) -> Decoded:
    """Decode every video frame (as RGB arrays) and read the stream durations."""
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


@pytest.fixture
def decoded() -> Any:
    return decode
