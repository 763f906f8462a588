"""What the owner sees first: hours handed off, who holds what, what needs attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Assistant,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    Process,
    ProcessStatus,
    ProcessVersion,
)

CLOSED = (HandoffStatus.INDEPENDENT, HandoffStatus.REVOKED)
# How far along each status is, for "the best handoff of this process to this assistant".
PROGRESS = {
    HandoffStatus.REVOKED: 0,
    HandoffStatus.SENT: 1,
    HandoffStatus.ACKNOWLEDGED: 2,
    HandoffStatus.NEEDS_HELP: 3,
    HandoffStatus.PRACTISING: 4,
    HandoffStatus.SUPERVISED: 5,
    HandoffStatus.INDEPENDENT: 6,
}


@dataclass(frozen=True)
class DashboardFigures:
    hours_per_week_handed_off: float
    processes: int
    processes_ready: int
    active_assistants: int
    open_handoffs: int
    independent_handoffs: int
    overdue_handoffs: int
    open_questions: int
    backlog_nudges: int


@dataclass(frozen=True)
class Attention:
    """A handoff that needs the owner: overdue, or an open question."""

    handoff_id: int
    process_title: str
    assistant_name: str
    due_on: date | None
    status: HandoffStatus
    question: str


@dataclass(frozen=True)
class Holding:
    """One cell of the who-holds-what matrix."""

    assistant_id: int
    assistant_name: str
    process_id: int
    process_title: str
    version_number: int
    status: HandoffStatus


@dataclass(frozen=True)
class BacklogNudge:
    process_id: int
    title: str
    times_done_myself: int


@dataclass(frozen=True)
class AssistantHours:
    assistant_name: str
    hours_per_week: float


class Dashboard:
    """Computes the dashboard with a handful of aggregate queries (no rows loaded whole)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def figures(self, today: date | None = None) -> DashboardFigures:
        today = today or self._clock().date()
        with self._sessions() as session:
            count_handoffs = select(func.count(Handoff.id))
            return DashboardFigures(
                hours_per_week_handed_off=round(_independent_minutes(session) / 60.0, 1),
                processes=_scalar(session, select(func.count(Process.id))),
                processes_ready=_scalar(
                    session,
                    select(func.count(Process.id)).where(Process.status == ProcessStatus.READY),
                ),
                active_assistants=_scalar(
                    session, select(func.count(Assistant.id)).where(Assistant.active.is_(True))
                ),
                open_handoffs=_scalar(session, count_handoffs.where(Handoff.status.not_in(CLOSED))),
                independent_handoffs=_scalar(
                    session, count_handoffs.where(Handoff.status == HandoffStatus.INDEPENDENT)
                ),
                overdue_handoffs=_scalar(
                    session,
                    count_handoffs.where(Handoff.due_on < today, Handoff.status.not_in(CLOSED)),
                ),
                open_questions=_scalar(
                    session, count_handoffs.where(Handoff.status == HandoffStatus.NEEDS_HELP)
                ),
                backlog_nudges=_scalar(session, select(func.count(Process.id)).where(_backlog())),
            )

    def needs_attention(self, today: date | None = None, limit: int = 50) -> list[Attention]:
        """Open questions first, then overdue check-ins, oldest due date first."""
        today = today or self._clock().date()
        with self._sessions() as session:
            last_question = (
                select(HandoffEvent.handoff_id, func.max(HandoffEvent.id).label("event_id"))
                .where(HandoffEvent.kind == EventKind.QUESTION)
                .group_by(HandoffEvent.handoff_id)
                .subquery()
            )
            query = (
                select(Handoff, Process.title, Assistant.name, HandoffEvent.note)
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .join(Process, ProcessVersion.process_id == Process.id)
                .join(Assistant, Handoff.assistant_id == Assistant.id)
                .outerjoin(last_question, last_question.c.handoff_id == Handoff.id)
                .outerjoin(HandoffEvent, HandoffEvent.id == last_question.c.event_id)
                .where(
                    (Handoff.status == HandoffStatus.NEEDS_HELP)
                    | (and_(Handoff.due_on < today, Handoff.status.not_in(CLOSED)))
                )
                .order_by(
                    (Handoff.status != HandoffStatus.NEEDS_HELP), Handoff.due_on, Handoff.id
                )
                .limit(limit)
            )
            return [
                Attention(
                    handoff.id,
                    title,
                    name,
                    handoff.due_on,
                    handoff.status,
                    (note or "") if handoff.status is HandoffStatus.NEEDS_HELP else "",
                )
                for handoff, title, name, note in session.execute(query)
            ]

    def holdings(self) -> list[Holding]:
        """Who holds what: the furthest-along handoff per assistant and process."""
        with self._sessions() as session:
            query = (
                select(
                    Assistant.id,
                    Assistant.name,
                    Process.id,
                    Process.title,
                    ProcessVersion.number,
                    Handoff.status,
                )
                .join(Handoff, Handoff.assistant_id == Assistant.id)
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .join(Process, ProcessVersion.process_id == Process.id)
                .where(Assistant.active.is_(True))
            )
            best: dict[tuple[int, int], Holding] = {}
            for assistant_id, name, process_id, title, number, status in session.execute(query):
                cell = Holding(assistant_id, name, process_id, title, number, status)
                current = best.get((assistant_id, process_id))
                if current is None or (PROGRESS[status], number) > (
                    PROGRESS[current.status],
                    current.version_number,
                ):
                    best[(assistant_id, process_id)] = cell
            return sorted(best.values(), key=lambda h: (h.assistant_name.lower(), h.process_title))

    def backlog(self) -> list[BacklogNudge]:
        """Processes the owner keeps doing themselves (twice or more) and has not recorded."""
        with self._sessions() as session:
            query = (
                select(Process.id, Process.title, Process.times_done_myself)
                .where(_backlog())
                .order_by(Process.times_done_myself.desc(), Process.title)
            )
            return [BacklogNudge(*row) for row in session.execute(query)]

    def hours_by_assistant(self) -> list[AssistantHours]:
        """Hours a week each assistant took over (independent handoffs), most first."""
        with self._sessions() as session:
            per_process = (
                select(
                    Handoff.assistant_id.label("assistant_id"),
                    ProcessVersion.process_id.label("process_id"),
                )
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .where(Handoff.status == HandoffStatus.INDEPENDENT)
                .distinct()
                .subquery()
            )
            query = (
                select(
                    Assistant.name,
                    func.sum(Process.minutes_per_run * Process.runs_per_week),
                )
                .join(per_process, per_process.c.assistant_id == Assistant.id)
                .join(Process, Process.id == per_process.c.process_id)
                .group_by(Assistant.id, Assistant.name)
                .order_by(func.sum(Process.minutes_per_run * Process.runs_per_week).desc())
            )
            return [
                AssistantHours(name, round(float(minutes or 0) / 60.0, 1))
                for name, minutes in session.execute(query)
            ]


def _independent_minutes(session: Session) -> float:
    independent = (
        select(ProcessVersion.process_id)
        .join(Handoff, Handoff.version_id == ProcessVersion.id)
        .where(Handoff.status == HandoffStatus.INDEPENDENT)
        .distinct()
    )
    total = session.scalar(
        select(func.sum(Process.minutes_per_run * Process.runs_per_week)).where(
            Process.id.in_(independent)
        )
    )
    return float(total or 0)


def _backlog() -> ColumnElement[bool]:
    return and_(
        Process.status.in_((ProcessStatus.IDEA, ProcessStatus.DRAFT)),
        Process.times_done_myself >= 2,
    )


def _scalar(session: Session, query: Select[int]) -> int:
    return int(session.scalar(query) or 0)

