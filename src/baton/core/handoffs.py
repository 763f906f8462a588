"""Handoffs: which process version an assistant holds, and its timeline of events.

A handoff carries a ``row_version``: a status change, a due date or a revoke made from a
stale view (another owner checked in meanwhile, a receipt moved it on) passes the version
it saw as ``expected_version`` and is refused with ``ConflictError`` instead of silently
undoing the other change.
"""

from __future__ import annotations

import builtins
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.assistants import get_assistant
from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Assistant,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    Process,
    ProcessVersion,
)
from baton.core.transaction import transaction
from baton.errors import ConflictError, NotFound, UserError


@dataclass(frozen=True)
class HandoffRow:
    """A handoff as views and the CLI show it (plain data, no session needed)."""

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
    row_version: int = 0

    def is_overdue(self, today: date) -> bool:
        return (
            self.due_on is not None
            and self.due_on < today
            and self.status not in (HandoffStatus.INDEPENDENT, HandoffStatus.REVOKED)
        )


@dataclass(frozen=True)
class HandoffEventRow:
    """A moment on a handoff's timeline (plain data, no session needed)."""

    id: int
    handoff_id: int
    at: datetime
    kind: EventKind
    note: str
    step_position: int | None
    data: dict[str, Any]


class Handoffs:
    """Process versions handed to assistants. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This handoff")

    def create(
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
        with self._session() as session:
            version = session.get(ProcessVersion, version_id)
            if version is None:
                raise NotFound(f"No process version with id {version_id}.")
            get_assistant(session, assistant_id)
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
            return _get_row(session, handoff.id)

    def add_event(
        self,
        handoff_id: int,
        kind: EventKind,
        note: str = "",
        *,
        new_status: HandoffStatus | None = None,
        step_position: int | None = None,
        data: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> HandoffRow:
        """Put an event on a handoff's timeline, optionally moving its status.

        Raises:
            ConflictError: ``expected_version`` is given and the handoff changed since.
        """
        with self._session() as session:
            handoff = _get_handoff(session, handoff_id, expected_version)
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
            return _get_row(session, handoff_id)

    def check_in(
        self,
        handoff_id: int,
        status: HandoffStatus | None = None,
        note: str = "",
        *,
        expected_version: int | None = None,
    ) -> HandoffRow:
        """The owner checked in with the assistant; optionally move the handoff along."""
        return self.add_event(handoff_id, EventKind.CHECK_IN, note.strip(), new_status=status,
                              expected_version=expected_version)

    def revoke(
        self, handoff_id: int, note: str = "", *, expected_version: int | None = None
    ) -> HandoffRow:
        """Take the handoff back: later receipts for it are refused."""
        return self.add_event(
            handoff_id, EventKind.STATUS_CHANGE, note.strip(), new_status=HandoffStatus.REVOKED,
            expected_version=expected_version,
        )

    def set_due(
        self, handoff_id: int, due_on: date | None, *, expected_version: int | None = None
    ) -> HandoffRow:
        """When to check in next (overdue ones surface on the dashboard)."""
        with self._session() as session:
            handoff = _get_handoff(session, handoff_id, expected_version)
            if handoff.due_on != due_on:
                handoff.due_on = due_on
            session.flush()
            return _get_row(session, handoff_id)

    def set_package_hash(self, handoff_id: int, package_hash: str) -> None:
        """Remember which package file was sent (its SHA-256)."""
        with self._session() as session:
            _get_handoff(session, handoff_id).package_hash = package_hash

    def delete(self, handoff_id: int) -> None:
        """Remove a handoff whose package could not be made (nothing was sent)."""
        with self._session() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is not None:
                session.delete(handoff)

    def events(self, handoff_id: int) -> builtins.list[HandoffEventRow]:
        """A handoff's timeline, oldest first."""
        with self._session() as session:
            query = (select(HandoffEvent).where(HandoffEvent.handoff_id == handoff_id)
                     .order_by(HandoffEvent.at, HandoffEvent.id))
            return [_event_row(event) for event in session.scalars(query)]

    def get(self, handoff_id: int) -> HandoffRow:
        with self._session() as session:
            return _get_row(session, handoff_id)

    def list(self, search: str = "", limit: int | None = None) -> builtins.list[HandoffRow]:
        """Newest first; ``search`` matches process, assistant or status."""
        with self._session() as session:
            query = _query().order_by(Handoff.sent_at.desc(), Handoff.id.desc())
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
            return [_row(*row) for row in session.execute(query)]


def _get_handoff(session: Session, handoff_id: int, expected_version: int | None = None
                 ) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"No handoff with id {handoff_id}.")
    if expected_version is not None and handoff.row_version != expected_version:
        raise ConflictError("This handoff was changed by someone else (a check-in or a "
                            "receipt); reload it and try again.")
    return handoff


def _get_row(session: Session, handoff_id: int) -> HandoffRow:
    row = session.execute(_query().where(Handoff.id == handoff_id)).first()
    if row is None:
        raise NotFound(f"No handoff with id {handoff_id}.")
    return _row(*row)


def _query() -> Any:
    return (
        select(Handoff, ProcessVersion, Process.title, Assistant.name)
        .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
        .join(Process, ProcessVersion.process_id == Process.id)
        .join(Assistant, Handoff.assistant_id == Assistant.id)
    )


def _row(
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
        row_version=handoff.row_version,
    )


def _event_row(event: HandoffEvent) -> HandoffEventRow:
    return HandoffEventRow(
        id=event.id,
        handoff_id=event.handoff_id,
        at=event.at,
        kind=event.kind,
        note=event.note,
        step_position=event.step_position,
        data=dict(event.data or {}),
    )
