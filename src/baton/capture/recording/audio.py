"""Narration sound: the sources (microphone, test tone) that deliver stamped chunks.

Each chunk carries the capture time of its first sample on the recorder's clock; the
microphone takes it from the sound card's own clock (``audio_timing.DeviceClock``), not from
when the callback happened to run. ``audio_timing.AudioAligner`` then makes one track of
them locked to the video's clock.
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

from baton.capture.recording.audio_timing import DeviceClock
from baton.errors import UserError

log = logging.getLogger("baton.capture")

Samples = npt.NDArray[np.float32]
"""Float samples in -1..1, shape ``(frames, channels)``."""


@dataclass(frozen=True)
class AudioChunk:
    """Samples captured together; ``time`` is the clock reading of the first one.

    ``exact`` says the time came from the device (False: from when the callback ran, which
    may be late); ``segment`` counts the pauses before the chunk (the recorder sets it).
    """

    samples: Samples
    time: float
    exact: bool = True
    segment: int = 0


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


StreamOpener = Callable[..., Any]
"""Opens an input stream the way ``sounddevice.InputStream`` does (keyword arguments
``samplerate``, ``channels``, ``dtype``, ``device``, ``callback``); tests inject a fake one."""


class MicrophoneSource:
    """The default input device through sounddevice (PortAudio), imported only when used.

    Args:
        clock: the recorder's clock (chunks are stamped on it).
        open_stream: opens the PortAudio stream (None: ``sounddevice.InputStream``).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        sample_rate: int = 48_000,
        channels: int = 1,
        device: int | str | None = None,
        open_stream: StreamOpener | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._clock = clock
        self._device = device
        self._open_stream = open_stream
        self._stream: Any = None

    def start(self, deliver: ChunkHandler) -> None:
        if self._open_stream is not None:
            self._start_stream(self._open_stream, deliver)
            return
        try:
            sounddevice: Any = importlib.import_module("sounddevice")
        except (ImportError, OSError) as error:
            raise UserError(
                "Recording without sound: the sound library (sounddevice with PortAudio) "
                "is not installed."
            ) from error
        try:
            if self._device is None and not any(
                device.get("max_input_channels", 0) > 0 for device in sounddevice.query_devices()
            ):
                raise UserError("Recording without sound: no microphone was found.")
            self._start_stream(sounddevice.InputStream, deliver)
        except sounddevice.PortAudioError as error:
            self._stream = None
            raise UserError(
                f"Recording without sound: the microphone cannot be opened ({error})."
            ) from error

    def _start_stream(self, open_stream: StreamOpener, deliver: ChunkHandler) -> None:
        device_clock = DeviceClock(self.sample_rate)

        def callback(data: Any, frames: int, times: Any, _status: Any) -> None:
            now = self._clock()
            stamp = device_clock.stamp(
                now,
                float(getattr(times, "inputBufferAdcTime", 0.0) or 0.0),
                float(getattr(times, "currentTime", 0.0) or 0.0),
                frames,
            )
            samples = np.array(data, dtype=np.float32, copy=True)
            deliver(AudioChunk(samples, stamp.time, stamp.exact))

        self._stream = open_stream(
            samplerate=self.sample_rate,
            channels=self.channels,
            dtype="float32",
            device=self._device,
            callback=callback,
        )
        latency = getattr(self._stream, "latency", 0.0)
        device_clock.latency = float(latency) if isinstance(latency, int | float) else 0.0
        self._stream.start()

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class Narration:
    """One recording's sound: kept while it records, placed on recording time, aligned.

    The source delivers on its own thread; the encoder's thread takes the aligned samples
    (``take``, then ``finish`` at the end). Chunks are placed on the recording's timeline
    by the encoder thread (``place``, which knows every pause up to a chunk's capture), from
    the device's own capture time when the source gives one.

    Args:
        source: the microphone (or a test tone).
        place: a capture time → (recording second, segment) or None if captured while paused
            (``RecordingClock.place``).
        paused: whether the recording is paused right now (the meter stops moving).
        stopping: whether the recording is stopping (nothing more is kept).
    """

    def __init__(
        self,
        source: AudioSource,
        place: Callable[[float], tuple[float, int] | None],
        paused: Callable[[], bool],
        stopping: Callable[[], bool],
    ) -> None:
        from baton.capture.recording.audio_timing import AudioAligner

        self.source = source
        self._place = place
        self._paused = paused
        self._stopping = stopping
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

    @property
    def dropouts(self) -> int:
        """Silences inserted or cuts made after the start (0 when the timing held)."""
        return int(self._aligner.dropouts)

    @property
    def worst_offset(self) -> float:
        """The largest distance in seconds between a sample's place and its capture time."""
        return float(self._aligner.worst_offset)

    def take(self) -> list[Samples]:
        """The aligned samples of the chunks delivered since the last call."""
        aligned: list[Samples] = []
        while True:
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                return aligned
            placed = self._place(chunk.time)
            if placed is None:  # captured while paused
                continue
            start, segment = placed
            aligned.append(self._aligner.feed(chunk.samples, start, chunk.exact, segment))

    def finish(self, end: float) -> list[Samples]:
        """The rest, padded with silence to recording second ``end``."""
        return [*self.take(), self._aligner.finish(end)]

    def _deliver(self, chunk: AudioChunk) -> None:
        if self._stopping():
            return
        if not self._paused():
            self.level = level(chunk.samples)
        self._chunks.put(chunk)


def level(samples: Samples) -> float:
    """Peak level 0..1 of a chunk, for the recording bar's meter."""
    if samples.size == 0:
        return 0.0
    return float(min(1.0, np.max(np.abs(samples))))
