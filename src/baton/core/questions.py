"""Questions assistants ask about a step, and the owner's answers to them.

A question is a ``question`` event on a handoff's timeline (a receipt brings it in). The
owner's answer is a ``note`` event on the same timeline whose data names the question
(``{"answer_to": <question event id>}``), so no table changes. A question stays open until
it is answered, whatever happens to the handoff's status meanwhile (only revoking a
handoff closes its questions). The next package sent to the same assistant for the same
process carries the answers it has not carried yet; the ``sent`` event of that handoff
lists them (``{"answers": [<answer event ids>]}``), so each answer goes out once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

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
from baton.errors import NotFound, UserError

ANSWER_TO = "answer_to"
"""The key of an answer event's data naming the question it answers."""
DELIVERED = "answers"
"""The key of a ``sent`` event's data listing the answers its package carried."""
MAX_ANSWER = 5000


@dataclass(frozen=True)
class StepRef:
    """The step a question is about, as it was in the version the assistant holds."""

    position: int
    number: int  # 1-based place in that version's list
    title: str
    step_id: int | None  # the library's step id when the version was frozen

    def label(self) -> str:
        """``step 3, “Click Save”`` (how the owner is told which step)."""
        return f"step {self.number}, “{self.title or 'Untitled step'}”"


@dataclass(frozen=True)
class QuestionRow:
    """A question on a handoff, with the owner's latest answer if there is one."""

    id: int
    handoff_id: int
    process_id: int
    process_title: str
    version_number: int
    assistant_id: int
    assistant_name: str
    asked_at: datetime
    text: str
    step: StepRef | None
    answer: str
    answered_at: datetime | None
    answer_id: int | None

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    def about(self) -> str:
        """Which step it is about, in words (``the process as a whole`` without one)."""
        return self.step.label() if self.step is not None else "the process as a whole"


@dataclass(frozen=True)
class AnswerForPackage:
    """An answer the next package for its assistant carries."""

    answer_id: int
    question: str
    answer: str
    step_id: int | None  # the step asked about (to find it in the new version)
    step_title: str
    asked_at: datetime
    answered_at: datetime


class Questions:
    """Reads questions and records answers. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This handoff")

    def open(self, limit: int = 50) -> list[QuestionRow]:
        """Unanswered questions on handoffs that are not revoked, newest first."""
        with self._session() as session:
            return open_questions(session, limit)

    def count_open(self) -> int:
        """How many questions wait for an answer."""
        with self._session() as session:
            return count_open_questions(session)

    def of_handoff(self, handoff_id: int) -> list[QuestionRow]:
        """Every question on one handoff, oldest first, with its answer if any."""
        with self._session() as session:
            ids = session.scalars(
                select(HandoffEvent.id)
                .where(HandoffEvent.handoff_id == handoff_id,
                       HandoffEvent.kind == EventKind.QUESTION)
                .order_by(HandoffEvent.at, HandoffEvent.id)
            ).all()
            return _rows(session, list(ids))

    def get(self, question_id: int) -> QuestionRow:
        with self._session() as session:
            rows = _rows(session, [question_id])
            if not rows:
                raise NotFound(f"No question with id {question_id}.")
            return rows[0]

    def answer(self, question_id: int, text: str) -> QuestionRow:
        """Answer a question (again: the latest answer counts).

        When no question of the handoff stays open, a handoff that needed help goes back to
        the status it had before the question came in.

        Raises:
            UserError: the answer is empty or too long, the question does not exist, or
                its handoff was revoked.
        """
        text = text.strip()
        if not text:
            raise UserError("Write an answer first.")
        if len(text) > MAX_ANSWER:
            raise UserError(f"An answer can be at most {MAX_ANSWER} characters long.")
        now = self._clock()
        with self._session() as session:
            question = session.get(HandoffEvent, question_id)
            if question is None or question.kind is not EventKind.QUESTION:
                raise NotFound(f"No question with id {question_id}.")
            handoff = session.get(Handoff, question.handoff_id)
            assert handoff is not None
            if handoff.status is HandoffStatus.REVOKED:
                raise UserError("This handoff was revoked; send the process again instead.")
            data: dict[str, Any] = {ANSWER_TO: question.id}
            session.add(HandoffEvent(handoff_id=handoff.id, at=now, kind=EventKind.NOTE,
                                     note=text, step_position=question.step_position, data=data))
            session.flush()
            handoff.last_activity_at = now
            if handoff.status is HandoffStatus.NEEDS_HELP and not _open_ids(session, handoff.id):
                back = _status_before_help(session, handoff.id)
                session.add(HandoffEvent(
                    handoff_id=handoff.id, at=now, kind=EventKind.STATUS_CHANGE,
                    note="Every question answered", step_position=None,
                    data={"from": handoff.status.value, "to": back.value}))
                handoff.status = back
            session.flush()
            return _rows(session, [question_id])[0]

    def undelivered_answers(self, process_id: int, assistant_id: int) -> list[AnswerForPackage]:
        """Answers to this assistant's questions on this process no package carried yet."""
        with self._session() as session:
            handoff_ids = list(session.scalars(
                select(Handoff.id)
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .where(ProcessVersion.process_id == process_id,
                       Handoff.assistant_id == assistant_id)
            ))
            if not handoff_ids:
                return []
            events = list(session.scalars(
                select(HandoffEvent)
                .where(HandoffEvent.handoff_id.in_(handoff_ids),
                       HandoffEvent.kind.in_((EventKind.NOTE, EventKind.SENT)))
                .order_by(HandoffEvent.at, HandoffEvent.id)
            ))
            delivered = {answer_id for event in events if event.kind is EventKind.SENT
                         for answer_id in _ints((event.data or {}).get(DELIVERED))}
            latest: dict[int, HandoffEvent] = {}
            for event in events:
                question_id = _answer_to(event)
                if question_id is not None:
                    latest[question_id] = event  # oldest first: the last one wins
            pending = {q: a for q, a in latest.items() if a.id not in delivered}
            rows = {row.id: row for row in _rows(session, sorted(pending))}
            return [
                AnswerForPackage(
                    answer_id=answer.id, question=rows[question_id].text, answer=answer.note,
                    step_id=step.step_id if (step := rows[question_id].step) else None,
                    step_title=step.title if step else "",
                    asked_at=rows[question_id].asked_at, answered_at=answer.at,
                )
                for question_id, answer in sorted(pending.items())
                if question_id in rows
            ]

    def mark_delivered(self, handoff_id: int, answer_ids: Iterable[int]) -> None:
        """Note on the handoff's ``sent`` event which answers its package carried."""
        ids = sorted(set(answer_ids))
        if not ids:
            return
        with self._session() as session:
            sent = session.scalars(
                select(HandoffEvent)
                .where(HandoffEvent.handoff_id == handoff_id, HandoffEvent.kind == EventKind.SENT)
                .order_by(HandoffEvent.id).limit(1)
            ).first()
            if sent is None:
                raise NotFound(f"No handoff with id {handoff_id}.")
            sent.data = {**(sent.data or {}), DELIVERED: ids}


def open_questions(session: Session, limit: int) -> list[QuestionRow]:
    """Unanswered questions on live handoffs, newest first (the dashboard's list)."""
    ids = sorted(_open_ids(session), reverse=True)[:limit]
    rows = _rows(session, ids)
    return sorted(rows, key=lambda row: (row.asked_at, row.id), reverse=True)


def count_open_questions(session: Session) -> int:
    """How many questions on live handoffs wait for an answer."""
    return len(_open_ids(session))


def _open_ids(session: Session, handoff_id: int | None = None) -> set[int]:
    """Ids of unanswered questions (on one handoff, or on every handoff not revoked)."""
    query = (select(HandoffEvent.id, HandoffEvent.handoff_id)
             .join(Handoff, Handoff.id == HandoffEvent.handoff_id)
             .where(HandoffEvent.kind == EventKind.QUESTION,
                    Handoff.status != HandoffStatus.REVOKED))
    if handoff_id is not None:
        query = query.where(HandoffEvent.handoff_id == handoff_id)
    asked = {event_id: owner for event_id, owner in session.execute(query)}
    if not asked:
        return set()
    # Answers are notes on the same handoffs; only those handoffs' notes are read.
    notes = session.scalars(
        select(HandoffEvent.data).where(HandoffEvent.kind == EventKind.NOTE,
                                        HandoffEvent.handoff_id.in_(set(asked.values())))
    )
    answered = {_int((data or {}).get(ANSWER_TO)) for data in notes}
    return set(asked) - answered


def _rows(session: Session, question_ids: list[int]) -> list[QuestionRow]:
    if not question_ids:
        return []
    found = session.execute(
        select(HandoffEvent, Handoff, ProcessVersion, Process.title, Assistant.name)
        .join(Handoff, Handoff.id == HandoffEvent.handoff_id)
        .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
        .join(Process, ProcessVersion.process_id == Process.id)
        .join(Assistant, Handoff.assistant_id == Assistant.id)
        .where(HandoffEvent.id.in_(question_ids), HandoffEvent.kind == EventKind.QUESTION)
    ).all()
    handoff_ids = {handoff.id for _, handoff, _, _, _ in found}
    answers: dict[int, HandoffEvent] = {}
    for note in session.scalars(
        select(HandoffEvent)
        .where(HandoffEvent.kind == EventKind.NOTE, HandoffEvent.handoff_id.in_(handoff_ids))
        .order_by(HandoffEvent.at, HandoffEvent.id)
    ):
        question_id = _answer_to(note)
        if question_id is not None:
            answers[question_id] = note
    rows = {}
    for event, handoff, version, title, name in found:
        answer = answers.get(event.id)
        rows[event.id] = QuestionRow(
            id=event.id, handoff_id=handoff.id, process_id=version.process_id,
            process_title=title, version_number=version.number, assistant_id=handoff.assistant_id,
            assistant_name=name, asked_at=event.at, text=event.note,
            step=step_ref(version.snapshot, event.step_position),
            answer=answer.note if answer else "", answered_at=answer.at if answer else None,
            answer_id=answer.id if answer else None,
        )
    return [rows[i] for i in question_ids if i in rows]


def step_ref(snapshot: Mapping[str, Any], position: int | None) -> StepRef | None:
    """The step at ``position`` in a version snapshot, with its number in the list."""
    if position is None:
        return None
    steps = [s for s in snapshot.get("steps") or [] if isinstance(s, dict)]
    steps.sort(key=lambda s: _int(s.get("position")) or 0)
    for number, step in enumerate(steps, start=1):
        if _int(step.get("position")) == position:
            title = step.get("title")
            return StepRef(position, number, title if isinstance(title, str) else "",
                           _int(step.get("id")))
    return None


def _status_before_help(session: Session, handoff_id: int) -> HandoffStatus:
    """What the handoff was before it last moved to needs-help (practising if unknown)."""
    events = session.scalars(
        select(HandoffEvent.data).where(HandoffEvent.handoff_id == handoff_id)
        .order_by(HandoffEvent.at.desc(), HandoffEvent.id.desc())
    )
    for data in events:
        if (data or {}).get("to") == HandoffStatus.NEEDS_HELP.value:
            try:
                before = HandoffStatus(str(data.get("from")))
            except ValueError:
                break
            if before not in (HandoffStatus.NEEDS_HELP, HandoffStatus.REVOKED):
                return before
            break
    return HandoffStatus.PRACTISING


def _answer_to(event: HandoffEvent) -> int | None:
    if event.kind is not EventKind.NOTE:
        return None
    return _int((event.data or {}).get(ANSWER_TO))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(value: Any) -> list[int]:
    return [v for v in value if _int(v) is not None] if isinstance(value, list) else []
