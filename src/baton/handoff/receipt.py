"""Progress receipts: the JSON an assistant saves from the viewer, imported back by the owner.

A receipt (format ``baton-receipt``, version 1) names the package, handoff, process and
version and lists, per step, whether it is done (and when), a note and a question. Import
checks the file completely first: its shape and sizes, that the handoff exists here and is
not revoked, and that the package id matches the one Baton derives for that handoff (a
receipt edited or taken from another library does not). Only then does the handoff's
timeline get its events and its status move; a refused receipt changes nothing. The format
and the matching rules are specified in docs/package-format.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baton.core.handoffs import HandoffEventRow, HandoffRow, Handoffs
from baton.core.library import Library
from baton.core.models import EventKind, HandoffStatus
from baton.core.versions import ProcessVersionRow
from baton.errors import NotFound, UserError
from baton.handoff import fields
from baton.handoff.documents import plan_steps
from baton.handoff.fields import Invalid
from baton.handoff.manifest import MAX_ID, MAX_STEPS, make_package_id

FORMAT = "baton-receipt"
FORMAT_VERSION = 1
MAX_RECEIPT_BYTES = 4 << 20
MAX_NOTE = 5000


@dataclass(frozen=True)
class ReceiptStep:
    """One step as the assistant left it."""

    position: int
    done: bool
    done_at: datetime | None
    note: str
    question: str


@dataclass(frozen=True)
class Receipt:
    """A parsed, well-formed receipt (not yet matched against a handoff)."""

    package_id: str
    handoff_id: int | None
    process_id: int
    version: int
    steps: tuple[ReceiptStep, ...]
    saved_at: datetime

    @property
    def steps_done(self) -> int:
        """How many steps are ticked."""
        return sum(1 for step in self.steps if step.done)


@dataclass(frozen=True)
class ReceiptResult:
    """What importing a receipt changed."""

    handoff: HandoffRow
    previous_status: HandoffStatus
    steps_done: int
    steps_total: int
    new_questions: int
    new_notes: int


def parse_receipt(data: bytes) -> Receipt:
    """Parse and check a receipt's JSON.

    Raises:
        Invalid: not JSON, not a receipt, a newer format, or a malformed field.
    """
    if len(data) > MAX_RECEIPT_BYTES:
        raise Invalid("This file is too big to be a progress receipt.")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise Invalid("This file is not a progress receipt (it is not valid JSON).") from None
    top = fields.as_object(raw, "This receipt")
    if top.get("format") != FORMAT:
        raise Invalid("This file is not a Baton progress receipt.")
    version = top.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Invalid("This receipt has no valid format version.")
    if version > FORMAT_VERSION:
        raise Invalid(
            f"This receipt uses format version {version}, from a newer Baton; "
            "update Baton to import it."
        )
    what = "This receipt"
    package_id = fields.text(top, "package_id", what, max_len=64)
    if len(package_id) != 32 or any(ch not in "0123456789abcdef" for ch in package_id):
        raise Invalid("This receipt has a malformed package id.")
    items = fields.as_list(top.get("steps"), "This receipt's steps", max_items=MAX_STEPS)
    steps = tuple(_step(item) for item in items)
    if len({step.position for step in steps}) != len(steps):
        raise Invalid("This receipt lists the same step twice.")
    return Receipt(
        package_id=package_id,
        handoff_id=fields.optional_integer(top, "handoff_id", what, minimum=1, maximum=MAX_ID),
        process_id=fields.integer(top, "process_id", what, minimum=1, maximum=MAX_ID),
        version=fields.integer(top, "version", what, minimum=0, maximum=MAX_ID),
        steps=steps,
        saved_at=_when(top.get("saved_at"), "saved_at"),
    )


def _step(value: Any) -> ReceiptStep:
    what = "A step in this receipt"
    obj = fields.as_object(value, what)
    done = fields.boolean(obj, "done", what)
    done_at = obj.get("done_at")
    return ReceiptStep(
        position=fields.integer(obj, "position", what, minimum=0, maximum=MAX_ID),
        done=done,
        done_at=_when(done_at, "done_at") if done and done_at is not None else None,
        note=fields.text(obj, "note", what, max_len=MAX_NOTE, default="").strip(),
        question=fields.text(obj, "question", what, max_len=MAX_NOTE, default="").strip(),
    )


def _when(value: Any, key: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid(f"This receipt's {key!r} is not a date and time.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"This receipt's {key!r} is not a date and time.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def import_receipt(path: Path, handoffs: Handoffs, library: Library) -> ReceiptResult:
    """Read a receipt file and put the assistant's progress on the handoff's timeline.

    Adds one question event per new question, one note event per new note (both by step),
    then a receipt-imported event with the steps done; the status moves to needs-help when
    a new question came in, to practising when steps are ticked, to acknowledged when the
    assistant saved a receipt with nothing ticked yet. It never moves back from supervised
    or independent.

    Returns:
        What changed.

    Raises:
        UserError: the file cannot be read or is malformed, the handoff is unknown here or
            revoked, the receipt does not match the package sent, or it was imported before.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RECEIPT_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"There is no receipt file at {path}.") from None
    except OSError as error:
        raise UserError(f"Cannot read {path.name}: {error.strerror or error}.") from None
    receipt = parse_receipt(data)
    handoff = _matching_handoff(receipt, handoffs, library)
    receipt_hash = hashlib.sha256(data).hexdigest()
    events = handoffs.events(handoff.id)
    if any(
        event.kind is EventKind.RECEIPT_IMPORTED
        and event.data.get("receipt_sha256") == receipt_hash
        for event in events
    ):
        raise UserError("This receipt was already imported; nothing changed.")
    questions = [
        s
        for s in receipt.steps
        if s.question and not _seen(events, EventKind.QUESTION, s.position, s.question)
    ]
    notes = [
        s for s in receipt.steps if s.note and not _seen(events, EventKind.NOTE, s.position, s.note)
    ]
    total = len(_positions(handoff, library))
    status = _next_status(handoff.status, receipt, bool(questions))
    tag = {"source": "receipt", "package_id": receipt.package_id}
    for step in questions:
        handoffs.add_event(
            handoff.id, EventKind.QUESTION, step.question, step_position=step.position, data=tag
        )
    for step in notes:
        handoffs.add_event(
            handoff.id, EventKind.NOTE, step.note, step_position=step.position, data=tag
        )
    done = [step for step in receipt.steps if step.done]
    row = handoffs.add_event(
        handoff.id,
        EventKind.RECEIPT_IMPORTED,
        f"{len(done)} of {total} steps done",
        new_status=status,
        data={
            **tag,
            "receipt_sha256": receipt_hash,
            "saved_at": receipt.saved_at.isoformat(),
            "steps_done": len(done),
            "steps_total": total,
            "done": {str(s.position): s.done_at.isoformat() if s.done_at else None for s in done},
            "open_questions": sum(1 for s in receipt.steps if s.question),
        },
    )
    return ReceiptResult(
        handoff=row,
        previous_status=handoff.status,
        steps_done=len(done),
        steps_total=total,
        new_questions=len(questions),
        new_notes=len(notes),
    )


def _matching_handoff(receipt: Receipt, handoffs: Handoffs, library: Library) -> HandoffRow:
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
    expected = _expected_package_id(handoff, library)
    if (
        receipt.process_id != handoff.process_id
        or receipt.version != handoff.version_number
        or receipt.package_id != expected
    ):
        raise UserError(
            "This receipt does not match the package sent for that handoff (it was "
            "edited, or comes from another library); nothing changed."
        )
    positions = _positions(handoff, library)
    unknown = sorted({step.position for step in receipt.steps} - positions)
    if unknown:
        raise UserError(
            f"This receipt mentions step {unknown[0]}, which the version sent does "
            "not have; nothing changed."
        )
    return handoff


def _version(handoff: HandoffRow, library: Library) -> ProcessVersionRow:
    for version in library.versions(handoff.process_id):
        if version.number == handoff.version_number:
            return version
    raise UserError("The process version of this handoff is gone from the library.")


def _expected_package_id(handoff: HandoffRow, library: Library) -> str:
    version = _version(handoff, library)
    return make_package_id(handoff.process_id, version.number, version.content_hash, handoff.id)


def _positions(handoff: HandoffRow, library: Library) -> set[int]:
    return {step.entry.position for step in plan_steps(_version(handoff, library).snapshot)}


def _seen(events: list[HandoffEventRow], kind: EventKind, position: int, text: str) -> bool:
    return any(e.kind is kind and e.step_position == position and e.note == text for e in events)


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
