"""Narration against the picture, through the real recorder and encoder, in real time.

The screen flashes white for the first 100 ms of every second of the clock and the
microphone (``fake_sound.SkewedMicrophone``: late callbacks, a 0.2% fast sample clock,
25 ms input latency) has a burst at the start of every second: in the MP4 each burst must
start within half a frame of where its flash began, before and after a pause, and each
flash must be shown from the frame its first grab filled.

The screen notes every grab: the recording second it happened at (asked of the recorder at
the same clock reading that decided the picture) and how long the flash had been lit. A
grab on a busy machine comes late and still fills its own slot (``Recorder``), so a frame
may show a flash that began after its timestamp (measured up to 20 ms with two busy
cores): comparing each burst with that frame's time instead failed about 1 run in 12
under load, and so did a recording that began inside a flash (a flash without its burst).
Start, pause, resume and stop now happen half a second from any flash.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from baton.capture.platform.screens import Region
from baton.capture.recording.audio import MicrophoneSource
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.video_settings import VideoSettings
from helpers.fake_sound import SkewedMicrophone, burst_onsets

REGION = Region(0, 0, 64, 48)
FPS = 30
LIT = 0.1
"""Seconds each flash lasts, from the start of every second of the clock."""


class HeldClock:
    """``time.monotonic``, which one thread can hold at a reading it took (so the recorder
    answers for that very moment; other threads go on reading the real clock)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self) -> float:
        held: float | None = getattr(self._local, "at", None)
        return time.monotonic() if held is None else held

    @contextmanager
    def held(self, at: float) -> Iterator[None]:
        self._local.at = at
        try:
            yield
        finally:
            self._local.at = None


@dataclass(frozen=True)
class Grab:
    """One grab: its recording second, and how long the flash had been lit (None: dark)."""

    at: float
    lit_for: float | None


class FlashingScreen:
    """White for the first 100 ms of each second of the clock, dark otherwise."""

    region = REGION

    def __init__(self, clock: HeldClock) -> None:
        self._clock = clock
        self.recording_second: Callable[[], float] | None = None
        self.grabs: list[Grab] = []

    def grab(self) -> np.ndarray[Any, Any]:
        now = self._clock()
        phase = now % 1.0
        if self.recording_second is not None:
            with self._clock.held(now):
                self.grabs.append(Grab(self.recording_second(), phase if phase < LIT else None))
        value = 255 if phase < LIT else 20
        return np.full((REGION.height, REGION.width, 4), value, np.uint8)

    def close(self) -> None:
        return None

    def flashes(self) -> list[tuple[float, float]]:
        """(recording second the flash began, recording second of the first grab that saw
        it) for each flash the recorder grabbed."""
        found = []
        previous: Grab | None = None
        for grab in self.grabs:
            if grab.lit_for is not None and previous is not None and previous.lit_for is None:
                found.append((grab.at - grab.lit_for, grab.at))
            previous = grab
        return found


def wait_until_mid_second(after: float) -> None:
    """Sleep until ``after`` seconds from now have passed and the clock is half way between
    two flashes."""
    earliest = time.monotonic() + after
    time.sleep(max(0.0, earliest - time.monotonic()) + (0.5 - earliest % 1.0) % 1.0)


def flash_onsets(path: Path) -> list[float]:
    """The times in the file of the frames where a flash begins."""
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


def test_each_burst_starts_where_its_flash_began(tmp_path: Path) -> None:
    out = tmp_path / "narrated.mp4"
    clock = HeldClock()
    screen = FlashingScreen(clock)
    microphone = SkewedMicrophone(clock, skew=0.002, late_every=15, real_time=True)
    audio = MicrophoneSource(clock, open_stream=microphone)
    recorder = Recorder(screen, out, VideoSettings(64, 48, FPS, "ultrafast", 23),
                        audio=audio, clock=clock)
    screen.recording_second = recorder.elapsed
    wait_until_mid_second(0.0)
    recorder.start()
    wait_until_mid_second(3.0)
    recorder.pause()
    wait_until_mid_second(0.8)  # a flash and a burst happen here and must leave no trace
    recorder.resume()
    wait_until_mid_second(3.0)
    stats = recorder.stop()

    shown = flash_onsets(out)
    samples, first = audio_track(out)
    bursts = [first + onset for onset in burst_onsets(samples, 48_000)]
    grabbed = screen.flashes()
    assert stats.audio_dropouts == 0
    assert len(bursts) >= 5
    assert len(grabbed) >= 5
    assert len(shown) == len(grabbed), (shown, grabbed)  # every flash grabbed is in the MP4
    # The file's timeline runs a constant behind recording time after its first frame (the
    # muxer makes room for the sound encoder's 1024 priming samples, which decode as the
    # track's first 21 ms): frames stand at whole frame periods plus that shift.
    period = 1 / FPS
    shift = shown[0] % period
    shift = 0.0 if period - shift < 1e-6 else shift  # none, less a rounding error
    assert all(abs((onset - shift) / period - round((onset - shift) / period)) < 0.01
               for onset in shown), (shift, shown)
    # The picture: each flash is shown from the slot its first grab filled, never stamped
    # after that grab (a grab up to a period late fills its own slot).
    assert all(0 <= seen - (onset - shift) < 0.5 for (_began, seen), onset
               in zip(grabbed, shown, strict=True)), (grabbed, shown, shift)
    # The narration: each burst starts where its flash began, on recording time, within
    # half a frame (measured: 1-2 ms on a quiet machine, up to 5 ms early with two busy
    # cores). Late callbacks deliver the last burst after the stop: only flashes whose
    # burst had time to arrive are paired.
    heard = [burst - shift for burst in bursts]
    paired = [began for began, _seen in grabbed if began <= heard[-1] + 0.5]
    assert len(paired) >= len(grabbed) - 1, (grabbed, heard)
    gaps = [min(heard, key=lambda burst: abs(burst - began)) - began for began in paired]
    assert all(abs(gap) < period / 2 for gap in gaps), (gaps, paired, heard)
    assert stats.audio_offset_ms < 1000 / FPS
