"""Lifecycle, trust ladder, stale versions, CSV, and concurrent writers (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import threading
from datetime import date
from pathlib import Path
from typing import Any

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.changes import Changes, diff_snapshots
from baton.core.dashboard import Dashboard
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.ladder import TrustLadder
from baton.core.library import Library, ProcessDraft
from baton.core.models import Audience, Complexity, EventKind, HandoffStatus, ProcessStatus, Step
from baton.core.reports import write_handoffs_csv
from baton.errors import ConflictError


def ready(library: Library, title: str, **details: Any) -> int:
    return library.add_process(ProcessDraft(title, status=ProcessStatus.READY, **details)).id


def test_lifecycle_events_record_each_move(
    library: Library, assistants: Assistants, handoffs: Handoffs
) -> None:
    process = ready(library, "Invoices")
    ana = assistants.add(AssistantDraft("Ana")).id
    handoff = handoffs.create(library.freeze_version(process).id, ana).id
    for status in (HandoffStatus.ACKNOWLEDGED, HandoffStatus.PRACTISING,
                   HandoffStatus.SUPERVISED, HandoffStatus.INDEPENDENT):
        handoffs.check_in(handoff, status, f"now {status.value}")
    handoffs.set_due(handoff, date(2026, 4, 1))
    events = handoffs.events(handoff)
    assert [e.kind for e in events] == [EventKind.SENT] + [EventKind.CHECK_IN] * 4
    assert events[-1].data == {"from": "supervised", "to": "independent"}
    assert handoffs.get(handoff).due_on == date(2026, 4, 1)
    handoffs.revoke(handoff, "moved to another role")
    assert handoffs.get(handoff).status is HandoffStatus.REVOKED


def test_trust_ladder_suggests_internal_simple_first_and_warns(
    library: Library, assistants: Assistants, handoffs: Handoffs, database: Database
) -> None:
    ladder = TrustLadder(database.sessions)
    simple = ready(library, "File receipts", minutes_per_run=10, runs_per_week=5)
    ready(library, "Reconcile bank", complexity=Complexity.COMPLEX)
    customer = ready(library, "Answer support email", audience=Audience.CUSTOMER_FACING)
    ana = assistants.add(AssistantDraft("Ana")).id
    assert [s.title for s in ladder.suggestions(ana)] == ["File receipts", "Reconcile bank"]
    warning = ladder.warning(customer, ana)
    assert warning is not None
    assert "customer-facing" in warning
    assert ladder.warning(simple, ana) is None

    handoff = handoffs.create(library.freeze_version(simple).id, ana).id
    handoffs.check_in(handoff, HandoffStatus.INDEPENDENT)
    assert ladder.warning(customer, ana) is None
    assert [s.title for s in ladder.suggestions(ana)] == ["Reconcile bank", "Answer support email"]


def test_stale_handoffs_list_step_changes(
    library: Library, assistants: Assistants, handoffs: Handoffs, database: Database
) -> None:
    process = ready(library, "Ship orders")
    with database.sessions() as session:
        session.add_all([Step(process_id=process, position=1, title="Print labels"),
                         Step(process_id=process, position=2, title="Book courier")])
        session.commit()
    ana = assistants.add(AssistantDraft("Ana")).id
    ben = assistants.add(AssistantDraft("Ben")).id
    v1 = library.freeze_version(process)
    handoffs.create(v1.id, ana)
    handoffs.create(v1.id, ben)
    with database.sessions() as session:
        steps = session.query(Step).order_by(Step.position).all()
        steps[0].instruction = "Use the thermal printer"
        session.delete(steps[1])
        session.add(Step(process_id=process, position=2, title="Email the customer"))
        session.commit()
    v2 = library.freeze_version(process, "new courier flow")
    handoffs.create(v2.id, ben)  # Ben already has the new one
    changes = Changes(database.sessions)
    [stale] = changes.stale_handoffs(process)
    assert (stale.assistant_name, stale.held_version, stale.latest_version) == ("Ana", 1, 2)
    kinds = sorted((c.kind, c.title) for c in stale.diff.steps)
    assert kinds == [("added", "Email the customer"), ("edited", "Print labels"),
                     ("removed", "Book courier")]
    assert stale.diff.summary() == "1 step added; 1 step removed; 1 step edited"
    assert changes.stale_count() == 2  # Ana's and Ben's v1 handoffs


def test_diff_of_identical_snapshots_is_empty() -> None:
    snapshot = {"title": "x", "steps": [{"id": 1, "position": 1, "title": "a"}]}
    assert diff_snapshots(snapshot, snapshot).is_empty


def test_dashboard_lists_attention_holdings_backlog_and_hours(
    library: Library, assistants: Assistants, handoffs: Handoffs, database: Database
) -> None:
    dashboard = Dashboard(database.sessions)
    invoices = ready(library, "Invoices", minutes_per_run=30, runs_per_week=4)
    payroll = ready(library, "Payroll", minutes_per_run=60, runs_per_week=1)
    idea = library.add_process(ProcessDraft("Social posts")).id
    library.did_it_myself(idea)
    library.did_it_myself(idea)
    ana = assistants.add(AssistantDraft("Ana")).id
    ben = assistants.add(AssistantDraft("Ben")).id
    a1 = handoffs.create(library.freeze_version(invoices).id, ana).id
    handoffs.check_in(a1, HandoffStatus.INDEPENDENT)
    b1 = handoffs.create(library.freeze_version(payroll).id, ben,
                                 due_on=date(2026, 3, 1)).id
    b2 = handoffs.create(library.freeze_version(invoices).id, ben).id
    handoffs.add_event(b2, EventKind.QUESTION, "Which template?",
                       new_status=HandoffStatus.NEEDS_HELP)
    attention = dashboard.needs_attention(today=date(2026, 3, 2))
    assert [(a.handoff_id, a.question) for a in attention] == [(b2, "Which template?"),
                                                              (b1, "")]
    cells = {(h.assistant_name, h.process_title): h.status for h in dashboard.holdings()}
    assert cells == {("Ana", "Invoices"): HandoffStatus.INDEPENDENT,
                     ("Ben", "Payroll"): HandoffStatus.SENT,
                     ("Ben", "Invoices"): HandoffStatus.NEEDS_HELP}
    assert [(n.title, n.times_done_myself) for n in dashboard.backlog()] == [("Social posts", 2)]
    assert [(h.assistant_name, h.hours_per_week) for h in dashboard.hours_by_assistant()] == [
        ("Ana", 2.0)]
    assert dashboard.figures(today=date(2026, 3, 2)).hours_per_week_handed_off == 2.0


def test_csv_export_is_spreadsheet_safe(
    library: Library, assistants: Assistants, handoffs: Handoffs, tmp_path: Path
) -> None:
    process = ready(library, "=HYPERLINK(\"http://evil\")")
    ana = assistants.add(AssistantDraft("Ana")).id
    handoffs.create(library.freeze_version(process).id, ana, due_on=date(2026, 3, 1))
    out = tmp_path / "handoffs.csv"
    assert write_handoffs_csv(handoffs.list(), out, today=date(2026, 3, 2)) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[0] == "Process"
    assert row[0].startswith("'=")
    assert (row[2], row[3], row[5], row[7]) == ("Ana", "sent", "2026-03-01", "yes")


def test_two_writers_lose_no_update(library: Library, database: Database) -> None:
    """Two people edit the same process at once: one saves, the other is told to reload."""
    process = library.add_process(ProcessDraft("Payroll"))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def edit(name: str) -> None:
        other = Library(database.sessions)
        loaded = other.get(process.id)
        barrier.wait()
        try:
            other.update_process(process.id, ProcessDraft(f"Payroll ({name})"),
                                 expected_version=loaded.row_version)
            results.append(f"saved {name}")
        except ConflictError:
            results.append(f"conflict {name}")

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    saved = [r for r in results if r.startswith("saved")]
    assert len(results) == 2
    assert len(saved) == 1
    assert library.get(process.id).title == f"Payroll ({saved[0].split()[1]})"
    assert library.get(process.id).row_version == 2


def test_concurrent_counters_all_count(library: Library, database: Database) -> None:
    process = library.add_process(ProcessDraft("Payroll"))
    barrier = threading.Barrier(4)

    def press() -> None:
        barrier.wait()
        for _ in range(5):
            Library(database.sessions).did_it_myself(process.id)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert library.get(process.id).times_done_myself == 20


def test_empty_library_dashboard(database: Database) -> None:
    figures = Dashboard(database.sessions).figures(today=date(2026, 3, 2))
    assert figures.processes == 0
    assert figures.hours_per_week_handed_off == 0
