"""Process versions: what a version freezes (the snapshot), its content hash, its row.

A version is an immutable snapshot of a process as it was handed off; two snapshots with
the same content hash are the same version (freezing again without a change gives the
latest one back).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baton.core.models import Process, ProcessVersion
from baton.core.redactions import video_boxes


@dataclass(frozen=True)
class ProcessVersionRow:
    """A frozen process version (plain data, no session needed).

    ``id`` is 0 for a version that ``Library.pending_version`` would freeze but that is not
    saved yet.
    """

    id: int
    process_id: int
    number: int
    snapshot: dict[str, Any]
    content_hash: str
    changelog: str
    created_at: datetime


def content_hash(snapshot: dict[str, Any]) -> str:
    """The SHA-256 of a snapshot's canonical JSON (its identity as a version)."""
    encoded = json.dumps(snapshot, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def version_row(version: ProcessVersion) -> ProcessVersionRow:
    return ProcessVersionRow(
        id=version.id or 0,
        process_id=version.process_id,
        number=version.number,
        snapshot=version.snapshot,
        content_hash=version.content_hash,
        changelog=version.changelog,
        created_at=version.created_at,
    )


def snapshot_of(process: Process) -> dict[str, Any]:
    """The process as a plain dict: what a version freezes and a package contains."""
    recording = process.recording
    snapshot: dict[str, Any] = {
        "process_id": process.id,
        "title": process.title,
        "summary": process.summary,
        "audience": process.audience.value,
        "complexity": process.complexity.value,
        "minutes_per_run": process.minutes_per_run,
        "runs_per_week": process.runs_per_week,
        "recording": recording.media if recording is not None else None,
        "steps": [
            {
                "id": step.id,
                "position": step.position,
                "title": step.title,
                "instruction": step.instruction,
                "caution": step.caution,
                "screenshot": step.screenshot,
                "click": [step.click_x, step.click_y] if step.click_x is not None else None,
                "video_time": step.video_time,
                "redactions": step.redactions,
                "annotations": step.annotations,
            }
            for step in process.steps
        ],
    }
    # Only when there are some: versions frozen before video redactions keep their hash.
    boxes = video_boxes(process)
    if boxes:
        snapshot["video_redactions"] = boxes
    return snapshot
