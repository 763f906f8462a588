"""Receipt bookkeeping: each handoff's receipt key, and which receipts it has taken in.

A receipt moves a handoff only forward. Every receipt imported is remembered by the hash
of its canonical content (``handoff_receipt``), so the same receipt counts once however it
was re-serialised; one saved before the newest receipt already applied is recorded as
ignored (a ``receipt-ignored`` event) and changes no status or progress. Deciding what a
receipt changes (which questions are new, where the status goes) is the caller's: it is
handed the handoff's status and timeline inside the same transaction, so two imports
cannot interleave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import EventKind, Handoff, HandoffEvent, HandoffReceipt, HandoffStatus
from baton.core.transaction import transaction
from baton.errors import NotFound, UserError


class AlreadyImported(UserError):
    """This receipt (the same content) was imported for this handoff before."""

    def __init__(self) -> None:
        super().__init__("This receipt was already imported; nothing changed.")


@dataclass(frozen=True)
class TimelineEntry:
    """What a receipt needs to know of an event already on the timeline."""

    kind: EventKind
    note: str
    step_position: int | None


@dataclass(frozen=True)
class HandoffState:
    """The handoff as the receipt finds it."""

    status: HandoffStatus
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class PlannedEvent:
    """An event a receipt adds (a question or a note on one step)."""

    kind: EventKind
    note: str
    step_position: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceiptPlan:
    """What applying a receipt does: events, then a summary event with the new status."""

    events: tuple[PlannedEvent, ...]
    summary: str
    summary_data: dict[str, Any]
    new_status: HandoffStatus


@dataclass(frozen=True)
class ReceiptOutcome:
    """What happened: applied (with its plan), or ignored as older than ``newest``."""

    applied: bool
    previous_status: HandoffStatus
    plan: ReceiptPlan | None
    newest_saved_at: datetime | None


class Receipts:
    """Receipt keys and the receipts each handoff has taken in."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def key(self, handoff_id: int) -> str | None:
        """The secret the handoff's package signs receipts with (None: format 1, unsigned).

        Raises:
            NotFound: there is no such handoff.
        """
        with self._sessions() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff with id {handoff_id}.")
            return handoff.receipt_key

    def take_in(
        self,
        handoff_id: int,
        content_sha256: str,
        saved_at: datetime,
        plan: Callable[[HandoffState], ReceiptPlan],
        *,
        also_known_as: str | None = None,
    ) -> ReceiptOutcome:
        """Apply a receipt, or record it as ignored when it is not newer than the newest.

        Args:
            handoff_id: the handoff the receipt is for (already matched and verified).
            content_sha256: the hash of the receipt's canonical content.
            saved_at: when the assistant saved it (UTC, naive).
            plan: decides what the receipt changes, given the handoff as it is now.
            also_known_as: another hash the same receipt was recorded under before (the
                file's SHA-256, as format 1 imports kept it).

        Raises:
            AlreadyImported: the same content was imported for this handoff before.
            NotFound: the handoff is gone.
            UserError: the handoff was revoked, or its package was never finished.
        """
        now = self._clock()
        try:
            with transaction(self._sessions, "This handoff") as session:
                handoff = session.get(Handoff, handoff_id, with_for_update=True)
                if handoff is None:
                    raise NotFound(f"No handoff with id {handoff_id}.")
                _check_open(handoff)
                known = {content_sha256} | ({also_known_as} if also_known_as else set())
                seen = session.scalar(
                    select(HandoffReceipt.id).where(
                        HandoffReceipt.handoff_id == handoff_id,
                        HandoffReceipt.content_sha256.in_(known),
                    )
                )
                if seen is not None:
                    raise AlreadyImported()
                newest = session.scalar(
                    select(func.max(HandoffReceipt.saved_at)).where(
                        HandoffReceipt.handoff_id == handoff_id, HandoffReceipt.applied
                    )
                )
                applied = newest is None or saved_at > newest
                session.add(
                    HandoffReceipt(
                        handoff_id=handoff_id,
                        content_sha256=content_sha256,
                        saved_at=saved_at,
                        imported_at=now,
                        applied=applied,
                    )
                )
                previous = handoff.status
                if not applied:
                    session.add(_ignored_event(handoff_id, now, content_sha256, saved_at, newest))
                    return ReceiptOutcome(False, previous, None, newest)
                decided = plan(HandoffState(previous, _timeline(session, handoff_id)))
                _apply(session, handoff, decided, now)
                return ReceiptOutcome(True, previous, decided, newest)
        except IntegrityError:
            raise AlreadyImported() from None  # the same receipt, imported at the same time


def _check_open(handoff: Handoff) -> None:
    if handoff.status is HandoffStatus.REVOKED:
        raise UserError("This receipt is for a handoff that was revoked; nothing changed.")
    if handoff.status is HandoffStatus.PREPARING:
        raise UserError(
            "This receipt is for a handoff whose package was never finished; nothing changed."
        )


def _timeline(session: Session, handoff_id: int) -> tuple[TimelineEntry, ...]:
    rows = session.execute(
        select(HandoffEvent.kind, HandoffEvent.note, HandoffEvent.step_position)
        .where(HandoffEvent.handoff_id == handoff_id)
        .order_by(HandoffEvent.at, HandoffEvent.id)
    )
    return tuple(TimelineEntry(kind, note, position) for kind, note, position in rows)


def _ignored_event(
    handoff_id: int,
    now: datetime,
    content_sha256: str,
    saved_at: datetime,
    newest: datetime | None,
) -> HandoffEvent:
    return HandoffEvent(
        handoff_id=handoff_id,
        at=now,
        kind=EventKind.RECEIPT_IGNORED,
        note="Older than the receipt already imported; progress unchanged",
        data={
            "content_sha256": content_sha256,
            "saved_at": saved_at.isoformat(),
            "newest_saved_at": newest.isoformat() if newest else None,
        },
    )


def _apply(session: Session, handoff: Handoff, plan: ReceiptPlan, now: datetime) -> None:
    for event in plan.events:
        session.add(
            HandoffEvent(
                handoff_id=handoff.id,
                at=now,
                kind=event.kind,
                note=event.note,
                step_position=event.step_position,
                data=dict(event.data),
            )
        )
    data = dict(plan.summary_data)
    if plan.new_status is not handoff.status:
        data |= {"from": handoff.status.value, "to": plan.new_status.value}
        handoff.status = plan.new_status
    session.add(
        HandoffEvent(
            handoff_id=handoff.id,
            at=now,
            kind=EventKind.RECEIPT_IMPORTED,
            note=plan.summary,
            data=data,
        )
    )
    handoff.last_activity_at = now
