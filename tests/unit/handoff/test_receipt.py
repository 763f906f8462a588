"""Importing progress receipts: the handoff's status and timeline, and every refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.handoffs import HandoffRow, Handoffs
from baton.core.library import Library
from baton.core.models import EventKind, HandoffStatus
from baton.core.versions import ProcessVersionRow
from baton.errors import UserError
from baton.handoff.package import PackageInfo
from baton.handoff.receipt import import_receipt

Build = Callable[..., PackageInfo]


@pytest.fixture
def sent(
    build: Build, version: ProcessVersionRow, assistants: Assistants, handoffs: Handoffs
) -> tuple[HandoffRow, PackageInfo]:
    assistant = assistants.add(AssistantDraft(name="Ana Reyes"))
    handoff = handoffs.create(version.id, assistant.id)
    return handoff, build(version, handoff_id=handoff.id, assistant=assistant.name)


def receipt_for(
    package: PackageInfo,
    *,
    done: tuple[int, ...] = (),
    notes: dict[int, str] | None = None,
    questions: dict[int, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    manifest = package.manifest
    notes, questions = notes or {}, questions or {}
    receipt = {
        "format": "baton-receipt",
        "format_version": 1,
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
    return receipt


def write(tmp_path: Path, receipt: Any, name: str = "receipt.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(receipt) if not isinstance(receipt, str) else receipt)
    return path


def timeline(handoffs: Handoffs, handoff_id: int) -> list[tuple[str, str, int | None]]:
    return [(e.kind.value, e.note, e.step_position) for e in handoffs.events(handoff_id)]


def test_ticked_steps_move_the_handoff_to_practising(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    handoff, package = sent
    path = write(tmp_path, receipt_for(package, done=(1, 2), notes={1: "Took 5 minutes"}))
    result = import_receipt(path, handoffs, library)
    assert result.previous_status is HandoffStatus.SENT
    assert result.handoff.status is HandoffStatus.PRACTISING
    assert (result.steps_done, result.steps_total, result.new_notes) == (2, 3, 1)
    assert timeline(handoffs, handoff.id) == [
        ("sent", "", None),
        ("note", "Took 5 minutes", 1),
        ("receipt-imported", "2 of 3 steps done", None),
    ]
    event = handoffs.events(handoff.id)[-1]
    assert event.data["done"] == {"1": "2026-03-03T10:15:00", "2": "2026-03-03T10:15:00"}
    assert event.data["package_id"] == package.package_id


def test_a_question_asks_for_help_once(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    handoff, package = sent
    first = receipt_for(package, done=(1,), questions={3: "Which address for EU clients?"})
    result = import_receipt(write(tmp_path, first, "a.json"), handoffs, library)
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
    result = import_receipt(write(tmp_path, later, "b.json"), handoffs, library)
    assert result.new_questions == 0
    assert result.handoff.status is HandoffStatus.PRACTISING
    assert [k for k, _, _ in timeline(handoffs, handoff.id)].count("question") == 1


def test_questions_resolved_by_the_assistant_clear_needs_help(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    _, package = sent
    import_receipt(
        write(tmp_path, receipt_for(package, questions={1: "Where?"}), "a.json"), handoffs, library
    )
    result = import_receipt(
        write(tmp_path, receipt_for(package, done=(1,), saved_at="2026-03-05T08:00:00Z"), "b.json"),
        handoffs,
        library,
    )
    assert result.previous_status is HandoffStatus.NEEDS_HELP
    assert result.handoff.status is HandoffStatus.PRACTISING


def test_a_receipt_with_nothing_ticked_acknowledges(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    _, package = sent
    result = import_receipt(write(tmp_path, receipt_for(package)), handoffs, library)
    assert result.handoff.status is HandoffStatus.ACKNOWLEDGED


def test_status_never_moves_back_down_the_ladder(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    handoff, package = sent
    handoffs.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.SUPERVISED)
    result = import_receipt(write(tmp_path, receipt_for(package, done=(1,))), handoffs, library)
    assert result.handoff.status is HandoffStatus.SUPERVISED


def test_the_same_receipt_twice_is_refused(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    handoff, package = sent
    path = write(tmp_path, receipt_for(package, done=(1,)))
    import_receipt(path, handoffs, library)
    before = timeline(handoffs, handoff.id)
    with pytest.raises(UserError, match="already imported"):
        import_receipt(path, handoffs, library)
    assert timeline(handoffs, handoff.id) == before


def refused(
    sent: tuple[HandoffRow, PackageInfo],
    handoffs: Handoffs,
    library: Library,
    path: Path,
    message: str,
) -> None:
    handoff = sent[0]
    before = (timeline(handoffs, handoff.id), handoffs.get(handoff.id).status)
    with pytest.raises(UserError, match=message):
        import_receipt(path, handoffs, library)
    assert (timeline(handoffs, handoff.id), handoffs.get(handoff.id).status) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"handoff_id": 999}, "not in this library"),
        ({"handoff_id": None}, "not sent to anyone"),
        ({"package_id": "0" * 32}, "does not match the package"),
        ({"version": 2}, "does not match the package"),
        ({"process_id": 77}, "does not match the package"),
        ({"format": "baton-handoff"}, "not a Baton progress receipt"),
        ({"format_version": 2}, "newer Baton"),
        ({"package_id": "<script>"}, "malformed package id"),
        ({"saved_at": "yesterday"}, "not a date and time"),
        ({"steps": {"1": True}}, "not a list"),
    ],
)
def test_tampered_or_malformed_receipts_change_nothing(
    sent: tuple[HandoffRow, PackageInfo],
    handoffs: Handoffs,
    library: Library,
    tmp_path: Path,
    change: dict[str, Any],
    message: str,
) -> None:
    refused(
        sent, handoffs, library, write(tmp_path, receipt_for(sent[1], done=(1,), **change)), message
    )


@pytest.mark.parametrize(
    ("step_change", "message"),
    [
        ({"done": "yes"}, "true or false"),
        ({"position": 42}, "step 42, which the version sent does not have"),
        ({"note": "x" * 5001}, "longer than 5000"),
        ({"question": 5}, "must be text"),
        ({"done_at": "not a time"}, "not a date and time"),
    ],
)
def test_malformed_steps_change_nothing(
    sent: tuple[HandoffRow, PackageInfo],
    handoffs: Handoffs,
    library: Library,
    tmp_path: Path,
    step_change: dict[str, Any],
    message: str,
) -> None:
    receipt = receipt_for(sent[1], done=(1,), questions={2: "A question that must not land"})
    receipt["steps"][0].update(step_change)
    refused(sent, handoffs, library, write(tmp_path, receipt), message)


def test_unreadable_files_change_nothing(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    refused(sent, handoffs, library, write(tmp_path, "{not json"), "not valid JSON")
    refused(sent, handoffs, library, write(tmp_path, "[]"), "not a JSON object")
    refused(sent, handoffs, library, write(tmp_path, " " * (5 << 20)), "too big")
    refused(sent, handoffs, library, tmp_path / "missing.json", "no receipt file")
    duplicate = receipt_for(sent[1])
    duplicate["steps"].append(dict(duplicate["steps"][0]))
    refused(sent, handoffs, library, write(tmp_path, duplicate), "same step twice")


def test_a_revoked_handoff_refuses_receipts(
    sent: tuple[HandoffRow, PackageInfo], handoffs: Handoffs, library: Library, tmp_path: Path
) -> None:
    handoff, package = sent
    handoffs.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.REVOKED)
    refused(sent, handoffs, library, write(tmp_path, receipt_for(package, done=(1,))), "revoked")
