"""Processes and their steps: create, edit, delete, find, and freeze versions."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
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
from baton.core.steps import StepContent, step_records
from baton.core.transaction import touch_process, transaction
from baton.core.versions import ProcessVersionRow, content_hash, snapshot_of, version_row
from baton.errors import ConflictError, NotFound, UserError

MAX_TITLE = 200
FREEZE_ATTEMPTS = 5
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
        if len(self.title) > MAX_TITLE:
            raise UserError(f"A process title can be at most {MAX_TITLE} characters.")
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
            counted = touch_process(
                session, process_id, times_done_myself=Process.times_done_myself + 1
            )
            if not counted:
                raise NotFound(f"No process with id {process_id}.")
            process = _get_process(session, process_id)
            session.refresh(process)
            return _row(process, _step_count(session, process.id))

    def mark_handed_off(self, process_id: int) -> ProcessRow:
        """A process was sent to someone: an idea or draft is ready now (others stay)."""
        with self._session() as session:
            process = _get_process(session, process_id)
            if process.status in (ProcessStatus.IDEA, ProcessStatus.DRAFT):
                process.status = ProcessStatus.READY
                session.flush()
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
            row = _recording(recording, self._clock())
            session.add(row)
            session.flush()
            process.recording_id = row.id
            process.updated_at = self._clock()
            session.flush()
            return _row(process, _step_count(session, process.id))

    def add_imported(
        self,
        draft: ProcessDraft,
        steps: Sequence[StepContent],
        recording: RecordingInfo | None = None,
    ) -> ProcessRow:
        """Add a process with its steps and recording at once (a package opened here).

        One transaction: on any error nothing is added. A title already in use gets
        " (imported)" added (" (imported 2)" and so on).

        Raises:
            UserError: the process or a step does not pass the usual checks.
        """
        draft.validate()
        records = step_records(steps)  # checked before anything is written
        now = self._clock()
        with self._session() as session:
            process = Process(
                title=_free_title(session, draft.title),
                times_done_myself=0,
                created_at=now,
                updated_at=now,
                **{name: getattr(draft, name) for name in PROCESS_FIELDS if name != "title"},
            )
            if recording is not None:
                process.recording = _recording(recording, now)
            session.add(process)
            session.flush()
            for step in records:
                step.process_id = process.id
            session.add_all(records)
            session.flush()
            return _row(process, len(records))

    # -- versions --------------------------------------------------------------------------

    def snapshot(self, process_id: int) -> dict[str, Any]:
        """The process as a plain dict: what a version freezes and a package contains."""
        with self._session() as session:
            return snapshot_of(_get_process(session, process_id))

    def freeze_version(self, process_id: int, changelog: str = "") -> ProcessVersionRow:
        """Freeze the process as a new version, or return the latest if nothing changed.

        Two owners freezing at once both want the next number: the one who comes second
        looks again (and gets the other's version when the content is the same).

        Raises:
            UserError: the race was lost again and again (one line; nothing was frozen).
        """
        for _attempt in range(FREEZE_ATTEMPTS):
            try:
                with self._session() as session:
                    version = self._pending(session, process_id, changelog)
                    if version.id is None:
                        session.add(version)
                        session.flush()
                    return version_row(version)
            except IntegrityError:  # another Baton took this version number just now
                continue
        raise UserError("Others froze versions of this process at the same moment again and "
                        "again; try sending it again.")

    def pending_version(self, process_id: int) -> ProcessVersionRow:
        """The version ``freeze_version`` would give now, without freezing anything: the
        latest if nothing changed, else a new one that is not saved (its ``id`` is 0)."""
        with self._session() as session:
            return version_row(self._pending(session, process_id, ""))

    def _pending(self, session: Session, process_id: int, changelog: str) -> ProcessVersion:
        process = _get_process(session, process_id)
        snapshot = snapshot_of(process)
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

    def versions(self, process_id: int) -> list[ProcessVersionRow]:
        """The frozen versions of a process, oldest first."""
        with self._session() as session:
            query = (select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                     .order_by(ProcessVersion.number))
            return [version_row(version) for version in session.scalars(query)]


def _free_title(session: Session, title: str) -> str:
    """``title``, or with " (imported)" (" (imported 2)" ...) added if it is taken."""
    taken = set(session.scalars(select(Process.title).where(Process.title.like(f"{title}%"))))
    if title not in taken:
        return title
    for number in range(1, 1000):
        suffix = " (imported)" if number == 1 else f" (imported {number})"
        candidate = title[: MAX_TITLE - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    return title


def _recording(info: RecordingInfo, now: datetime) -> Recording:
    return Recording(
        media=info.media,
        events_media=info.events_media,
        duration=info.duration,
        size=info.size,
        fps=info.fps,
        width=info.width,
        height=info.height,
        has_audio=info.has_audio,
        state=info.state,
        created_at=now,
    )


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
