"""Test data for handoff tests: screenshots, a tiny H.264 video, a process with steps.

Plain functions (no fixtures) so the browser tests in tests/e2e can use them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.models import Process, ProcessVersion, Recording, RecordingState, Step

RED = (0, 0, 255)  # BGR


def fixed_receipt_key(handoff_id: int) -> str:
    """A fixed receipt key per handoff id, for packages built without a handoff row."""
    return f"{handoff_id:064x}"


def screenshot(
    width: int = 320,
    height: int = 200,
    seed: int = 0,
    secret: tuple[int, int, int, int] | None = None,
) -> np.ndarray[Any, Any]:
    """A distinctive BGR image; ``secret`` (x, y, w, h) is painted pure red."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    image[..., 1] = ((y * 255 // max(height - 1, 1)) + seed * 40).astype(np.uint8)
    image[..., 2] = 40
    cv2.putText(
        image, f"step {seed}", (10, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2
    )
    if secret is not None:
        sx, sy, sw, sh = secret
        image[sy : sy + sh, sx : sx + sw] = RED
    return image


def png_bytes(image: np.ndarray[Any, Any]) -> bytes:
    ok, buffer = cv2.imencode(".png", image)
    assert ok
    return bytes(buffer.tobytes())


def make_mp4(
    path: Path,
    *,
    seconds: float = 3.0,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    faststart: bool = True,
) -> Path:
    """A small H.264 MP4 whose frames show their number (decodable, seekable, playable)."""
    width, height = size
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "g": str(fps)}
        for index in range(int(seconds * fps)):
            frame_image = np.full((height, width, 3), (index * 7) % 255, np.uint8)
            cv2.putText(
                frame_image,
                str(index),
                (20, height // 2),
                cv2.FONT_HERSHEY_SIMPLEX,
                2.0,
                (255, 255, 255),
                3,
            )
            frame = av.VideoFrame.from_ndarray(frame_image, format="bgr24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@dataclass
class StepSpec:
    """A step to insert: text, and optionally a screenshot, redactions and a video time."""

    title: str
    instruction: str = ""
    caution: str = ""
    image: np.ndarray[Any, Any] | None = None
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
) -> ProcessVersion:
    """Add a process with these steps (and recording) and freeze its first version."""
    library = Library(database.sessions, lambda: datetime(2026, 3, 2, 9, 0))
    row = library.add_process(
        ProcessDraft(title=title, summary=summary, minutes_per_run=30, runs_per_week=1)
    )
    with database.sessions.begin() as session:
        process = session.get(Process, row.id)
        assert process is not None
        for position, spec in enumerate(steps, start=1):
            key = media.put_bytes(png_bytes(spec.image), "png") if spec.image is not None else None
            session.add(
                Step(
                    process_id=row.id,
                    position=position,
                    title=spec.title,
                    instruction=spec.instruction,
                    caution=spec.caution,
                    screenshot=key,
                    click_x=spec.click[0] if spec.click else None,
                    click_y=spec.click[1] if spec.click else None,
                    video_time=spec.video_time,
                    redactions=spec.redactions,
                    annotations=[],
                )
            )
        if video is not None:
            recording = Recording(
                media=media.put_file(video),
                duration=3.0,
                size=video.stat().st_size,
                fps=10.0,
                width=320,
                height=240,
                has_audio=False,
                state=RecordingState.COMPLETE,
                created_at=datetime(2026, 3, 2),
            )
            session.add(recording)
            session.flush()
            process.recording_id = recording.id
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
