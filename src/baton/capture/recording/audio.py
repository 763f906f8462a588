"""Narration sound: sources (microphone, test tone) and alignment to the video clock.

Audio chunks carry the clock time of their first sample. ``AudioAligner`` turns them into
one contiguous track whose sample ``n`` plays at recording second ``n / rate``: it inserts
silence when the source fell behind and drops samples when it ran ahead, so the sound
never drifts from the picture by more than the tolerance, however long the recording.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from baton.errors import UserError

log = logging.getLogger("baton.capture")

Samples = npt.NDArray[np.float32]
"""Float samples in -1..1, shape ``(frames, channels)``."""
DRIFT_TOLERANCE = 0.02


@dataclass(frozen=True)
class AudioChunk:
    """Samples captured together; ``time`` is the clock reading of the first one."""

    samples: Samples
    time: float


ChunkHandler = Callable[[AudioChunk], None]


class AudioSource(Protocol):
    """Delivers chunks of sound from its own thread between ``start`` and ``stop``."""

    sample_rate: int
    channels: int

    def start(self, deliver: ChunkHandler) -> None:
        """Start delivering chunks.

        Raises:
            UserError: no sound can be captured (the recorder then records silently).
        """

    def stop(self) -> None:
        """Stop delivering; no chunk is delivered after this returns."""


class ToneSource:
    """A sine tone delivered in real time, stamped by the injected clock (for tests)."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        frequency: float = 440.0,
        sample_rate: int = 48_000,
        chunk_seconds: float = 0.02,
        amplitude: float = 0.3,
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = 1
        self._clock = clock
        self._frequency = frequency
        self._chunk = max(1, round(sample_rate * chunk_seconds))
        self._amplitude = amplitude
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, deliver: ChunkHandler) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(deliver,), name="baton-tone", daemon=True
        )
        self._thread.start()

    def _run(self, deliver: ChunkHandler) -> None:
        started = self._clock()
        sent = 0
        while not self._stop.is_set():
            due = started + (sent + self._chunk) / self.sample_rate
            wait = due - self._clock()
            if wait > 0 and self._stop.wait(wait):
                break
            index = np.arange(sent, sent + self._chunk, dtype=np.float64)
            wave = self._amplitude * np.sin(2 * np.pi * self._frequency * index / self.sample_rate)
            deliver(AudioChunk(wave.astype(np.float32)[:, None], started + sent / self.sample_rate))
            sent += self._chunk

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None


class MicrophoneSource:
    """The default input device through sounddevice (PortAudio), imported only when used."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        sample_rate: int = 48_000,
        channels: int = 1,
        device: int | str | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._clock = clock
        self._device = device
        self._stream: Any = None

    def start(self, deliver: ChunkHandler) -> None:
        try:
            sounddevice: Any = importlib.import_module("sounddevice")
        except (ImportError, OSError) as error:
            raise UserError(
                "Recording without sound: the sound library (sounddevice with PortAudio) "
                "is not installed."
            ) from error

        def callback(data: Any, frames: int, _time: Any, _status: Any) -> None:
            # The first sample was captured about one buffer ago.
            started = self._clock() - frames / self.sample_rate
            deliver(AudioChunk(np.array(data, dtype=np.float32, copy=True), started))

        try:
            if self._device is None and not any(
                device.get("max_input_channels", 0) > 0 for device in sounddevice.query_devices()
            ):
                raise UserError("Recording without sound: no microphone was found.")
            self._stream = sounddevice.InputStream(
                samplerate=self.sample_rate,
                channels=self.channels,
                dtype="float32",
                device=self._device,
                callback=callback,
            )
            self._stream.start()
        except sounddevice.PortAudioError as error:
            self._stream = None
            raise UserError(
                f"Recording without sound: the microphone cannot be opened ({error})."
            ) from error

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class AudioAligner:
    """Turns time-stamped chunks into a contiguous track locked to recording time."""

    def __init__(self, sample_rate: int, channels: int, tolerance: float = DRIFT_TOLERANCE):
        self.sample_rate = sample_rate
        self.channels = channels
        self._tolerance = round(tolerance * sample_rate)
        self.position = 0
        """Samples emitted so far (the track's length)."""

    def feed(self, samples: Samples, start: float) -> Samples:
        """Align a chunk whose first sample belongs at recording second ``start``.

        Returns:
            The samples to append to the track (possibly with leading silence, possibly
            shortened, possibly empty).
        """
        expected = round(start * self.sample_rate)
        gap = expected - self.position
        if gap > self._tolerance or (self.position == 0 and gap > 0):
            samples = np.concatenate([self.silence(gap), samples])
        elif gap < -self._tolerance:
            samples = samples[min(-gap, len(samples)):]
        self.position += len(samples)
        return samples

    def finish(self, end: float) -> Samples:
        """Silence that pads the track to recording second ``end`` (empty if long enough)."""
        missing = round(end * self.sample_rate) - self.position
        padding = self.silence(max(0, missing))
        self.position += len(padding)
        return padding

    def silence(self, frames: int) -> Samples:
        return np.zeros((max(0, frames), self.channels), np.float32)


class Narration:
    """One recording's sound: kept while it records, stamped with recording time, aligned.

    The source delivers on its own thread; the encoder's thread takes the aligned samples
    (``take``, then ``finish`` at the end).

    Args:
        source: the microphone (or a test tone).
        recording_time: turns a clock reading into recording seconds (pauses excluded).
        keeping: whether sound is kept right now (False while paused or stopping).
    """

    def __init__(
        self,
        source: AudioSource,
        recording_time: Callable[[float], float],
        keeping: Callable[[], bool],
    ) -> None:
        self.source = source
        self._recording_time = recording_time
        self._keeping = keeping
        self._chunks: queue.Queue[AudioChunk] = queue.Queue()
        self._aligner = AudioAligner(source.sample_rate, source.channels)
        self.level = 0.0
        """Latest peak level 0..1, for a meter."""

    def start(self) -> None:
        """Start the source.

        Raises:
            UserError: no sound can be captured (the recording goes on silently).
        """
        self.source.start(self._deliver)

    def stop(self) -> None:
        self.source.stop()

    def take(self) -> list[Samples]:
        """The aligned samples of the chunks delivered since the last call."""
        aligned: list[Samples] = []
        while True:
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                return aligned
            aligned.append(self._aligner.feed(chunk.samples, chunk.time))

    def finish(self, end: float) -> list[Samples]:
        """The rest, padded with silence to recording second ``end``."""
        return [*self.take(), self._aligner.finish(end)]

    def _deliver(self, chunk: AudioChunk) -> None:
        if not self._keeping():
            return
        self.level = level(chunk.samples)
        self._chunks.put(AudioChunk(chunk.samples, self._recording_time(chunk.time)))


def level(samples: Samples) -> float:
    """Peak level 0..1 of a chunk, for the recording bar's meter."""
    if samples.size == 0:
        return 0.0
    return float(min(1.0, np.max(np.abs(samples))))
