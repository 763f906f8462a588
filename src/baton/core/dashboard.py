"""What the owner sees first: hours handed off, who holds what, what needs attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Assistant,
    Handoff,
    HandoffStatus,
    Process,
    ProcessStatus,
    ProcessVersion,
    Step,
)
from baton.core.questions import StepRef, count_open_questions, open_questions
from baton.core.states import CLOSED_HANDOFFS

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
    """A handoff that needs the owner: an open question (one item each), or overdue."""

    handoff_id: int
    process_title: str
    assistant_name: str
    due_on: date | None
    status: HandoffStatus
    question: str
    question_id: int | None = None
    step: StepRef | None = None


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
    written_down: bool = False  # it has steps or a recording: send it, no need to record


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
            by_status: dict[HandoffStatus, tuple[int, int]] = {
                status: (int(total), int(overdue or 0))
                for status, total, overdue in session.execute(
                    select(Handoff.status, func.count(), _count_if(Handoff.due_on < today))
                    .group_by(Handoff.status)
                )
            }
            open_statuses = [status for status in by_status if status not in CLOSED_HANDOFFS]
            processes = session.execute(
                select(
                    func.count(Process.id),
                    _count_if(Process.status == ProcessStatus.READY),
                    _count_if(_backlog()),
                )
            ).one()
            return DashboardFigures(
                hours_per_week_handed_off=round(_independent_minutes(session) / 60.0, 1),
                processes=int(processes[0] or 0),
                processes_ready=int(processes[1] or 0),
                active_assistants=int(
                    session.scalar(
                        select(func.count(Assistant.id)).where(Assistant.active.is_(True))
                    )
                    or 0
                ),
                open_handoffs=sum(by_status[status][0] for status in open_statuses),
                independent_handoffs=by_status.get(HandoffStatus.INDEPENDENT, (0, 0))[0],
                overdue_handoffs=sum(by_status[status][1] for status in open_statuses),
                open_questions=count_open_questions(session),
                backlog_nudges=int(processes[2] or 0),
            )

    def needs_attention(self, today: date | None = None, limit: int = 50) -> list[Attention]:
        """Open questions first (newest first), then overdue check-ins, oldest due first.

        A question stays here until the owner answers it, whatever the handoff's status.
        """
        today = today or self._clock().date()
        with self._sessions() as session:
            asking = [
                Attention(q.handoff_id, q.process_title, q.assistant_name, None,
                          HandoffStatus.NEEDS_HELP, q.text, q.id, q.step)
                for q in open_questions(session, limit)
            ]
            overdue = session.execute(
                _attention_query()
                .where(Handoff.due_on < today, Handoff.status.not_in(CLOSED_HANDOFFS),
                       Handoff.status != HandoffStatus.NEEDS_HELP)
                .order_by(Handoff.due_on, Handoff.id)
                .limit(max(0, limit - len(asking)))
            ).all()
            return [*asking, *(
                Attention(handoff.id, title, name, handoff.due_on, handoff.status, "")
                for handoff, title, name in overdue
            )]

    def holdings(self, most: int = 25) -> list[Holding]:
        """Who holds what: the furthest-along handoff per assistant and process.

        Limited to the ``most`` active assistants and processes with the most live
        handoffs, so the matrix stays readable (and fast) in a large library.
        """
        live = Handoff.status.not_in((HandoffStatus.REVOKED, HandoffStatus.PREPARING))
        with self._sessions() as session:
            assistants = select(Handoff.assistant_id).join(
                Assistant, Assistant.id == Handoff.assistant_id
            ).where(live, Assistant.active.is_(True)).group_by(Handoff.assistant_id).order_by(
                func.count(Handoff.id).desc(), Handoff.assistant_id
            ).limit(most)
            top_assistants = list(session.scalars(assistants))
            processes = (
                select(ProcessVersion.process_id)
                .join(Handoff, Handoff.version_id == ProcessVersion.id)
                .where(live, Handoff.assistant_id.in_(top_assistants))
                .group_by(ProcessVersion.process_id)
                .order_by(func.count(Handoff.id).desc(), ProcessVersion.process_id)
                .limit(most)
            )
            top_processes = list(session.scalars(processes))
            rank = case(PROGRESS, value=Handoff.status)
            query = (
                select(
                    Assistant.id,
                    Assistant.name,
                    Process.id,
                    Process.title,
                    func.max(rank * 100_000 + ProcessVersion.number),
                )
                .join(Handoff, Handoff.assistant_id == Assistant.id)
                .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
                .join(Process, ProcessVersion.process_id == Process.id)
                .where(Assistant.id.in_(top_assistants), Process.id.in_(top_processes))
                .where(Handoff.status != HandoffStatus.PREPARING)  # not held yet
                .group_by(Assistant.id, Assistant.name, Process.id, Process.title)
            )
            by_rank = {value: status for status, value in PROGRESS.items()}
            cells = [
                Holding(assistant_id, name, process_id, title, best % 100_000,
                        by_rank[best // 100_000])
                for assistant_id, name, process_id, title, best in session.execute(query)
            ]
            return sorted(cells, key=lambda h: (h.assistant_name.lower(), h.process_title))

    def backlog(self) -> list[BacklogNudge]:
        """Processes the owner keeps doing themselves (twice or more) and has not recorded."""
        with self._sessions() as session:
            has_steps = select(Step.id).where(Step.process_id == Process.id).exists()
            query = (
                select(Process.id, Process.title, Process.times_done_myself,
                       or_(Process.recording_id.is_not(None), has_steps))
                .where(_backlog())
                .order_by(Process.times_done_myself.desc(), Process.title)
            )
            return [BacklogNudge(pid, title, times, bool(written))
                    for pid, title, times, written in session.execute(query)]

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


def _attention_query() -> Select[Handoff, str, str]:
    return (
        select(Handoff, Process.title, Assistant.name)
        .join(ProcessVersion, Handoff.version_id == ProcessVersion.id)
        .join(Process, ProcessVersion.process_id == Process.id)
        .join(Assistant, Handoff.assistant_id == Assistant.id)
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _backlog() -> ColumnElement[bool]:
    return and_(
        Process.status.in_((ProcessStatus.IDEA, ProcessStatus.DRAFT)),
        Process.times_done_myself >= 2,
    )



