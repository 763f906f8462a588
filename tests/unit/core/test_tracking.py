"""Assistants, handoffs and dashboard figures."""

from __future__ import annotations

from datetime import date

import pytest

from baton.core.dashboard import Dashboard
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.models import Arrangement, EventKind, HandoffStatus, ProcessStatus
from baton.core.tracking import AssistantDraft, Tracking
from baton.errors import ConflictError, NotFound, UserError


def test_assistant_crud_and_search(tracking: Tracking) -> None:
    ana = tracking.add_assistant(
        AssistantDraft("Ana Reyes", email="ana@example.com", arrangement=Arrangement.OFFSHORE,
                       hired_via="Upwork", started_on=date(2026, 1, 5))
    )
    tracking.add_assistant(AssistantDraft("Ben"))
    assert [a.name for a in tracking.list_assistants()] == ["Ana Reyes", "Ben"]
    assert [a.name for a in tracking.list_assistants("upwork")] == ["Ana Reyes"]
    saved = tracking.update_assistant(
        ana.id, AssistantDraft("Ana Reyes", active=False), expected_version=ana.row_version
    )
    assert saved.active is False and saved.email == ""
    with pytest.raises(ConflictError):
        tracking.update_assistant(ana.id, AssistantDraft("Ana"), expected_version=ana.row_version)
    assert tracking.find_assistant("Ben").name == "Ben"
    tracking.delete_assistant(ana.id)
    with pytest.raises(NotFound):
        tracking.get_assistant(ana.id)


def test_assistant_validation(tracking: Tracking) -> None:
    with pytest.raises(UserError, match="needs a name"):
        tracking.add_assistant(AssistantDraft(""))
    with pytest.raises(UserError, match="email address"):
        tracking.add_assistant(AssistantDraft("Cy", email="not an email"))


def test_handoff_timeline_and_dashboard(
    library: Library, tracking: Tracking, database: Database
) -> None:
    dashboard = Dashboard(database.sessions)
    process = library.add_process(
        ProcessDraft("Invoices", minutes_per_run=30, runs_per_week=4, status=ProcessStatus.READY)
    )
    idea = library.add_process(ProcessDraft("Payroll"))
    library.did_it_myself(idea.id)
    library.did_it_myself(idea.id)
    ana = tracking.add_assistant(AssistantDraft("Ana"))
    version = library.freeze_version(process.id)
    handoff = tracking.create_handoff(version.id, ana.id, due_on=date(2026, 3, 1))
    assert handoff.status is HandoffStatus.SENT and handoff.process_title == "Invoices"

    figures = dashboard.figures(today=date(2026, 3, 2))
    assert figures.hours_per_week_handed_off == 0
    assert (figures.open_handoffs, figures.overdue_handoffs, figures.backlog_nudges) == (1, 1, 1)

    tracking.add_event(handoff.id, EventKind.QUESTION, "Which bank?",
                       new_status=HandoffStatus.NEEDS_HELP, step_position=3)
    assert dashboard.figures(today=date(2026, 3, 2)).open_questions == 1
    row = tracking.add_event(handoff.id, EventKind.CHECK_IN, "All good",
                             new_status=HandoffStatus.INDEPENDENT)
    assert row.status is HandoffStatus.INDEPENDENT
    kinds = [event.kind for event in tracking.events(handoff.id)]
    assert kinds == [EventKind.SENT, EventKind.QUESTION, EventKind.CHECK_IN]
    figures = dashboard.figures(today=date(2026, 3, 2))
    assert figures.hours_per_week_handed_off == 2.0
    assert (figures.open_handoffs, figures.overdue_handoffs) == (0, 0)
    assert [h.assistant_name for h in tracking.list_handoffs("invoices")] == ["Ana"]
    assert tracking.get_assistant(ana.id).handoff_count == 1


def test_a_revoked_handoff_takes_no_more_progress(library: Library, tracking: Tracking) -> None:
    process = library.add_process(ProcessDraft("Invoices"))
    ana = tracking.add_assistant(AssistantDraft("Ana"))
    handoff = tracking.create_handoff(library.freeze_version(process.id).id, ana.id)
    tracking.add_event(handoff.id, EventKind.STATUS_CHANGE, new_status=HandoffStatus.REVOKED)
    with pytest.raises(UserError, match="revoked"):
        tracking.add_event(handoff.id, EventKind.CHECK_IN, new_status=HandoffStatus.PRACTISING)
    assert tracking.get_handoff(handoff.id).status is HandoffStatus.REVOKED


def test_unknown_references(tracking: Tracking) -> None:
    ana = tracking.add_assistant(AssistantDraft("Ana"))
    with pytest.raises(NotFound):
        tracking.create_handoff(999, ana.id)
    with pytest.raises(NotFound):
        tracking.add_event(999, EventKind.NOTE)
