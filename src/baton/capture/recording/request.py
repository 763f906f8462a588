"""What the app's "New recording" form asks for (light: the form loads it at startup)."""

from __future__ import annotations

from dataclasses import dataclass

from baton.capture.platform.screens import Region


@dataclass(frozen=True)
class RecordingRequest:
    """What to record and how (what the app's "New recording" form collects)."""

    monitor: int | None = None
    region: Region | None = None
    fps: int = 30
    quality: str = "balanced"
    show_keys: bool = False
    watch_input: bool = True
    narration: bool = True
    microphone: str = ""  # the input device's name; "" is the system's default
    x264: tuple[str, int] | None = None
