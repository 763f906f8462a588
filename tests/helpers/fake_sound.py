"""A microphone as PortAudio presents it, simulated (``helpers.fake_sound``).

The sound card's sample clock runs off nominal (``skew``), its stream times are on a clock
with another epoch, the driver holds each buffer back by an input latency, and under load
callbacks come late and then in a burst. ``MicrophoneSource(open_stream=device)`` opens it
exactly as it opens ``sounddevice.InputStream``.

The narration is a quiet tone with a loud short burst at every whole second of the
recorder's clock, so a test can see where each second ended up in the track.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

BURST_SECONDS = 0.004
BURST_HZ = 3000.0


def narration(times: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The sound captured at recorder-clock ``times``: a 220 Hz hum, a burst each second."""
    hum = 0.1 * np.sin(2 * np.pi * 220.0 * times)
    phase = np.mod(times, 1.0)
    inside = phase < BURST_SECONDS
    window = np.where(inside, np.sin(np.pi * phase / BURST_SECONDS) ** 2, 0.0)
    burst = 0.8 * window * np.sin(2 * np.pi * BURST_HZ * times)
    return (hum + burst).astype(np.float32)


def burst_onsets(track: np.ndarray[Any, Any], rate: int, threshold: float = 0.4) -> list[float]:
    """Where the bursts start in a track, in seconds (at most one per second)."""
    loud = np.flatnonzero(np.abs(track.reshape(-1)) > threshold)
    onsets: list[float] = []
    for index in loud:
        seconds = index / rate
        if not onsets or seconds - onsets[-1] > 0.5:
            onsets.append(seconds)
    return onsets


def ideal_onsets(rate: int, start: float, seconds: float) -> list[float]:
    """The same detection run over perfectly timed sound from recorder-clock ``start``."""
    times = start + np.arange(round(seconds * rate)) / rate
    return burst_onsets(narration(times), rate)


@dataclass(frozen=True)
class TimeInfo:
    """What sounddevice passes a callback as ``time``."""

    inputBufferAdcTime: float  # noqa: N815 - PortAudio's names
    currentTime: float  # noqa: N815
    outputBufferDacTime: float = 0.0  # noqa: N815


class SimClock:
    """A clock the simulation moves (the recorder's clock, in a test without waiting)."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class SkewedMicrophone:
    """A simulated PortAudio input stream.

    Args:
        clock: the recorder's clock; the device's first sample is captured when
            ``start`` reads it.
        skew: how fast the sample clock runs (0.002: 48,096 samples per real second).
        latency: how long the driver holds a buffer before the callback may run.
        late_every: every n-th callback is held back ``late_seconds`` (0: never).
        gil_wait: at most this long between PortAudio's time and the callback's first line.
        adc_times: whether the host API reports ADC times (False: zeros, as some do).
        lose: (when, seconds): the device loses that much sound that long after start.
        real_time: callbacks come from a thread at their times on ``clock`` (else the
            test delivers them with ``run_until``).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        rate: int = 48_000,
        block: int = 480,
        skew: float = 0.0,
        latency: float = 0.025,
        late_every: int = 0,
        late_seconds: tuple[float, float] = (0.03, 0.25),
        gil_wait: float = 0.004,
        adc_times: bool = True,
        lose: tuple[float, float] | None = None,
        epoch: float = 7_000.0,
        seed: int = 1,
        real_time: bool = False,
    ) -> None:
        self.clock = clock
        self.rate = rate
        self.block = block
        self.skew = skew
        self.latency = latency
        self.late_every = late_every
        self.late_seconds = late_seconds
        self.gil_wait = gil_wait
        self.adc_times = adc_times
        self.lose = lose
        self.epoch = epoch  # the stream clock reads the recorder's clock plus this
        self.real_time = real_time
        self._rng = np.random.default_rng(seed)
        self._callback: Callable[[Any, int, Any, Any], None] | None = None
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.callbacks = 0

    # -- what sounddevice.InputStream offers ------------------------------------------

    def __call__(self, *, samplerate: int, channels: int, dtype: str, device: Any,
                 callback: Callable[[Any, int, Any, Any], None]) -> SkewedMicrophone:
        assert (samplerate, channels, dtype) == (self.rate, 1, "float32")
        self._callback = callback
        return self

    def start(self) -> None:
        self._started = self.clock()
        if self.real_time:
            self._run_in_real_time()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def close(self) -> None:
        return None

    # -- driving it ---------------------------------------------------------------------

    def schedule(self) -> Iterator[tuple[float, float, np.ndarray[Any, Any]]]:
        """(when the callback runs, when the first sample was captured, samples) in order."""
        real_rate = self.rate * (1.0 + self.skew)
        previous = self._started
        lost = 0.0
        index = 0
        while True:
            captured = self._started + lost + index * self.block / real_rate
            if self.lose is not None and lost == 0.0 and captured >= self._started + self.lose[0]:
                lost = self.lose[1]  # an overflow: this much sound never reaches us
                continue
            times = captured + np.arange(self.block) / real_rate
            ready = times[-1] + 1.0 / real_rate + self.latency
            delay = float(self._rng.uniform(0, 0.002))
            if self.late_every and index % self.late_every == self.late_every - 1:
                delay = float(self._rng.uniform(*self.late_seconds))
            runs = max(ready + delay, previous + 0.0002)  # a backlog comes in a burst
            previous = runs
            index += 1
            yield runs, captured, narration(times)[:, None]

    def run_until(self, clock: SimClock, until: float) -> None:
        """Deliver every callback due before recorder-clock ``until`` (simulated time)."""
        if not hasattr(self, "_pending"):
            self._pending = self.schedule()
            self._next = next(self._pending)
        while self._next[0] < until:
            runs, captured, samples = self._next
            portaudio_now = runs + self.epoch
            clock.now = runs + float(self._rng.uniform(0, self.gil_wait))
            self._deliver(samples, captured + self.epoch, portaudio_now)
            self._next = next(self._pending)

    def _run_in_real_time(self) -> None:
        """Deliver callbacks from a thread at their times on the (real) clock."""
        def loop() -> None:
            for runs, captured, samples in self.schedule():
                wait = runs - self.clock()
                if wait > 0 and self._stop.wait(wait):
                    return
                if self._stop.is_set():
                    return
                self._deliver(samples, captured + self.epoch, runs + self.epoch)

        self._thread = threading.Thread(target=loop, name="fake-microphone", daemon=True)
        self._thread.start()

    def _deliver(self, samples: np.ndarray[Any, Any], adc: float, now: float) -> None:
        assert self._callback is not None
        info = TimeInfo(adc if self.adc_times else 0.0, now)
        self.callbacks += 1
        self._callback(samples, len(samples), info, None)
