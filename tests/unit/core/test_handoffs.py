"""Handoffs: the timeline, status moves, revoking, and the dashboard figures they feed."""

from __future__ import annotations

from datetime import date

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.dashboard import Dashboard
from baton.core.db import Database
from baton.core.handoffs import HandoffEventRow, Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import EventKind, HandoffStatus, ProcessStatus
from baton.errors import NotFound, UserError


def test_handoff_timeline_and_dashboard(
    library: Library, assistants: Assistants, handoffs: Handoffs, database: Database
) -> None:
    dashboard = Dashboard(database.sessions)
    process = library.add_process(
        ProcessDraft("Invoices", minutes_per_run=30, runs_per_week=4, status=ProcessStatus.READY)
    )
    idea = library.add_process(ProcessDraft("Payroll"))
    library.did_it_myself(idea.id)
    library.did_it_myself(idea.id)
    ana = assistants.add(AssistantDraft("Ana"))
    version = library.freeze_version(process.id)
    handoff = handoffs.create(version.id, ana.id, due_on=date(2026, 3, 1))
    assert handoff.status is HandoffStatus.SENT
    assert handoff.process_title == "Invoices"

    figures = dashboard.figures(today=date(2026, 3, 2))
    assert figures.hours_per_week_handed_off == 0
    assert (figures.open_handoffs, figures.overdue_handoffs, figures.backlog_nudges) == (1, 1, 1)

    handoffs.add_event(handoff.id, EventKind.QUESTION, "Which bank?",
                       new_status=HandoffStatus.NEEDS_HELP, step_position=3)
    assert dashboard.figures(today=date(2026, 3, 2)).open_questions == 1
    row = handoffs.add_event(handoff.id, EventKind.CHECK_IN, "All good",
                             new_status=HandoffStatus.INDEPENDENT)
    assert row.status is HandoffStatus.INDEPENDENT
    kinds = [event.kind for event in handoffs.events(handoff.id)]
    assert kinds == [EventKind.SENT, EventKind.QUESTION, EventKind.CHECK_IN]
    figures = dashboard.figures(today=date(2026, 3, 2))
    assert figures.hours_per_week_handed_off == 2.0
    assert (figures.open_handoffs, figures.overdue_handoffs) == (0, 0)
    assert [h.assistant_name for h in handoffs.list("invoices")] == ["Ana"]
    assert assistants.get(ana.id).handoff_count == 1


def test_a_revoked_handoff_takes_no_more_progress(
    library: Library, assistants: Assistants, handoffs: Handoffs
) -> None:
    process = library.add_process(ProcessDraft("Invoices"))
    ana = assistants.add(AssistantDraft("Ana"))
    handoff = handoffs.create(library.freeze_version(process.id).id, ana.id)
    handoffs.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.REVOKED)
    with pytest.raises(UserError, match="revoked"):
        handoffs.add_event(handoff.id, EventKind.CHECK_IN, new_status=HandoffStatus.PRACTISING)
    assert handoffs.get(handoff.id).status is HandoffStatus.REVOKED


def test_unknown_references(assistants: Assistants, handoffs: Handoffs) -> None:
    ana = assistants.add(AssistantDraft("Ana"))
    with pytest.raises(NotFound):
        handoffs.create(999, ana.id)
    with pytest.raises(NotFound):
        handoffs.add_event(999, EventKind.NOTE)


def test_the_timeline_is_plain_rows(
    library: Library, assistants: Assistants, handoffs: Handoffs
) -> None:
    process = library.add_process(ProcessDraft("Invoices"))
    ana = assistants.add(AssistantDraft("Ana"))
    handoff = handoffs.create(library.freeze_version(process.id).id, ana.id, note="v1")
    handoffs.add_event(handoff.id, EventKind.QUESTION, "Which bank?", step_position=2,
                       new_status=HandoffStatus.NEEDS_HELP)
    sent, question = handoffs.events(handoff.id)
    assert isinstance(question, HandoffEventRow)
    assert (sent.kind, sent.note, sent.handoff_id) == (EventKind.SENT, "v1", handoff.id)
    assert (question.step_position, question.data) == (2, {"from": "sent", "to": "needs-help"})
    handoffs.delete(handoff.id)
    assert handoffs.events(handoff.id) == []
    assert handoffs.list() == []
