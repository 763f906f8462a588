"""Processes: create, edit, find, delete, versions, lost-update protection."""

from __future__ import annotations

from datetime import datetime

import pytest

from baton.core.clock import ManualClock
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft, RecordingInfo
from baton.core.models import Audience, Process, ProcessStatus, Step
from baton.core.steps import StepContent
from baton.core.versions import ProcessVersionRow
from baton.errors import ConflictError, NotFound, UserError


def test_add_and_list_with_search(library: Library) -> None:
    library.add_process(ProcessDraft("Pay supplier invoices", summary="Every Friday"))
    library.add_process(ProcessDraft("answer support email", audience=Audience.CUSTOMER_FACING))
    titles = [row.title for row in library.list_processes()]
    assert titles == ["answer support email", "Pay supplier invoices"]
    assert [r.title for r in library.list_processes("FRIDAY")] == ["Pay supplier invoices"]
    assert library.list_processes("nothing like this") == []


def test_validation_rejects_bad_input(library: Library) -> None:
    with pytest.raises(UserError, match="needs a title"):
        library.add_process(ProcessDraft("   "))
    with pytest.raises(UserError, match="Minutes per run"):
        library.add_process(ProcessDraft("x", minutes_per_run=-5))
    assert library.list_processes() == []


def test_update_keeps_hours_and_bumps_updated_time(library: Library, clock: ManualClock) -> None:
    row = library.add_process(ProcessDraft("Payroll", minutes_per_run=45, runs_per_week=2))
    assert row.hours_per_week == pytest.approx(1.5)
    clock.now = datetime(2026, 3, 3, 10, 0)
    saved = library.update_process(
        row.id, ProcessDraft("Payroll run", status=ProcessStatus.READY), expected_version=1
    )
    assert saved.title == "Payroll run"
    assert saved.status is ProcessStatus.READY
    assert saved.updated_at.startswith("2026-03-03")
    assert saved.row_version == 2


def test_stale_edit_is_refused_not_overwritten(library: Library) -> None:
    row = library.add_process(ProcessDraft("Payroll"))
    library.update_process(row.id, ProcessDraft("Payroll (mine)"), expected_version=1)
    with pytest.raises(ConflictError, match="changed by someone else"):
        library.update_process(row.id, ProcessDraft("Payroll (theirs)"), expected_version=1)
    assert library.get(row.id).title == "Payroll (mine)"


def test_two_sessions_cannot_lose_an_update(library: Library, database: Database) -> None:
    row = library.add_process(ProcessDraft("Payroll"))
    with database.sessions() as first, database.sessions() as second:
        mine = first.get(Process, row.id)
        theirs = second.get(Process, row.id)
        assert mine is not None
        assert theirs is not None
        mine.title = "first"
        first.commit()
        theirs.title = "second"
        with pytest.raises(Exception, match="expected to update 1 row"):
            second.commit()
    assert library.get(row.id).title == "first"


def test_find_by_id_or_exact_title(library: Library) -> None:
    row = library.add_process(ProcessDraft("Order stock"))
    assert library.find(str(row.id)).title == "Order stock"
    assert library.find("Order stock").id == row.id
    with pytest.raises(NotFound):
        library.find("order")
    library.add_process(ProcessDraft("Order stock"))
    with pytest.raises(UserError, match="use the id"):
        library.find("Order stock")


def test_delete_removes_steps(library: Library, database: Database) -> None:
    row = library.add_process(ProcessDraft("Backups"))
    with database.sessions() as session:
        session.add(Step(process_id=row.id, position=1, title="Open the NAS"))
        session.commit()
    assert library.get(row.id).step_count == 1
    library.delete_process(row.id)
    with database.sessions() as session:
        assert session.query(Step).count() == 0
    with pytest.raises(NotFound):
        library.get(row.id)


def test_did_it_myself_counts(library: Library) -> None:
    row = library.add_process(ProcessDraft("Reconcile the bank"))
    library.did_it_myself(row.id)
    assert library.did_it_myself(row.id).times_done_myself == 2


def test_versions_freeze_only_when_something_changed(
    library: Library, database: Database
) -> None:
    row = library.add_process(ProcessDraft("Ship orders"))
    with database.sessions() as session:
        session.add(Step(process_id=row.id, position=1, title="Print the labels"))
        session.commit()
    first = library.freeze_version(row.id, "first handoff")
    again = library.freeze_version(row.id)
    assert (first.number, again.number, again.id) == (1, 1, first.id)
    assert first.snapshot["steps"][0]["title"] == "Print the labels"
    library.update_process(row.id, ProcessDraft("Ship orders today"))
    second = library.freeze_version(row.id, "renamed")
    assert second.number == 2
    assert second.content_hash != first.content_hash
    assert [v.number for v in library.versions(row.id)] == [1, 2]


def test_an_imported_process_comes_in_whole_with_a_free_title(
    library: Library, database: Database
) -> None:
    library.add_process(ProcessDraft("Ship orders"))
    recording = RecordingInfo(media="ab" * 32 + ".mp4", duration=3.0, size=10, fps=10.0,
                              width=320, height=240)
    steps = [StepContent(title="Print the labels", click_x=4, click_y=5, video_time=1.5),
             StepContent(title="Book the courier", caution="Before 3 pm")]
    row = library.add_imported(
        ProcessDraft("Ship orders", status=ProcessStatus.READY), steps, recording
    )
    assert (row.title, row.status, row.step_count, row.has_recording) == (
        "Ship orders (imported)", ProcessStatus.READY, 2, True)
    snapshot = library.snapshot(row.id)
    assert [(s["position"], s["title"]) for s in snapshot["steps"]] == [
        (1, "Print the labels"), (2, "Book the courier")]
    assert snapshot["steps"][0]["click"] == [4, 5]
    assert snapshot["recording"] == recording.media
    again = library.add_imported(ProcessDraft("Ship orders"), [])
    assert again.title == "Ship orders (imported 2)"
    assert not again.has_recording


def test_a_bad_step_imports_nothing(library: Library, database: Database) -> None:
    with pytest.raises(UserError, match="at most 5000"):
        library.add_imported(ProcessDraft("Ship orders"),
                             [StepContent(title="Fine"), StepContent(caution="x" * 5001)])
    assert library.list_processes() == []
    with database.sessions() as session:
        assert session.query(Step).count() == 0


def test_versions_are_plain_rows(library: Library) -> None:
    row = library.add_process(ProcessDraft("Ship orders"))
    pending = library.pending_version(row.id)
    assert isinstance(pending, ProcessVersionRow)
    assert (pending.id, pending.number) == (0, 1)
    frozen = library.freeze_version(row.id, "  first  ")
    assert isinstance(frozen, ProcessVersionRow)
    assert frozen.id > 0
    assert (frozen.changelog, frozen.content_hash) == ("first", pending.content_hash)
    assert library.versions(row.id) == [frozen]
    assert library.pending_version(row.id) == frozen
