"""Import a handoff package into this library as a new process (File → Open package).

The package goes through the same validation as ``package verify`` (``validation``), with
its screenshots and video written to a staging folder inside the media store as they
stream past. Only when every check passed are they moved into the store and the process,
its steps and its recording added in one transaction. A refused package leaves nothing in
the media store or the database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.media import MediaStore
from baton.core.models import (
    Audience,
    Complexity,
    Process,
    ProcessStatus,
    Recording,
    RecordingState,
    Step,
)
from baton.core.transaction import transaction
from baton.errors import UserError
from baton.handoff.manifest import Manifest
from baton.handoff.reader import DEFAULT_LIMITS, Limits
from baton.handoff.validation import CheckedPackage, checked_package

log = logging.getLogger("baton.handoff")

MAX_PROCESS_TITLE = 200
E = TypeVar("E", Audience, Complexity)


def import_package(
    path: Path,
    sessions: sessionmaker[Session],
    media: MediaStore,
    *,
    clock: Clock = utc_now,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """Add the process in a package to this library (as a new process, status ready).

    Screenshots come in as they are in the package (annotations and redactions already
    burned in, so the imported steps carry none), the video as the process's recording.
    A title already in use gets " (imported)" added.

    Returns:
        The new process's id.

    Raises:
        BadPackage: the package is not valid or intact (nothing is written then).
        UserError: the media folder or the database cannot be written.
    """
    try:
        media.root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"Cannot import into {media.root}: {error.strerror or error}.") from None
    with checked_package(path, limits, staging=media.root) as package:
        added: list[str] = []
        try:
            keys = _store(package, media, added)
            recording = _recording(package, keys, clock)
            return _add_process(sessions, package.manifest, keys, recording, clock)
        except BaseException:
            for key in added:  # stored by this import only: nothing refers to them
                media.path(key).unlink(missing_ok=True)
            raise


def _store(package: CheckedPackage, media: MediaStore, added: list[str]) -> dict[str, str]:
    """Move the staged files into the media store; returns their keys by package path."""
    keys: dict[str, str] = {}
    for name, staged in package.staged.items():
        kind = package.pictures[name].kind if name in package.pictures else "mp4"
        existed = f"{package.manifest.file(name).sha256}.{kind}" in media
        keys[name] = media.put_file(staged, kind)
        if not existed:
            added.append(keys[name])
    return keys


def _recording(package: CheckedPackage, keys: dict[str, str], clock: Clock) -> Recording | None:
    manifest = package.manifest
    if manifest.video is None or package.video is None:
        return None
    info = package.video
    return Recording(
        media=keys[manifest.video],
        duration=info.duration,
        size=manifest.file(manifest.video).bytes,
        fps=info.fps,
        width=info.width,
        height=info.height,
        has_audio=info.has_audio,
        state=RecordingState.COMPLETE,
        created_at=clock(),
    )


def _add_process(
    sessions: sessionmaker[Session],
    manifest: Manifest,
    keys: dict[str, str],
    recording: Recording | None,
    clock: Clock,
) -> int:
    info = manifest.process
    now = clock()
    with transaction(sessions, "The imported process") as session:
        title = _free_title(session, info.title.strip()[:MAX_PROCESS_TITLE] or "Imported process")
        if recording is not None:
            session.add(recording)
            session.flush()
        process = Process(
            title=title,
            summary=info.summary,
            audience=_enum(Audience, info.audience, Audience.INTERNAL),
            complexity=_enum(Complexity, info.complexity, Complexity.SIMPLE),
            minutes_per_run=info.minutes_per_run,
            runs_per_week=info.runs_per_week,
            status=ProcessStatus.READY,
            times_done_myself=0,
            recording_id=recording.id if recording is not None else None,
            created_at=now,
            updated_at=now,
        )
        session.add(process)
        session.flush()
        for step in manifest.steps:
            session.add(
                Step(
                    process_id=process.id,
                    position=step.position,
                    title=step.title,
                    instruction=step.instruction,
                    caution=step.caution,
                    screenshot=keys.get(step.screenshot) if step.screenshot else None,
                    click_x=step.click[0] if step.click else None,
                    click_y=step.click[1] if step.click else None,
                    video_time=step.video_time,
                    redactions=[],
                    annotations=[],  # already drawn into the imported screenshot
                )
            )
        session.flush()
        log.info("imported package %s as process %d", manifest.package_id, process.id)
        return process.id


def _free_title(session: Session, title: str) -> str:
    taken = set(session.scalars(select(Process.title).where(Process.title.like(f"{title}%"))))
    if title not in taken:
        return title
    for number in range(1, 1000):
        suffix = " (imported)" if number == 1 else f" (imported {number})"
        candidate = title[: MAX_PROCESS_TITLE - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    return title


def _enum(kind: type[E], value: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default
