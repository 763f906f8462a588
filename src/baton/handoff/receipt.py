"""Import a progress receipt: the assistant's progress onto the handoff's timeline.

Import checks the file completely first: its shape and sizes (``receipt_format``), that the
handoff exists here, was sent and is not revoked, that the receipt is signed with that
handoff's receipt key (format 2), and that it names the package, process, version and steps
sent. Then, in one transaction (``core.receipts``), it is applied, or recorded as ignored
when it is older than the newest receipt already applied; the same receipt counts once. A
refused receipt changes nothing. Receipts from format 1 packages (sent before receipts were
signed) are still taken, with a note saying they are unsigned. The format and the matching
rules are specified in docs/package-format.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from baton.core.clock import Clock, utc_now
from baton.core.handoffs import HandoffRow, Handoffs
from baton.core.library import Library
from baton.core.models import EventKind, HandoffStatus
from baton.core.receipts import HandoffState, PlannedEvent, ReceiptPlan, Receipts
from baton.core.versions import ProcessVersionRow
from baton.errors import NotFound, UserError
from baton.handoff.documents import plan_steps
from baton.handoff.manifest import make_package_id
from baton.handoff.receipt_format import (
    MAX_RECEIPT_BYTES,
    Receipt,
    ReceiptStep,
    parse_receipt,
)

__all__ = ["ReceiptResult", "ReceiptStep", "import_receipt", "parse_receipt"]

FUTURE_SLACK = timedelta(days=1)  # clocks differ; a receipt from next year is a wrong clock
UNSIGNED_NOTE = (
    "This receipt comes from a package made before receipts were signed, so it was taken "
    "on trust; send the process again to get signed receipts."
)


@dataclass(frozen=True)
class ReceiptResult:
    """What importing a receipt changed (``ignored``: nothing, it was older)."""

    handoff: HandoffRow
    previous_status: HandoffStatus
    steps_done: int
    steps_total: int
    new_questions: int
    new_notes: int
    ignored: bool = False
    note: str | None = None  # what the receipt lacks, when it was taken anyway


def import_receipt(
    path: Path,
    handoffs: Handoffs,
    library: Library,
    receipts: Receipts,
    *,
    clock: Clock = utc_now,
) -> ReceiptResult:
    """Read a receipt file and put the assistant's progress on the handoff's timeline.

    Adds one question event per new question, one note event per new note (both by step),
    then a receipt-imported event with the steps done; the status moves to needs-help when
    a new question came in, to practising when steps are ticked, to acknowledged when the
    assistant saved a receipt with nothing ticked yet. It never moves back from supervised
    or independent. A receipt saved before the newest one already applied is recorded as
    ignored and changes nothing else.

    Returns:
        What changed.

    Raises:
        UserError: the file cannot be read or is malformed, the handoff is unknown here,
            revoked or not sent yet, the receipt is not signed for that handoff or does not
            match the package sent, or it was imported before.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RECEIPT_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"There is no receipt file at {path}.") from None
    except OSError as error:
        raise UserError(f"Cannot read {path.name}: {error.strerror or error}.") from None
    receipt = parse_receipt(data)
    handoff = _handoff(receipt, handoffs)
    note = _check_signature(receipt, receipts.key(handoff.id))
    positions = _check_matches(receipt, handoff, library)
    if receipt.saved_at > clock().replace(tzinfo=None) + FUTURE_SLACK:
        raise UserError(
            "This receipt says it was saved in the future; the assistant's computer clock "
            "is wrong. Nothing changed."
        )
    total = len(positions)
    outcome = receipts.take_in(
        handoff.id,
        receipt.content_sha256,
        receipt.saved_at,
        lambda state: _plan(receipt, state, total, hashlib.sha256(data).hexdigest()),
        also_known_as=hashlib.sha256(data).hexdigest(),
    )
    plan = outcome.plan
    return ReceiptResult(
        handoff=handoffs.get(handoff.id),
        previous_status=outcome.previous_status,
        steps_done=receipt.steps_done,
        steps_total=total,
        new_questions=sum(1 for e in plan.events if e.kind is EventKind.QUESTION) if plan else 0,
        new_notes=sum(1 for e in plan.events if e.kind is EventKind.NOTE) if plan else 0,
        ignored=not outcome.applied,
        note=note,
    )


def _handoff(receipt: Receipt, handoffs: Handoffs) -> HandoffRow:
    if receipt.handoff_id is None:
        raise UserError(
            "This receipt comes from a package that was not sent to anyone, so "
            "there is no handoff to update."
        )
    try:
        handoff = handoffs.get(receipt.handoff_id)
    except NotFound:
        raise UserError(
            f"This receipt is for handoff {receipt.handoff_id}, which is not in this library."
        ) from None
    if handoff.status is HandoffStatus.REVOKED:
        raise UserError("This receipt is for a handoff that was revoked; nothing changed.")
    if handoff.status is HandoffStatus.PREPARING:
        raise UserError(
            "This receipt is for a handoff whose package was never finished; nothing changed."
        )
    return handoff


def _check_signature(receipt: Receipt, key: str | None) -> str | None:
    """Refuse a receipt not signed with the handoff's key; returns a note for an
    unsigned receipt from a format 1 handoff (which has no key)."""
    if key is None:
        if receipt.format_version >= 2:
            raise UserError(
                "This receipt does not match the package sent for that handoff (it was "
                "edited, or comes from another library); nothing changed."
            )
        return UNSIGNED_NOTE
    if receipt.format_version < 2:
        raise UserError(
            "This receipt is not signed, but the package sent for that handoff signs its "
            "receipts: it was edited or made by hand. Nothing changed."
        )
    if not receipt.signed_with(key):
        raise UserError(
            "This receipt's signature does not match the package sent for that handoff "
            "(it was edited, or made from another assistant's package); nothing changed."
        )
    return None


def _check_matches(receipt: Receipt, handoff: HandoffRow, library: Library) -> set[int]:
    """The receipt names the package, process and version sent; returns their steps."""
    version = _version(handoff, library)
    expected = make_package_id(
        handoff.process_id,
        version.number,
        version.content_hash,
        handoff.id,
        format_version=receipt.format_version,
    )
    if (
        receipt.process_id != handoff.process_id
        or receipt.version != handoff.version_number
        or receipt.package_id != expected
    ):
        raise UserError(
            "This receipt does not match the package sent for that handoff (it was "
            "edited, or comes from another library); nothing changed."
        )
    positions = {step.entry.position for step in plan_steps(version.snapshot)}
    unknown = sorted({step.position for step in receipt.steps} - positions)
    if unknown:
        raise UserError(
            f"This receipt mentions step {unknown[0]}, which the version sent does "
            "not have; nothing changed."
        )
    return positions


def _version(handoff: HandoffRow, library: Library) -> ProcessVersionRow:
    for version in library.versions(handoff.process_id):
        if version.number == handoff.version_number:
            return version
    raise UserError("The process version of this handoff is gone from the library.")


def _plan(receipt: Receipt, state: HandoffState, total: int, file_sha256: str) -> ReceiptPlan:
    """What the receipt changes, given the handoff as it is now."""

    def seen(kind: EventKind, step: ReceiptStep, text: str) -> bool:
        return any(
            e.kind is kind and e.step_position == step.position and e.note == text
            for e in state.timeline
        )

    tag = {"source": "receipt", "package_id": receipt.package_id}
    questions = [
        PlannedEvent(EventKind.QUESTION, s.question, s.position, tag)
        for s in receipt.steps
        if s.question and not seen(EventKind.QUESTION, s, s.question)
    ]
    notes = [
        PlannedEvent(EventKind.NOTE, s.note, s.position, tag)
        for s in receipt.steps
        if s.note and not seen(EventKind.NOTE, s, s.note)
    ]
    done = [step for step in receipt.steps if step.done]
    return ReceiptPlan(
        events=tuple(questions + notes),
        summary=f"{len(done)} of {total} steps done",
        summary_data={
            **tag,
            "receipt_sha256": file_sha256,
            "content_sha256": receipt.content_sha256,
            "signed": receipt.mac is not None,
            "saved_at": receipt.saved_at.isoformat(),
            "steps_done": len(done),
            "steps_total": total,
            "done": {str(s.position): s.done_at.isoformat() if s.done_at else None for s in done},
            "open_questions": sum(1 for s in receipt.steps if s.question),
        },
        new_status=_next_status(state.status, receipt, bool(questions)),
    )


_LADDER = (
    HandoffStatus.SENT,
    HandoffStatus.ACKNOWLEDGED,
    HandoffStatus.PRACTISING,
    HandoffStatus.SUPERVISED,
    HandoffStatus.INDEPENDENT,
)


def _next_status(current: HandoffStatus, receipt: Receipt, new_question: bool) -> HandoffStatus:
    if new_question:
        return HandoffStatus.NEEDS_HELP
    open_question = any(step.question for step in receipt.steps)
    wanted = HandoffStatus.PRACTISING if receipt.steps_done else HandoffStatus.ACKNOWLEDGED
    if current is HandoffStatus.NEEDS_HELP:
        return current if open_question else wanted
    if current in _LADDER and _LADDER.index(current) < _LADDER.index(wanted):
        return wanted
    return current
