"""A library with a process, its steps and its recording, saved through Baton's own services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from baton.core.db import Database
from baton.core.library import Library, ProcessDraft, RecordingInfo
from baton.core.media import MediaStore
from baton.core.steps import StepContent, Steps
from baton.core.versions import ProcessVersionRow
from helpers.clock import TestClock
from helpers.images import Pixels, png_bytes, screenshot


@dataclass
class StepSpec:
    """A step to add: text, and optionally a screenshot, redactions and a video time."""

    title: str
    instruction: str = ""
    caution: str = ""
    image: Pixels | None = None
    redactions: list[Any] = field(default_factory=list)
    video_time: float | None = None
    click: tuple[int, int] | None = None


def seed_process(
    database: Database,
    media: MediaStore,
    *,
    title: str = "Send the invoices",
    steps: Sequence[StepSpec] = (),
    video: Path | None = None,
    summary: str = "Every Monday.",
) -> ProcessVersionRow:
    """Add a process with these steps (and recording) and freeze its first version.

    Args:
        database: The library's database.
        media: The library's media store (screenshots and the video go there).
        title: The process title.
        steps: The steps, in order.
        video: A 3 s, 320x240, 10 fps MP4 (as ``helpers.video.make_mp4`` makes) to attach.
        summary: The process summary.
    """
    clock = TestClock()
    library = Library(database.sessions, clock)
    row = library.add_process(
        ProcessDraft(title=title, summary=summary, minutes_per_run=30, runs_per_week=1)
    )
    saved = Steps(database.sessions, clock)
    for spec in steps:
        key = media.put_bytes(png_bytes(spec.image), "png") if spec.image is not None else None
        saved.add(row.id, StepContent(
            title=spec.title,
            instruction=spec.instruction,
            caution=spec.caution,
            screenshot=key,
            click_x=spec.click[0] if spec.click else None,
            click_y=spec.click[1] if spec.click else None,
            video_time=spec.video_time,
            redactions=tuple(spec.redactions),
        ))
    if video is not None:
        with av.open(str(video)) as opened:
            stream = opened.streams.video[0]
            duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
            width, height = stream.codec_context.width, stream.codec_context.height
        library.attach_recording(row.id, RecordingInfo(
            media=media.put_file(video), duration=duration, size=video.stat().st_size,
            fps=10.0, width=width, height=height,
        ))
    return library.freeze_version(row.id)


def standard_steps() -> list[StepSpec]:
    """Three steps: one redacted screenshot, one plain, one text-only."""
    return [
        StepSpec(
            "Open the billing page",
            "Go to Billing → Invoices.",
            image=screenshot(seed=1),
            video_time=0.5,
            click=(40, 50),
        ),
        StepSpec(
            "Export the list",
            "Click Export.\nChoose CSV.",
            caution="Never pick XLSX.",
            image=screenshot(seed=2, secret=(100, 60, 80, 40)),
            redactions=[{"x": 100, "y": 60, "w": 80, "h": 40}],
            video_time=1.5,
        ),
        StepSpec("Email it", "Send it to accounts@example.com.", video_time=2.5),
    ]


def fixed_receipt_key(handoff_id: int) -> str:
    """A fixed receipt key per handoff id, for packages built without a handoff row."""
    return f"{handoff_id:064x}"
