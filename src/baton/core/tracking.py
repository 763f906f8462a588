"""Assistants and handoffs: who holds which process version, and how it is going."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Arrangement,
    Assistant,
    Engagement,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    Process,
    ProcessVersion,
)
from baton.core.transaction import transaction
from baton.errors import ConflictError, NotFound, UserError

HIRED_VIA_SUGGESTIONS = ("Upwork", "Indeed", "OnlineJobs.ph", "Fiverr", "Referral", "Agency")


@dataclass(frozen=True)
class AssistantRow:
    id: int
    name: str
    email: str
    arrangement: Arrangement
    engagement: Engagement
    hired_via: str
    time_zone: str
    started_on: date | None
    notes: str
    active: bool
    handoff_count: int
    row_version: int


@dataclass
class AssistantDraft:
    """What a user types into the assistant form."""

    name: str
    email: str = ""
    arrangement: Arrangement = Arrangement.ON_SITE
    engagement: Engagement = Engagement.PART_TIME
    hired_via: str = ""
    time_zone: str = ""
    started_on: date | None = None
    notes: str = ""
    active: bool = True

    def validate(self) -> None:
        self.name = self.name.strip()
        self.email = self.email.strip()
        if not self.name:
            raise UserError("An assistant needs a name.")
        if len(self.name) > 200:
            raise UserError("An assistant's name can be at most 200 characters.")
        if self.email and ("@" not in self.email or " " in self.email):
            raise UserError(f"{self.email!r} does not look like an email address.")


@dataclass(frozen=True)
class HandoffRow:
    id: int
    process_id: int
    process_title: str
    version_number: int
    assistant_id: int
    assistant_name: str
    sent_at: datetime
    due_on: date | None
    status: HandoffStatus
    last_event_at: datetime

    def is_overdue(self, today: date) -> bool:
        return (
            self.due_on is not None
            and self.due_on < today
            and self.status not in (HandoffStatus.INDEPENDENT, HandoffStatus.REVOKED)
        )


FIELDS = (
    "name",
    "email",
    "arrangement",
    "engagement",
    "hired_via",
    "time_zone",
    "started_on",
    "notes",
    "active",
)


class Tracking:
    """Assistants, handoffs and the figures on the dashboard."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self, what: str = "This assistant") -> AbstractContextManager[Session]:
        return transaction(self._sessions, what)

    # -- assistants ------------------------------------------------------------------------

    def add_assistant(self, draft: AssistantDraft) -> AssistantRow:
        draft.validate()
        with self._session() as session:
            assistant = Assistant(created_at=self._clock())
            for name in FIELDS:
                setattr(assistant, name, getattr(draft, name))
            session.add(assistant)
            session.flush()
            return _assistant_row(assistant, 0)

    def update_assistant(
        self, assistant_id: int, draft: AssistantDraft, *, expected_version: int | None = None
    ) -> AssistantRow:
        draft.validate()
        with self._session() as session:
            assistant = _get_assistant(session, assistant_id)
            if expected_version is not None and assistant.row_version != expected_version:
                raise ConflictError(
                    f"{assistant.name} was changed by someone else; reload and try again."
                )
            for name in FIELDS:
                setattr(assistant, name, getattr(draft, name))
            session.flush()
            return _assistant_row(assistant, _handoff_count(session, assistant.id))

    def delete_assistant(self, assistant_id: int) -> None:
        with self._session() as session:
            session.delete(_get_assistant(session, assistant_id))

    def get_assistant(self, assistant_id: int) -> AssistantRow:
        with self._session() as session:
            assistant = _get_assistant(session, assistant_id)
            return _assistant_row(assistant, _handoff_count(session, assistant.id))

    def find_assistant(self, reference: str) -> AssistantRow:
        """An assistant by id or exact name (the CLI's ASSISTANT argument)."""
        with self._session() as session:
            assistant = session.get(Assistant, int(reference)) if reference.isdigit() else None
            if assistant is None:
                matches = session.scalars(
                    select(Assistant).where(Assistant.name == reference)
                ).all()
                if len(matches) > 1:
                    raise UserError(
                        f"{len(matches)} assistants are named {reference!r}; use the id."
                    )
                assistant = matches[0] if matches else None
            if assistant is None:
                raise NotFound(f"No assistant with id or name {reference!r}.")
            return _assistant_row(assistant, _handoff_count(session, assistant.id))

    def list_assistants(self, search: str = "") -> list[AssistantRow]:
        with self._session() as session:
            counts = (
                select(Handoff.assistant_id, func.count(Handoff.id).label("n"))
                .group_by(Handoff.assistant_id)
                .subquery()
            )
            query = (
                select(Assistant, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.assistant_id == Assistant.id)
                .order_by(func.lower(Assistant.name), Assistant.id)
            )
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    or_(
                        func.lower(Assistant.name).like(pattern),
                        func.lower(Assistant.email).like(pattern),
                        func.lower(Assistant.hired_via).like(pattern),
                    )
                )
            return [_assistant_row(a, n) for a, n in session.execute(query)]

    # -- handoffs --------------------------------------------------------------------------

    def create_handoff(
        self,
        version_id: int,
        assistant_id: int,
        *,
        due_on: date | None = None,
        package_hash: str = "",
        note: str = "",
    ) -> HandoffRow:
        """Record that a process version was sent to an assistant."""
        now = self._clock()
        with self._session("This handoff") as session:
            version = session.get(ProcessVersion, version_id)
            if version is None:
                raise NotFound(f"No process version with id {version_id}.")
            _get_assistant(session, assistant_id)
            handoff = Handoff(
                version_id=version_id,
                assistant_id=assistant_id,
                sent_at=now,
                last_activity_at=now,
                due_on=due_on,
                status=HandoffStatus.SENT,
                package_hash=package_hash,
            )
            session.add(handoff)
            session.flush()
            session.add(
                HandoffEvent(handoff_id=handoff.id, at=now, kind=EventKind.SENT, note=note, data={})
            )
            session.flush()
            return self._handoff_row(session, handoff.id)

    def add_event(
        self,
        handoff_id: int,
        kind: EventKind,
        note: str = "",
        *,
        new_status: HandoffStatus | None = None,
        step_position: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> HandoffRow:
        """Put an event on a handoff's timeline, optionally moving its status."""
        with self._session("This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff with id {handoff_id}.")
            if handoff.status is HandoffStatus.REVOKED and kind is not EventKind.NOTE:
                raise UserError("This handoff was revoked; send the process again instead.")
            if HandoffStatus.PREPARING in (handoff.status, new_status):  # sending's own state
                raise UserError("This handoff is not sent yet: its package is being written.")
            now = self._clock()
            event = HandoffEvent(
                handoff_id=handoff_id,
                at=now,
                kind=kind,
                note=note,
                step_position=step_position,
                data=dict(data or {}),
            )
            session.add(event)
            handoff.last_activity_at = now
            if new_status is not None and new_status is not handoff.status:
                event.data = {**event.data, "from": handoff.status.value, "to": new_status.value}
                handoff.status = new_status
            session.flush()
            return self._handoff_row(session, handoff_id)

    def check_in(
        self, handoff_id: int, status: HandoffStatus | None = None, note: str = ""
    ) -> HandoffRow:
        """The owner checked in with the assistant; optionally move the handoff along."""
        return self.add_event(handoff_id, EventKind.CHECK_IN, note.strip(), new_status=status)

    def revoke(self, handoff_id: int, note: str = "") -> HandoffRow:
        """Take the handoff back: later receipts for it are refused."""
        return self.add_event(
            handoff_id, EventKind.STATUS_CHANGE, note.strip(), new_status=HandoffStatus.REVOKED
        )

    def set_due(self, handoff_id: int, due_on: date | None) -> HandoffRow:
        """When to check in next (overdue ones surface on the dashboard)."""
        with self._session("This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff with id {handoff_id}.")
            handoff.due_on = due_on
            session.flush()
            return self._handoff_row(session, handoff_id)

    def set_package_hash(self, handoff_id: int, package_hash: str) -> None:
        """Remember which package file was sent (its SHA-256)."""
        with self._session("This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff with id {handoff_id}.")
            handoff.package_hash = package_hash

    def delete_handoff(self, handoff_id: int) -> None:
        """Remove a handoff whose package could not be made (nothing was sent)."""
        with self._session("This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is not None:
                session.delete(handoff)

    def events(self, handoff_id: int) -> list[HandoffEvent]:
        with self._session("This handoff") as session:
            return list(
                session.scalars(
                    select(HandoffEvent)
                    .where(HandoffEvent.handoff_id == handoff_id)
                    .order_by(HandoffEvent.at, HandoffEvent.id)
                )
            )

    def get_handoff(self, handoff_id: int) -> HandoffRow:
        with self._session("This handoff") as session:
            return self._handoff_row(session, handoff_id)

    def list_handoffs(self, search: str = "", limit: int | None = None) -> list[HandoffRow]:
        """Newest first; ``search`` matches process, assistant or status."""
        with self._session("This handoff") as session:
            query = _handoff_query().order_by(Handoff.sent_at.desc(), Handoff.id.desc())
            if limit is not None:
                query = query.limit(limit)
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    or_(
                        func.lower(Process.title).like(pattern),
                        func.lower(Assistant.name).like(pattern),
                        func.lower(Handoff.status).like(pattern),
                    )
                )
            return [_handoff_row(*row) for row in session.execute(query)]

    def _handoff_row(self, session: Session, handoff_id: int) -> HandoffRow:
        row = session.execute(_handoff_query().where(Handoff.id == handoff_id)).first()
        if row is None:
            raise NotFound(f"No handoff with id {handoff_id}.")
        return _handoff_row(*row)


def _handoff_query() -> Any:
    return (
        select(Handoff, ProcessVersion, Process.title, Assistant.name)
        .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
        .join(Process, ProcessVersion.process_id == Process.id)
        .join(Assistant, Handoff.assistant_id == Assistant.id)
    )


def _handoff_row(
    handoff: Handoff, version: ProcessVersion, process_title: str, assistant_name: str
) -> HandoffRow:
    return HandoffRow(
        id=handoff.id,
        process_id=version.process_id,
        process_title=process_title,
        version_number=version.number,
        assistant_id=handoff.assistant_id,
        assistant_name=assistant_name,
        sent_at=handoff.sent_at,
        due_on=handoff.due_on,
        status=handoff.status,
        last_event_at=handoff.last_activity_at or handoff.sent_at,
    )


def _get_assistant(session: Session, assistant_id: int) -> Assistant:
    assistant = session.get(Assistant, assistant_id)
    if assistant is None:
        raise NotFound(f"No assistant with id {assistant_id}.")
    return assistant


def _handoff_count(session: Session, assistant_id: int) -> int:
    return (
        session.scalar(select(func.count(Handoff.id)).where(Handoff.assistant_id == assistant_id))
        or 0
    )


def _assistant_row(assistant: Assistant, handoff_count: int) -> AssistantRow:
    return AssistantRow(
        id=assistant.id,
        name=assistant.name,
        email=assistant.email,
        arrangement=assistant.arrangement,
        engagement=assistant.engagement,
        hired_via=assistant.hired_via,
        time_zone=assistant.time_zone,
        started_on=assistant.started_on,
        notes=assistant.notes,
        active=assistant.active,
        handoff_count=handoff_count,
        row_version=assistant.row_version,
    )
