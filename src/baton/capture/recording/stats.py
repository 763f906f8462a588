"""What a recording produced, as ``baton record --json`` prints it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RecordingStats:
    """What a recording produced; ``to_json`` is what ``baton record --json`` prints."""

    path: str
    frames_captured: int = 0
    frames_dropped: int = 0
    """Frame slots with no picture of their own (the one before lasts longer): the sum of
    ``dropped_late`` and ``dropped_encoder_busy``."""
    dropped_late: int = 0
    """Slots skipped because the capture thread came more than a frame period late
    (the process was not scheduled, or a grab took that long)."""
    dropped_encoder_busy: int = 0
    """Pictures not sent because the encoder still held every picture of the pool."""
    worst_delay_ms: float = 0.0
    """The longest a frame was grabbed after its time, in milliseconds."""
    frames_unchanged: int = 0
    """Frames identical to the one before, not encoded again (the video is as long)."""
    duration: float = 0.0
    size_bytes: int = 0
    fps: int = 0
    width: int = 0
    height: int = 0
    audio: bool = False
    audio_dropouts: int = 0
    """Breaks in the narration filled with silence or cut (0 unless the device failed)."""
    audio_offset_ms: float = 0.0
    """The largest distance between the narration and the picture, in milliseconds."""
    events: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
