"""Assistants: the people the owner hands work to."""

from __future__ import annotations

import builtins
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import Arrangement, Assistant, Engagement, Handoff
from baton.core.transaction import transaction
from baton.errors import ConflictError, NotFound, UserError

HIRED_VIA_SUGGESTIONS = ("Upwork", "Indeed", "OnlineJobs.ph", "Fiverr", "Referral", "Agency")


@dataclass(frozen=True)
class AssistantRow:
    """An assistant as views and the CLI show it (plain data, no session needed)."""

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


class Assistants:
    """The owner's assistants. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This assistant")

    def add(self, draft: AssistantDraft) -> AssistantRow:
        draft.validate()
        with self._session() as session:
            assistant = Assistant(created_at=self._clock())
            for name in FIELDS:
                setattr(assistant, name, getattr(draft, name))
            session.add(assistant)
            session.flush()
            return _row(assistant, 0)

    def update(
        self, assistant_id: int, draft: AssistantDraft, *, expected_version: int | None = None
    ) -> AssistantRow:
        """Save the form; refuses if ``expected_version`` is stale (someone else saved)."""
        draft.validate()
        with self._session() as session:
            assistant = get_assistant(session, assistant_id)
            if expected_version is not None and assistant.row_version != expected_version:
                raise ConflictError(
                    f"{assistant.name} was changed by someone else; reload and try again."
                )
            for name in FIELDS:
                setattr(assistant, name, getattr(draft, name))
            session.flush()
            return _row(assistant, _handoff_count(session, assistant.id))

    def delete(self, assistant_id: int) -> None:
        with self._session() as session:
            session.delete(get_assistant(session, assistant_id))

    def get(self, assistant_id: int) -> AssistantRow:
        with self._session() as session:
            assistant = get_assistant(session, assistant_id)
            return _row(assistant, _handoff_count(session, assistant.id))

    def find(self, reference: str) -> AssistantRow:
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
            return _row(assistant, _handoff_count(session, assistant.id))

    def list(self, search: str = "") -> builtins.list[AssistantRow]:
        """Assistants by name; ``search`` matches name, email or where they were hired."""
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
            return [_row(a, n) for a, n in session.execute(query)]


def get_assistant(session: Session, assistant_id: int) -> Assistant:
    """The assistant with this id (``NotFound`` if there is none)."""
    assistant = session.get(Assistant, assistant_id)
    if assistant is None:
        raise NotFound(f"No assistant with id {assistant_id}.")
    return assistant


def _handoff_count(session: Session, assistant_id: int) -> int:
    return (
        session.scalar(select(func.count(Handoff.id)).where(Handoff.assistant_id == assistant_id))
        or 0
    )


def _row(assistant: Assistant, handoff_count: int) -> AssistantRow:
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
