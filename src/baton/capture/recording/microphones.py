"""Which microphones there are, and how loud the chosen one is (before recording starts).

The level is read through the same ``AudioSource`` protocol the recorder uses, so the meter
and the test show exactly what the recording would get; tests pass a synthetic source.
Microphones are remembered by name (device numbers change when one is plugged in).
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the sound code (numpy) loads when a microphone is opened, not before
    from baton.capture.recording.audio import AudioChunk, AudioSource

DEFAULT = ""
"""The name that means "the system's default microphone"."""


@dataclass(frozen=True)
class Microphone:
    """An input device: its name (``DEFAULT``: the system's default)."""

    name: str

    @property
    def label(self) -> str:
        return self.name or "The system's default microphone"


ListMicrophones = Callable[[], list[Microphone]]
OpenMicrophone = Callable[[Microphone], "AudioSource"]


def list_microphones() -> list[Microphone]:
    """The input devices PortAudio sees (empty when there is no sound library or card)."""
    try:
        sounddevice: Any = importlib.import_module("sounddevice")
        devices = sounddevice.query_devices()
    except Exception:  # noqa: BLE001 - no PortAudio, no sound server: simply no microphones
        return []
    names: list[Microphone] = []
    for device in devices:
        name = str(device.get("name", "")).strip()
        if device.get("max_input_channels", 0) > 0 and name and Microphone(name) not in names:
            names.append(Microphone(name))
    return names


def open_microphone(microphone: Microphone) -> AudioSource:
    """The recorder's own source for ``microphone`` (not started)."""
    from baton.capture.recording.audio import MicrophoneSource

    return MicrophoneSource(time.monotonic, device=microphone.name or None)


class LevelMeter:
    """Runs an audio source and keeps its level: now (for a meter) and the loudest so far."""

    def __init__(self, source: AudioSource) -> None:
        from baton.capture.recording.audio import level

        self._level = level
        self._source = source
        self._lock = threading.Lock()
        self._now = 0.0
        self._loudest = 0.0
        self._chunks = 0
        self.running = False

    def start(self) -> None:
        """Start listening.

        Raises:
            UserError: the microphone cannot be opened.
        """
        self._source.start(self._deliver)
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._source.stop()
            self.running = False

    def reset(self) -> None:
        """Forget the loudest level heard so far (a new test starts)."""
        with self._lock:
            self._loudest = 0.0
            self._chunks = 0

    @property
    def now(self) -> float:
        """The latest level, 0..1 (it falls back gently, as a meter's needle does)."""
        with self._lock:
            return self._now

    @property
    def loudest(self) -> float:
        with self._lock:
            return self._loudest

    @property
    def chunks(self) -> int:
        """How many pieces of sound arrived since the last reset."""
        with self._lock:
            return self._chunks

    def _deliver(self, chunk: AudioChunk) -> None:
        peak = self._level(chunk.samples)
        with self._lock:
            self._now = max(peak, self._now * 0.7)
            self._loudest = max(self._loudest, peak)
            self._chunks += 1


HEARD = 0.02  # -34 dBFS: speech at a normal distance is far above this; room hiss is below


def verdict(loudest: float, chunks: int) -> tuple[bool, str]:
    """Whether a test heard the owner, and what to tell them."""
    if chunks == 0:
        return False, ("No sound arrived from this microphone: check it is plugged in and "
                       "that the system has not muted it.")
    if loudest < HEARD:
        return False, ("Heard only silence: is the microphone muted, or is another one "
                       "picking up? Try again a little closer.")
    decibels = 20 * math.log10(max(loudest, 1e-6))
    return True, f"Heard you (loudest {decibels:.0f} dB). This microphone is ready."
