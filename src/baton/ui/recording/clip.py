"""A finished recording's kept range and destination, and small helpers (no Qt Multimedia)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from baton.handoff.video_plan import TimedBox


@dataclass(frozen=True)
class ReviewChoice:
    """What the user decided: the kept range, where the recording goes, what it hides.

    ``redactions`` are in the untrimmed recording's time (``kept_redactions`` shifts them).
    """

    start: float
    end: float
    duration: float
    process_id: int | None  # None: make a new process titled ``new_title``
    new_title: str
    redactions: tuple[TimedBox, ...] = ()

    def kept_redactions(self) -> list[TimedBox]:
        """The boxes in the kept video's time (cut to it; those outside it dropped)."""
        kept = []
        for box in self.redactions:
            start = max(box.start, self.start) - self.start
            end = self.end if box.end is None else min(box.end, self.end)
            if end - self.start <= start:
                continue
            until = None if end >= self.end - 0.05 else end - self.start
            kept.append(TimedBox(box.x, box.y, box.w, box.h, round(start, 3),
                                 None if until is None else round(until, 3)))
        return kept

    @property
    def trimmed(self) -> bool:
        return self.start > 0.05 or self.end < self.duration - 0.05


def probe_duration(video: Path) -> float:
    """How long a video file is, in seconds."""
    import av

    from baton.errors import UserError

    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return float(container.duration or 0) / 1_000_000
    except (av.error.FFmpegError, IndexError):
        raise UserError(f"{video.name} is not a video Baton can read.") from None


def seconds_text(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"
