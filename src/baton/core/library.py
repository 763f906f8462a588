"""Processes and their steps: create, edit, delete, find, and freeze versions."""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Audience,
    Complexity,
    Process,
    ProcessStatus,
    ProcessVersion,
    Recording,
    RecordingState,
    Step,
)
from baton.core.redactions import video_boxes
from baton.core.transaction import transaction
from baton.errors import ConflictError, NotFound, UserError

PROCESS_FIELDS = (
    "title",
    "summary",
    "audience",
    "complexity",
    "minutes_per_run",
    "runs_per_week",
    "status",
)


@dataclass(frozen=True)
class ProcessRow:
    """A process as views and the CLI show it (plain data, no session needed)."""

    id: int
    title: str
    summary: str
    audience: Audience
    complexity: Complexity
    minutes_per_run: int
    runs_per_week: float
    status: ProcessStatus
    times_done_myself: int
    step_count: int
    has_recording: bool
    row_version: int
    updated_at: str

    @property
    def hours_per_week(self) -> float:
        return self.minutes_per_run * self.runs_per_week / 60.0


@dataclass(frozen=True)
class RecordingInfo:
    """A finished recording to attach to a process."""

    media: str
    duration: float
    size: int
    fps: float
    width: int
    height: int
    has_audio: bool = False
    events_media: str | None = None
    state: RecordingState = RecordingState.COMPLETE


@dataclass
class ProcessDraft:
    """What a user types into the process form."""

    title: str
    summary: str = ""
    audience: Audience = Audience.INTERNAL
    complexity: Complexity = Complexity.SIMPLE
    minutes_per_run: int = 0
    runs_per_week: float = 0.0
    status: ProcessStatus = ProcessStatus.IDEA
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        self.title = self.title.strip()
        if not self.title:
            raise UserError("A process needs a title.")
        if len(self.title) > 200:
            raise UserError("A process title can be at most 200 characters.")
        if self.minutes_per_run < 0 or self.minutes_per_run > 24 * 60:
            raise UserError("Minutes per run must be between 0 and 1440.")
        if self.runs_per_week < 0 or self.runs_per_week > 1000:
            raise UserError("Runs per week must be between 0 and 1000.")


class Library:
    """The owner's processes. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This process")

    # -- processes -------------------------------------------------------------------------

    def add_process(self, draft: ProcessDraft) -> ProcessRow:
        draft.validate()
        now = self._clock()
        with self._session() as session:
            process = Process(
                title=draft.title,
                summary=draft.summary,
                audience=draft.audience,
                complexity=draft.complexity,
                minutes_per_run=draft.minutes_per_run,
                runs_per_week=draft.runs_per_week,
                status=draft.status,
                times_done_myself=0,
                created_at=now,
                updated_at=now,
            )
            session.add(process)
            session.flush()
            return _row(process, 0)

    def update_process(
        self, process_id: int, draft: ProcessDraft, *, expected_version: int | None = None
    ) -> ProcessRow:
        """Save the form; refuses if ``expected_version`` is stale (someone else saved)."""
        draft.validate()
        with self._session() as session:
            process = _get_process(session, process_id)
            if expected_version is not None and process.row_version != expected_version:
                raise ConflictError(
                    f"'{process.title}' was changed by someone else; reload it and try again."
                )
            for name in PROCESS_FIELDS:
                setattr(process, name, getattr(draft, name))
            process.updated_at = self._clock()
            session.flush()
            return _row(process, _step_count(session, process.id))

    def delete_process(self, process_id: int) -> None:
        with self._session() as session:
            session.delete(_get_process(session, process_id))

    def did_it_myself(self, process_id: int) -> ProcessRow:
        """Count one more time the owner did this process instead of handing it off.

        One atomic UPDATE, so two people pressing it at once both count.
        """
        with self._session() as session:
            done = session.execute(
                update(Process)
                .where(Process.id == process_id)
                .values(
                    times_done_myself=Process.times_done_myself + 1,
                    row_version=Process.row_version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound(f"No process with id {process_id}.")
            process = _get_process(session, process_id)
            session.refresh(process)
            return _row(process, _step_count(session, process.id))

    def get(self, process_id: int) -> ProcessRow:
        with self._session() as session:
            process = _get_process(session, process_id)
            return _row(process, _step_count(session, process.id))

    def find(self, reference: str) -> ProcessRow:
        """A process by id or exact title (the CLI's PROCESS argument)."""
        with self._session() as session:
            process = None
            if reference.isdigit():
                process = session.get(Process, int(reference))
            if process is None:
                matches = session.scalars(
                    select(Process).where(Process.title == reference)
                ).all()
                if len(matches) > 1:
                    raise UserError(
                        f"{len(matches)} processes are titled {reference!r}; use the id."
                    )
                process = matches[0] if matches else None
            if process is None:
                raise NotFound(f"No process with id or title {reference!r}.")
            return _row(process, _step_count(session, process.id))

    def list_processes(
        self, search: str = "", include_archived: bool = True, limit: int | None = None
    ) -> list[ProcessRow]:
        """Processes by title; ``search`` matches title or summary."""
        with self._session() as session:
            counts = (
                select(Step.process_id, func.count(Step.id).label("n"))
                .group_by(Step.process_id)
                .subquery()
            )
            query = (
                select(Process, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.process_id == Process.id)
                .order_by(func.lower(Process.title), Process.id)
            )
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    or_(
                        func.lower(Process.title).like(pattern),
                        func.lower(Process.summary).like(pattern),
                    )
                )
            if not include_archived:
                query = query.where(Process.status != ProcessStatus.ARCHIVED)
            if limit is not None:
                query = query.limit(limit)
            return [_row(process, count) for process, count in session.execute(query)]

    def attach_recording(self, process_id: int, recording: RecordingInfo) -> ProcessRow:
        """Make ``recording`` (already in the media store) this process's walkthrough video."""
        with self._session() as session:
            process = _get_process(session, process_id)
            row = Recording(
                media=recording.media,
                events_media=recording.events_media,
                duration=recording.duration,
                size=recording.size,
                fps=recording.fps,
                width=recording.width,
                height=recording.height,
                has_audio=recording.has_audio,
                state=recording.state,
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            process.recording_id = row.id
            process.updated_at = self._clock()
            session.flush()
            return _row(process, _step_count(session, process.id))

    # -- versions --------------------------------------------------------------------------

    def snapshot(self, process_id: int) -> dict[str, Any]:
        """The process as a plain dict: what a version freezes and a package contains."""
        with self._session() as session:
            return _snapshot(_get_process(session, process_id))

    def freeze_version(self, process_id: int, changelog: str = "") -> ProcessVersion:
        """Freeze the process as a new version, or return the latest if nothing changed."""
        with self._session() as session:
            version = self._pending(session, process_id, changelog)
            if version.id is None:
                session.add(version)
                session.flush()
            return version

    def pending_version(self, process_id: int) -> ProcessVersion:
        """The version ``freeze_version`` would give now, without freezing anything: the
        latest if nothing changed, else a new one that is not saved."""
        with self._session() as session:
            return self._pending(session, process_id, "")

    def _pending(self, session: Session, process_id: int, changelog: str) -> ProcessVersion:
        process = _get_process(session, process_id)
        snapshot = _snapshot(process)
        digest = content_hash(snapshot)
        latest = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.number.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.content_hash == digest:
            return latest
        return ProcessVersion(
            process_id=process_id,
            number=(latest.number + 1) if latest else 1,
            snapshot=snapshot,
            content_hash=digest,
            changelog=changelog.strip(),
            created_at=self._clock(),
        )

    def versions(self, process_id: int) -> list[ProcessVersion]:
        with self._session() as session:
            return list(
                session.scalars(
                    select(ProcessVersion)
                    .where(ProcessVersion.process_id == process_id)
                    .order_by(ProcessVersion.number)
                )
            )


def content_hash(snapshot: dict[str, Any]) -> str:
    encoded = json.dumps(snapshot, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _snapshot(process: Process) -> dict[str, Any]:
    recording = process.recording
    snapshot = {
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


def _get_process(session: Session, process_id: int) -> Process:
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"No process with id {process_id}.")
    return process


def _step_count(session: Session, process_id: int) -> int:
    return session.scalar(select(func.count(Step.id)).where(Step.process_id == process_id)) or 0


def _row(process: Process, step_count: int) -> ProcessRow:
    return ProcessRow(
        id=process.id,
        title=process.title,
        summary=process.summary,
        audience=process.audience,
        complexity=process.complexity,
        minutes_per_run=process.minutes_per_run,
        runs_per_week=process.runs_per_week,
        status=process.status,
        times_done_myself=process.times_done_myself,
        step_count=step_count,
        has_recording=process.recording_id is not None,
        row_version=process.row_version,
        updated_at=process.updated_at.isoformat(sep=" ", timespec="minutes"),
    )
