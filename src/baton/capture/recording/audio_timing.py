"""Narration timing: sound stamped by the device's clock, resampled onto the video's clock.

Two clocks disagree in every recording: the sound card's sample clock (its "48 kHz" is
48,004 or 47,995 in practice) and the computer's clock the video is stamped with. Audio
callbacks also arrive late under load, so the time a chunk *arrives* says little about when
it was *captured*.

- ``DeviceClock`` stamps each chunk with PortAudio's ADC time (when the sound card took the
  first sample, input latency included), mapped onto the recorder's clock.
- ``AudioAligner`` fits a line through those stamps (which sample was captured when) and
  resamples the sound so sample ``n`` of the track plays at recording second ``n / rate``.
  Small errors are steered out by stretching the sound by at most half a percent (inaudible)
  instead of inserting silence or cutting, so a late callback never causes a dropout. Only
  a real break (the device lost sound for a quarter of a second or more) is filled with
  silence or cut; ``dropouts`` counts those.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]
"""Float samples in -1..1, shape ``(frames, channels)``."""

CORRECTION_SECONDS = 1.0
"""An offset is steered out over about this long."""
MAX_STRETCH = 0.005
"""How much faster or slower than real time the sound may play while catching up (0.5%)."""
RESYNC_SECONDS = 0.25
"""An error this large is a break in the sound, not drift: silence or a cut fixes it."""
FIT_SECONDS = 30.0
"""How much history the line through the stamps is fitted to."""
LATE_QUANTILE = 10.0
"""Arrival stamps are only ever late: their line runs along the earliest ones."""
RATE_AFTER = 0.3
RATE_AFTER_LATE = 3.0
"""How much sound (seconds) the device's real rate is measured over before it is used."""
SETTLE_SECONDS = 0.2
"""Sound is held this long at the start (and after a pause or a break) so the first
stamps' jitter does not decide where it is placed."""


@dataclass(frozen=True)
class Stamp:
    """When a chunk's first sample was captured, on the recorder's clock.

    ``exact`` is True for device times (jitter well under a millisecond), False for the time
    the callback ran, which lateness skews.
    """

    time: float
    exact: bool


class DeviceClock:
    """Maps PortAudio's stream times onto the recorder's clock.

    PortAudio gives each callback the ADC time of its first sample and the stream's
    current time, both on PortAudio's clock. The recorder's clock is read in the callback;
    the difference between the two readings is the offset between the clocks plus however
    long the callback waited (for the GIL, say), so the smallest difference seen lately is
    the offset itself.
    """

    def __init__(self, sample_rate: int, latency: float = 0.0, window: int = 512) -> None:
        self.sample_rate = sample_rate
        self.latency = latency
        """The input latency the stream reports, for callbacks without an ADC time."""
        self._window = window
        self._count = 0
        self._offsets: deque[tuple[int, float]] = deque()  # increasing: a sliding minimum

    def stamp(self, now: float, adc_time: float, current_time: float, frames: int) -> Stamp:
        """The capture time of a chunk of ``frames`` samples on the recorder's clock.

        Args:
            now: the recorder's clock, read in the callback.
            adc_time: ``inputBufferAdcTime`` (0 when the host API does not tell).
            current_time: ``currentTime`` on the same clock as ``adc_time``.
            frames: samples in the chunk.
        """
        if adc_time > 0 and current_time > 0 and 0 <= current_time - adc_time < 2.0:
            return Stamp(adc_time + self._offset(now - current_time), True)
        # No device time: the chunk ended about when the callback ran, less the latency.
        return Stamp(now - frames / self.sample_rate - self.latency, False)

    def _offset(self, offset: float) -> float:
        self._count += 1
        while self._offsets and self._offsets[-1][1] >= offset:
            self._offsets.pop()
        self._offsets.append((self._count, offset))
        while self._offsets[0][0] <= self._count - self._window:
            self._offsets.popleft()
        return self._offsets[0][1]


class _Stamps:
    """The recent (input sample index, capture time, exact) triples, as numpy arrays."""

    def __init__(self) -> None:
        self.index = np.zeros(256, np.float64)
        self.time = np.zeros(256, np.float64)
        self.exact = np.zeros(256, np.bool_)
        self.first = self.end = 0

    def __len__(self) -> int:
        return self.end - self.first

    def clear(self) -> None:
        self.first = self.end = 0

    def add(self, index: int, time: float, exact: bool) -> None:
        if self.end == len(self.index):
            kept = slice(self.first, self.end)
            size = max(256, 2 * len(self))
            for name in ("index", "time", "exact"):
                old = getattr(self, name)
                new = np.zeros(size, old.dtype)
                new[: len(self)] = old[kept]
                setattr(self, name, new)
            self.first, self.end = 0, len(self)
        self.index[self.end], self.time[self.end], self.exact[self.end] = index, time, exact
        self.end += 1

    def forget_before(self, index: float) -> None:
        while len(self) > 2 and self.index[self.first] < index:
            self.first += 1

    def arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], bool]:
        kept = slice(self.first, self.end)
        return self.index[kept], self.time[kept], bool(self.exact[kept].all())


class AudioAligner:
    """Turns stamped chunks into one contiguous track locked to recording time.

    Args:
        sample_rate: the track's rate (and the source's nominal rate).
        channels: channels per sample.
        resync: an error above this many seconds is fixed with silence or a cut.
    """

    def __init__(self, sample_rate: int, channels: int, resync: float = RESYNC_SECONDS):
        self.sample_rate = sample_rate
        self.channels = channels
        self._resync = resync
        self.position = 0
        """Samples emitted so far (the track's length)."""
        self.dropouts = 0
        """Breaks filled with silence or cut after the start (0 on a healthy device)."""
        self.worst_offset = 0.0
        """The largest error between sound and clock once aligned, in seconds."""
        self._segment: int | None = None
        self._settling = True  # holding sound until the stamps pin down where it belongs
        self._counted = False  # whether the alignment after settling is a dropout
        self._buffer = np.zeros((0, channels), np.float32)
        self._buffer_start = 0  # input index of _buffer[0]
        self._received = 0  # input samples received so far
        self._read = 0.0  # input index (fractional) of the next output sample
        self._stamps = _Stamps()
        self._slope = 1.0 / sample_rate  # seconds per input sample
        self._intercept = 0.0  # capture time of input sample 0
        self._late_since: int | None = None

    # -- input ---------------------------------------------------------------------------

    def feed(
        self, samples: Samples, start: float, exact: bool = True, segment: int = 0
    ) -> Samples:
        """Add a chunk whose first sample was captured at recording second ``start``.

        Args:
            samples: the chunk.
            start: its capture time in recording seconds.
            exact: the stamp is a device time (False: an arrival time, possibly late).
            segment: increases after each pause; a new segment is aligned afresh (a cut
                at a pause is not heard as a dropout).

        Returns:
            The samples to append to the track (possibly empty).
        """
        out: list[Samples] = []
        if segment != self._segment:
            out.append(self._restart(counted=False))
            self._segment = segment
        elif not self._settling and self._is_break(start, exact):
            out.append(self._restart(counted=True))
        self._stamps.add(self._received, start, exact)
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float32, copy=False)])
        self._received += len(samples)
        self._fit()
        if self._settling:
            if (self._received - self._buffer_start) * self._slope < SETTLE_SECONDS:
                return _joined(out, self.channels)
            out.append(self._align())
        # Cubic interpolation looks two samples ahead: the last two wait for the next chunk.
        out.append(self._render(self._received - 3))
        return _joined(out, self.channels)

    def finish(self, end: float) -> Samples:
        """Everything still held, then silence up to recording second ``end``."""
        held = [self._align()] if self._settling and self._received > self._buffer_start else []
        held.append(self._render(self._received - 1))
        missing = round(end * self.sample_rate) - self.position
        padding = self.silence(max(0, missing))
        self.position += len(padding)
        return _joined([*held, padding], self.channels)

    def silence(self, frames: int) -> Samples:
        return np.zeros((max(0, frames), self.channels), np.float32)

    # -- timing --------------------------------------------------------------------------

    def _model(self, index: float) -> float:
        """When input sample ``index`` was captured, by the fitted line."""
        return self._intercept + self._slope * index

    def _is_break(self, start: float, exact: bool) -> bool:
        residual = start - self._model(self._received)
        if exact:
            return abs(residual) > self._resync
        # An arrival stamp may be late by any amount once; a break shows as stamps that
        # stay late (or any stamp early, which lateness cannot explain).
        if residual < -self._resync:
            return True
        if residual <= self._resync:
            self._late_since = None
            return False
        if self._late_since is None:
            self._late_since = self._received
        return self._received - self._late_since > self.sample_rate  # late for a second

    def _fit(self) -> None:
        """Refit the line through the recent stamps (its slope: the device's real rate)."""
        stamps = self._stamps
        stamps.forget_before(self._received - FIT_SECONDS / self._slope)
        index, times, exact = stamps.arrays()
        if len(index) == 0:
            return
        nominal = 1.0 / self.sample_rate
        # Device times pin the rate down within a fraction of a second; arrival times,
        # late by up to a few hundred milliseconds, need a few seconds.
        if (index[-1] - index[0]) * self._slope >= (RATE_AFTER if exact else RATE_AFTER_LATE):
            slope = _slope(index, times, exact, nominal)
            if abs(slope / nominal - 1.0) < 0.05:  # a real clock is off by far less
                self._slope = slope
        residuals = times - self._slope * index
        self._intercept = float(
            residuals.mean() if exact else np.percentile(residuals, LATE_QUANTILE)
        )

    # -- output --------------------------------------------------------------------------

    def _restart(self, counted: bool) -> Samples:
        """Play out what is held and start settling afresh (after a pause or a break)."""
        held = self._render(self._received - 1) if not self._settling else self.silence(0)
        if self._settling and self._received > self._buffer_start:
            held = _joined([self._align(), self._render(self._received - 1)], self.channels)
        self._stamps.clear()
        self._late_since = None
        self._buffer = self._buffer[:0]
        self._buffer_start = self._received
        self._read = float(self._received)
        self._settling, self._counted = True, counted
        return held

    def _align(self) -> Samples:
        """Place the first held sample where the fitted line says it was captured."""
        self._settling = False
        target = round(self._model(self._buffer_start) * self.sample_rate)
        gap = target - self.position
        if self._counted and abs(gap) > 1:
            self.dropouts += 1
        if gap >= 0:
            self._read = float(self._buffer_start)
            self.position += gap
            return self.silence(gap)
        # Sound from before the track's end (or before the video began): skipped.
        self._read = self._buffer_start - gap / (self._slope * self.sample_rate)
        return self.silence(0)

    def _render(self, last: float) -> Samples:
        """Output samples while the read position stays at or before input index ``last``."""
        base = 1.0 / (self._slope * self.sample_rate)  # input samples per output sample
        error = self._model(self._read) - self.position / self.sample_rate
        self.worst_offset = max(self.worst_offset, abs(error))
        stretch = float(np.clip(error / CORRECTION_SECONDS, -MAX_STRETCH, MAX_STRETCH))
        step = base * (1.0 - stretch)
        count = int(np.floor((last - self._read) / step)) + 1 if last >= self._read else 0
        if count <= 0:
            return self.silence(0)
        positions = self._read + step * np.arange(count, dtype=np.float64)
        out = _cubic(self._buffer, positions - self._buffer_start)
        self._read += step * count
        self.position += count
        keep_from = max(0, int(np.floor(self._read)) - 1 - self._buffer_start)
        self._buffer = self._buffer[keep_from:]
        self._buffer_start += keep_from
        return out


def _slope(
    index: npt.NDArray[np.float64], times: npt.NDArray[np.float64], exact: bool, nominal: float
) -> float:
    """Seconds per sample: least squares for device times; for arrival times, the line
    through the earliest stamp of each half (late stamps never pull it)."""
    if exact:
        centred = index - index.mean()
        return float((centred * (times - times.mean())).sum() / (centred**2).sum())
    residuals = times - nominal * index
    half = len(index) // 2
    first = int(np.argmin(residuals[:half]))
    second = half + int(np.argmin(residuals[half:]))
    return float((times[second] - times[first]) / (index[second] - index[first]))


def _cubic(buffer: Samples, positions: npt.NDArray[np.float64]) -> Samples:
    """Catmull-Rom interpolation of ``buffer`` at fractional ``positions`` (edges held)."""
    last = len(buffer) - 1
    whole = np.floor(positions).astype(np.int64)
    frac = (positions - whole).astype(np.float32)[:, None]
    p0 = buffer[np.clip(whole - 1, 0, last)]
    p1 = buffer[np.clip(whole, 0, last)]
    p2 = buffer[np.clip(whole + 1, 0, last)]
    p3 = buffer[np.clip(whole + 2, 0, last)]
    out = p1 + 0.5 * frac * (
        p2 - p0 + frac * (2 * p0 - 5 * p1 + 4 * p2 - p3 + frac * (3 * (p1 - p2) + p3 - p0))
    )
    return out.astype(np.float32, copy=False)


def _joined(parts: list[Samples], channels: int) -> Samples:
    parts = [part for part in parts if len(part)]
    if not parts:
        return np.zeros((0, channels), np.float32)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
