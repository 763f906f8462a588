"""The trust ladder: start new assistants on internal, simple work; warn before customers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.models import (
    Audience,
    Complexity,
    Handoff,
    HandoffStatus,
    Process,
    ProcessStatus,
    ProcessVersion,
)

RUNG = {Complexity.SIMPLE: 0, Complexity.MODERATE: 1, Complexity.COMPLEX: 2}


@dataclass(frozen=True)
class Suggestion:
    process_id: int
    title: str
    audience: Audience
    complexity: Complexity
    hours_per_week: float
    reason: str


class TrustLadder:
    """Suggests what to hand an assistant next, and warns (never blocks) when it is early."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def is_independent_on_internal_work(self, assistant_id: int) -> bool:
        with self._sessions() as session:
            return _independent_internal(session, assistant_id)

    def warning(self, process_id: int, assistant_id: int) -> str | None:
        """A sentence to show before sending, or None when the step up is reasonable."""
        with self._sessions() as session:
            process = session.get(Process, process_id)
            if process is None or process.audience is not Audience.CUSTOMER_FACING:
                return None
            if _independent_internal(session, assistant_id):
                return None
            return (
                f"“{process.title}” is customer-facing, and this assistant is not yet "
                "independent on any internal process. Consider starting with internal work; "
                "you can still send it."
            )

    def suggestions(self, assistant_id: int, limit: int = 5) -> list[Suggestion]:
        """Ready processes this assistant does not hold yet, lowest rung first.

        A new assistant gets internal, simple processes first; customer-facing ones are
        only suggested once they are independent on some internal process.
        """
        with self._sessions() as session:
            held = select(ProcessVersion.process_id).join(
                Handoff, Handoff.version_id == ProcessVersion.id
            ).where(Handoff.assistant_id == assistant_id, Handoff.status != HandoffStatus.REVOKED)
            candidates = session.scalars(
                select(Process).where(
                    Process.status == ProcessStatus.READY, Process.id.not_in(held)
                )
            ).all()
            trusted = _independent_internal(session, assistant_id)
        ranked = []
        for process in candidates:
            customer = process.audience is Audience.CUSTOMER_FACING
            if customer and not trusted:
                continue
            hours = process.minutes_per_run * process.runs_per_week / 60.0
            reason = (
                "Internal and simple: a good first handoff."
                if not customer and process.complexity is Complexity.SIMPLE
                else "A step up: they are ready for it."
            )
            rank = (int(customer), RUNG[process.complexity], -hours, process.title.lower())
            ranked.append(
                (rank, Suggestion(process.id, process.title, process.audience,
                                  process.complexity, round(hours, 1), reason))
            )
        return [suggestion for _, suggestion in sorted(ranked, key=lambda pair: pair[0])][:limit]


def _independent_internal(session: Session, assistant_id: int) -> bool:
    query = select(
        exists()
        .where(Handoff.assistant_id == assistant_id)
        .where(Handoff.status == HandoffStatus.INDEPENDENT)
        .where(Handoff.version_id == ProcessVersion.id)
        .where(ProcessVersion.process_id == Process.id)
        .where(Process.audience == Audience.INTERNAL)
    )
    return bool(session.scalar(query))
