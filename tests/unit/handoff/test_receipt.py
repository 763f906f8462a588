"""Importing progress receipts: status and timeline, signatures, order, and every refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.db import Database
from baton.core.handoffs import HandoffRow, Handoffs
from baton.core.library import Library
from baton.core.models import EventKind, Handoff, HandoffReceipt, HandoffStatus
from baton.core.receipts import PlannedEvent, ReceiptPlan, Receipts
from baton.core.versions import ProcessVersionRow
from baton.errors import UserError
from baton.handoff.manifest import make_package_id
from baton.handoff.package import PackageInfo
from baton.handoff.receipt import import_receipt
from baton.handoff.receipt_format import canonical_content, receipt_mac

Build = Callable[..., PackageInfo]
Sent = tuple[HandoffRow, PackageInfo]


@pytest.fixture
def receipts(database: Database, clock: Any) -> Receipts:
    return Receipts(database.sessions, clock)


def send_to(
    name: str, build: Build, version: ProcessVersionRow, handoffs: Handoffs, receipts: Receipts,
    assistants: Assistants,
) -> Sent:
    assistant = assistants.add(AssistantDraft(name=name))
    handoff = handoffs.create(version.id, assistant.id)
    package = build(
        version,
        f"{name}.zip",
        handoff_id=handoff.id,
        assistant=name,
        receipt_key=receipts.key(handoff.id),
    )
    return handoff, package


@pytest.fixture
def sent(
    build: Build, version: ProcessVersionRow, handoffs: Handoffs, receipts: Receipts,
    assistants: Assistants,
) -> Sent:
    return send_to("Ana Reyes", build, version, handoffs, receipts, assistants)


def signed(document: dict[str, Any], key: str | None) -> dict[str, Any]:
    """The receipt as the viewer saves it: with the MAC over its canonical content."""
    document = {k: v for k, v in document.items() if k != "mac"}
    if key is not None:
        document["mac"] = receipt_mac(key, canonical_content(document))
    return document


def receipt_for(
    package: PackageInfo,
    *,
    done: tuple[int, ...] = (),
    notes: dict[int, str] | None = None,
    questions: dict[int, str] | None = None,
    key: str | None = "package",
    **overrides: Any,
) -> dict[str, Any]:
    """A receipt as the package's page would save it (signed with its key unless
    ``key`` is None or another key)."""
    manifest = package.manifest
    notes, questions = notes or {}, questions or {}
    receipt = {
        "format": "baton-receipt",
        "format_version": 2,
        "package_id": manifest.package_id,
        "handoff_id": manifest.handoff_id,
        "process_id": manifest.process.id,
        "version": manifest.process.version,
        "steps": [
            {
                "position": step.position,
                "done": step.position in done,
                "done_at": "2026-03-03T10:15:00.000Z" if step.position in done else None,
                "note": notes.get(step.position, ""),
                "question": questions.get(step.position, ""),
            }
            for step in manifest.steps
        ],
        "saved_at": "2026-03-03T10:20:00.000Z",
    }
    receipt.update(overrides)
    return signed(receipt, manifest.receipt_key if key == "package" else key)


def write(tmp_path: Path, receipt: Any, name: str = "receipt.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(receipt) if not isinstance(receipt, str) else receipt)
    return path


def timeline(handoffs: Handoffs, handoff_id: int) -> list[tuple[str, str, int | None]]:
    return [(e.kind.value, e.note, e.step_position) for e in handoffs.events(handoff_id)]


@pytest.fixture
def run(handoffs: Handoffs, library: Library, receipts: Receipts) -> Any:
    def go(path: Path) -> Any:
        today = datetime(2026, 3, 10, 12, 0)  # the receipts below were saved before it
        return import_receipt(path, handoffs, library, receipts, clock=lambda: today)

    return go


def test_ticked_steps_move_the_handoff_to_practising(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    path = write(tmp_path, receipt_for(package, done=(1, 2), notes={1: "Took 5 minutes"}))
    result = run(path)
    assert result.previous_status is HandoffStatus.SENT
    assert result.handoff.status is HandoffStatus.PRACTISING
    assert (result.steps_done, result.steps_total, result.new_notes) == (2, 3, 1)
    assert (result.ignored, result.note) == (False, None)
    assert timeline(handoffs, handoff.id) == [
        ("sent", "", None),
        ("note", "Took 5 minutes", 1),
        ("receipt-imported", "2 of 3 steps done", None),
    ]
    event = handoffs.events(handoff.id)[-1]
    assert event.data["done"] == {"1": "2026-03-03T10:15:00", "2": "2026-03-03T10:15:00"}
    assert event.data["package_id"] == package.package_id
    assert event.data["signed"] is True


def test_a_question_asks_for_help_once(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    first = receipt_for(package, done=(1,), questions={3: "Which address for EU clients?"})
    result = run(write(tmp_path, first, "a.json"))
    assert result.handoff.status is HandoffStatus.NEEDS_HELP
    assert result.new_questions == 1
    assert ("question", "Which address for EU clients?", 3) in timeline(handoffs, handoff.id)
    # The owner answers at a check-in; a later receipt still carrying the old question
    # does not repeat it or flip the status back.
    handoffs.add_event(
        handoff.id, EventKind.CHECK_IN, "Answered", new_status=HandoffStatus.PRACTISING
    )
    later = receipt_for(
        package,
        done=(1, 2),
        questions={3: "Which address for EU clients?"},
        saved_at="2026-03-04T09:00:00Z",
    )
    result = run(write(tmp_path, later, "b.json"))
    assert result.new_questions == 0
    assert result.handoff.status is HandoffStatus.PRACTISING
    assert [k for k, _, _ in timeline(handoffs, handoff.id)].count("question") == 1


def test_questions_resolved_by_the_assistant_clear_needs_help(
    sent: Sent, run: Any, tmp_path: Path
) -> None:
    _, package = sent
    run(write(tmp_path, receipt_for(package, questions={1: "Where?"}), "a.json"))
    later = receipt_for(package, done=(1,), saved_at="2026-03-05T08:00:00Z")
    result = run(write(tmp_path, later, "b.json"))
    assert result.previous_status is HandoffStatus.NEEDS_HELP
    assert result.handoff.status is HandoffStatus.PRACTISING


def test_a_receipt_with_nothing_ticked_acknowledges(sent: Sent, run: Any, tmp_path: Path) -> None:
    result = run(write(tmp_path, receipt_for(sent[1])))
    assert result.handoff.status is HandoffStatus.ACKNOWLEDGED


def test_status_never_moves_back_down_the_ladder(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    handoffs.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.SUPERVISED)
    result = run(write(tmp_path, receipt_for(package, done=(1,))))
    assert result.handoff.status is HandoffStatus.SUPERVISED


def state(handoffs: Handoffs, handoff_id: int) -> tuple[Any, ...]:
    row = handoffs.get(handoff_id)
    return (timeline(handoffs, handoff_id), row.status, row.last_event_at)


def refused(handoffs: Handoffs, run: Any, handoff_id: int, path: Path, message: str) -> None:
    before = state(handoffs, handoff_id)
    with pytest.raises(UserError, match=message):
        run(path)
    assert state(handoffs, handoff_id) == before


def test_the_same_receipt_counts_once_even_re_serialised(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    receipt = receipt_for(package, done=(1,))
    run(write(tmp_path, receipt))
    refused(handoffs, run, handoff.id, write(tmp_path, receipt, "again.json"), "already imported")
    # Compact, keys in another order, non-ASCII escaped: the same content.
    other = json.dumps(dict(reversed(list(receipt.items()))), separators=(",", ":"))
    refused(handoffs, run, handoff.id, write(tmp_path, other, "compact.json"), "already imported")
    assert [k for k, _, _ in timeline(handoffs, handoff.id)].count("receipt-imported") == 1


def test_an_older_receipt_is_recorded_as_ignored_and_changes_nothing(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path, database: Database
) -> None:
    handoff, package = sent
    older = receipt_for(package, saved_at="2026-03-03T08:00:00.000Z")
    newer = receipt_for(package, done=(1, 2, 3), saved_at="2026-03-03T09:00:00.000Z")
    run(write(tmp_path, newer, "newer.json"))
    before = handoffs.get(handoff.id)
    result = run(write(tmp_path, older, "older.json"))
    assert result.ignored
    assert result.previous_status is HandoffStatus.PRACTISING
    after = handoffs.get(handoff.id)
    assert (after.status, after.last_event_at) == (before.status, before.last_event_at)
    events = handoffs.events(handoff.id)
    assert [e.kind for e in events][-2:] == [EventKind.RECEIPT_IMPORTED, EventKind.RECEIPT_IGNORED]
    assert events[-2].data["steps_done"] == 3  # the newest progress is still the last
    assert events[-1].data["newest_saved_at"] == "2026-03-03T09:00:00"
    with database.sessions() as session:
        flags = session.scalars(select(HandoffReceipt.applied).order_by(HandoffReceipt.id))
        assert list(flags) == [True, False]
    # The ignored receipt is remembered too: importing it again counts nothing more.
    refused(handoffs, run, handoff.id, write(tmp_path, older, "older2.json"), "already imported")


def test_a_receipt_saved_in_the_same_instant_as_the_newest_is_not_newer(
    sent: Sent, run: Any, tmp_path: Path
) -> None:
    _, package = sent
    run(write(tmp_path, receipt_for(package, done=(1,)), "a.json"))
    result = run(write(tmp_path, receipt_for(package, done=(1, 2)), "b.json"))
    assert result.ignored


def test_a_receipt_forged_by_another_assistant_is_refused(
    sent: Sent,
    build: Build,
    version: ProcessVersionRow,
    handoffs: Handoffs,
    receipts: Receipts,
    assistants: Assistants,
    run: Any,
    tmp_path: Path,
) -> None:
    """Ben holds his own package of the same version; he knows Ana's handoff id and can
    compute her package id, but not her receipt key."""
    ana, _ = sent
    _, ben_package = send_to("Ben", build, version, handoffs, receipts, assistants)
    forged = receipt_for(
        ben_package,
        done=(1, 2, 3),
        key=ben_package.manifest.receipt_key,
        handoff_id=ana.id,
        package_id=make_package_id(version.process_id, version.number, version.content_hash,
                                   ana.id),
    )
    refused(handoffs, run, ana.id, write(tmp_path, forged), "signature does not match")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"saved_at": "2026-03-09T00:00:00Z"}, "signature does not match"),
        ({"mac": "0" * 64}, "signature does not match"),
        ({"mac": None}, "no valid signature"),
        ({"format_version": 1, "mac": None}, "not signed"),
    ],
)
def test_an_edited_or_unsigned_receipt_is_refused(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    handoff, package = sent
    receipt = receipt_for(package, done=(1,)) | change
    if receipt["mac"] is None:
        del receipt["mac"]
    refused(handoffs, run, handoff.id, write(tmp_path, receipt), message)


def test_receipts_of_handoffs_sent_before_signing_are_taken_with_a_note(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path, database: Database
) -> None:
    handoff, package = sent
    with database.sessions.begin() as session:  # as the 0004 migration leaves old handoffs
        session.execute(update(Handoff).where(Handoff.id == handoff.id).values(receipt_key=None))
    version = package.manifest.process
    legacy_id = make_package_id(version.id, version.version, version.content_hash, handoff.id,
                                format_version=1)
    old = receipt_for(package, done=(1,), key=None, format_version=1, package_id=legacy_id)
    result = run(write(tmp_path, old))
    assert result.handoff.status is HandoffStatus.PRACTISING
    assert result.note is not None
    assert "taken on trust" in result.note
    assert handoffs.events(handoff.id)[-1].data["signed"] is False
    # A signed receipt cannot belong to such a handoff.
    new = receipt_for(package, done=(1, 2), saved_at="2026-03-04T00:00:00Z")
    refused(handoffs, run, handoff.id, write(tmp_path, new, "new.json"), "does not match")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"handoff_id": 999}, "not in this library"),
        ({"handoff_id": None}, "not sent to anyone"),
        ({"package_id": "0" * 32}, "does not match the package"),
        ({"version": 2}, "does not match the package"),
        ({"process_id": 77}, "does not match the package"),
        ({"format": "baton-handoff"}, "not a Baton progress receipt"),
        ({"format_version": 3}, "newer Baton"),
        ({"package_id": "<script>"}, "malformed package id"),
        ({"saved_at": "yesterday"}, "not a date and time"),
        ({"saved_at": "0001-01-01T00:00:00+01:00"}, "not a date and time"),
        ({"saved_at": "2027-03-03T10:20:00Z"}, "saved in the future"),
        ({"steps": {"1": True}}, "not a list"),
    ],
)
def test_tampered_or_malformed_receipts_change_nothing(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    handoff, package = sent
    receipt = receipt_for(package, done=(1,), **change)  # signed after the change
    refused(handoffs, run, handoff.id, write(tmp_path, receipt), message)


def test_an_integer_python_cannot_read_is_refused(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    text = json.dumps(receipt_for(package)).replace('"version": 1', '"version": 1' + "0" * 5000)
    refused(handoffs, run, handoff.id, write(tmp_path, text), "not valid JSON")


@pytest.mark.parametrize(
    ("step_change", "message"),
    [
        ({"done": "yes"}, "true or false"),
        ({"position": 42}, "step 42, which the version sent does not have"),
        ({"note": "x" * 5001}, "longer than 5000"),
        ({"question": 5}, "must be text"),
        ({"done_at": "not a time"}, "not a date and time"),
        ({"note": "a bell \a rings"}, "not text"),
    ],
)
def test_malformed_steps_change_nothing(
    sent: Sent,
    handoffs: Handoffs,
    run: Any,
    tmp_path: Path,
    step_change: dict[str, Any],
    message: str,
) -> None:
    handoff, package = sent
    receipt = receipt_for(package, done=(1,), questions={2: "A question that must not land"})
    receipt["steps"][0].update(step_change)
    path = write(tmp_path, signed(receipt, package.manifest.receipt_key))
    refused(handoffs, run, handoff.id, path, message)


def test_a_lone_surrogate_after_a_good_question_commits_nothing(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    receipt = receipt_for(package, questions={1: "A good question"}, notes={3: "PLACEHOLDER"})
    text = json.dumps(receipt).replace("PLACEHOLDER", "bad \\udc80 half")
    refused(handoffs, run, handoff.id, write(tmp_path, text), "not text")


def test_unreadable_files_change_nothing(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent

    def no(path: Path, message: str) -> None:
        refused(handoffs, run, handoff.id, path, message)

    no(write(tmp_path, "{not json"), "not valid JSON")
    no(write(tmp_path, "[]"), "not a JSON object")
    no(write(tmp_path, " " * (5 << 20)), "too big")
    no(tmp_path / "missing.json", "no receipt file")
    no(write(tmp_path, '{"format": "baton-receipt", "format_version": NaN}'), "not valid JSON")
    duplicate = receipt_for(package)
    duplicate["steps"].append(dict(duplicate["steps"][0]))
    no(write(tmp_path, signed(duplicate, package.manifest.receipt_key)), "same step twice")


def test_a_revoked_handoff_refuses_receipts(
    sent: Sent, handoffs: Handoffs, run: Any, tmp_path: Path
) -> None:
    handoff, package = sent
    handoffs.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.REVOKED)
    refused(handoffs, run, handoff.id, write(tmp_path, receipt_for(package, done=(1,))), "revoked")


def test_taking_in_a_receipt_is_one_transaction(
    sent: Sent, handoffs: Handoffs, receipts: Receipts, database: Database
) -> None:
    """A failure after the first event is written leaves no event and no receipt."""
    handoff, _ = sent
    before = state(handoffs, handoff.id)

    def plan(_: Any) -> ReceiptPlan:
        question = PlannedEvent(EventKind.QUESTION, "Lands first", 1)
        return ReceiptPlan((question,), "1 of 3 steps done", {"bad": object()},
                           HandoffStatus.NEEDS_HELP)

    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the database layer raises
        receipts.take_in(handoff.id, "e" * 64, handoffs.get(handoff.id).sent_at, plan)
    assert state(handoffs, handoff.id) == before
    with database.sessions() as session:
        assert session.scalar(select(func.count(HandoffReceipt.id))) == 0
