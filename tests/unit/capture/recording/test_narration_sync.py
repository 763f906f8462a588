"""Narration against the picture, through the real recorder and encoder, in real time.

The screen flashes white for the first 100 ms of every second of the clock and the
microphone (``fake_sound.SkewedMicrophone``: late callbacks, a 0.2% fast sample clock,
25 ms input latency) has a burst at the start of every second: in the MP4 each burst must
start within one frame of its flash, before and after a pause.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from baton.capture.platform.screens import Region
from baton.capture.recording.audio import MicrophoneSource
from baton.capture.recording.encoder import VideoSettings
from baton.capture.recording.recorder import Recorder
from helpers.fake_sound import SkewedMicrophone, burst_onsets

REGION = Region(0, 0, 64, 48)
FPS = 30


class FlashingScreen:
    """White for the first 100 ms of each second of the clock, dark otherwise."""

    region = REGION

    def grab(self) -> np.ndarray[Any, Any]:
        value = 255 if time.monotonic() % 1.0 < 0.1 else 20
        return np.full((REGION.height, REGION.width, 4), value, np.uint8)

    def close(self) -> None:
        return None


def flash_onsets(path: Path) -> list[float]:
    onsets: list[float] = []
    lit = False
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            bright = float(frame.to_ndarray(format="gray").mean()) > 128
            if bright and not lit:
                onsets.append(float(frame.time))
            lit = bright
    return onsets


def audio_track(path: Path) -> tuple[np.ndarray[Any, Any], float]:
    """The decoded narration and the time of its first sample."""
    parts = []
    first: float | None = None
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            if first is None:
                first = float(frame.time)
            parts.append(frame.to_ndarray().reshape(-1))
    assert first is not None
    return np.concatenate(parts), first


def test_each_burst_starts_within_a_frame_of_its_flash(tmp_path: Path) -> None:
    out = tmp_path / "narrated.mp4"
    microphone = SkewedMicrophone(time.monotonic, skew=0.002, late_every=15, real_time=True)
    audio = MicrophoneSource(time.monotonic, open_stream=microphone)
    recorder = Recorder(FlashingScreen(), out, VideoSettings(64, 48, FPS, "ultrafast", 23),
                        audio=audio)
    recorder.start()
    time.sleep(3.3)
    recorder.pause()
    time.sleep(1.0)  # a flash and a burst happen here and must leave no trace
    recorder.resume()
    time.sleep(3.2)
    stats = recorder.stop()

    flashes = flash_onsets(out)
    samples, first = audio_track(out)
    bursts = [first + onset for onset in burst_onsets(samples, 48_000)]
    assert stats.audio_dropouts == 0
    assert len(bursts) >= 5
    assert len(flashes) >= 5
    frame = 1 / FPS
    # Each flash against the burst nearest to it. The flash shows in the first frame
    # grabbed after it began: up to a frame after the burst. (A frame dropped on a busy
    # machine can add one more to a flash; a burst still on its way when recording stops
    # has no flash: pairing by nearness allows for both.)
    # A flash in the last moments can beat its burst to the stop (the microphone delivers
    # late by design here): only flashes whose burst had time to arrive are paired.
    paired = [flash for flash in flashes if flash <= bursts[-1] + 0.5]
    assert len(paired) >= len(flashes) - 1, (flashes, bursts)
    gaps = [min(bursts, key=lambda burst: abs(burst - flash)) - flash for flash in paired]
    assert all(-2 * frame - 0.004 < gap < 0.004 for gap in gaps), (flashes, bursts)
    assert sum(-frame - 0.004 < gap < 0.004 for gap in gaps) >= 0.8 * len(gaps), gaps
    assert stats.audio_offset_ms < 1000 * frame
