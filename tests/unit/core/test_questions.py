"""Questions stay open until answered; answers go on the timeline and into the next package."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.clock import ManualClock
from baton.core.dashboard import Dashboard
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import EventKind, HandoffStatus, ProcessStatus
from baton.core.questions import ANSWER_TO, Questions
from baton.core.steps import StepContent, Steps
from baton.errors import UserError


@pytest.fixture
def questions(database: Database, clock: ManualClock) -> Questions:
    return Questions(database.sessions, clock)


def hand_off(library: Library, steps: Steps, assistants: Assistants, handoffs: Handoffs,
             name: str = "Ana") -> tuple[int, int, int]:
    process = library.add_process(ProcessDraft("Invoices", status=ProcessStatus.READY))
    for title in ("Open the bank", "Find the invoice", "Click Pay"):
        steps.add(process.id, StepContent(title=title))
    person = assistants.add(AssistantDraft(name))
    handoff = handoffs.create(library.freeze_version(process.id).id, person.id,
                              due_on=date(2026, 3, 1))
    return process.id, person.id, handoff.id


def ask(handoffs: Handoffs, handoff_id: int, text: str, position: int | None) -> int:
    handoffs.add_event(handoff_id, EventKind.QUESTION, text, step_position=position,
                       new_status=HandoffStatus.NEEDS_HELP)
    return max(e.id for e in handoffs.events(handoff_id) if e.kind is EventKind.QUESTION)


def test_a_question_stays_open_until_answered_whatever_the_status(
    library: Library, assistants: Assistants, handoffs: Handoffs, questions: Questions,
    database: Database, clock: ManualClock,
) -> None:
    steps = Steps(database.sessions, clock)
    dashboard = Dashboard(database.sessions, clock)
    _, _, handoff = hand_off(library, steps, assistants, handoffs)
    handoffs.add_event(handoff, EventKind.CHECK_IN, new_status=HandoffStatus.PRACTISING)
    question = ask(handoffs, handoff, "Which account?", 2)

    [item] = [a for a in dashboard.needs_attention(date(2026, 2, 1)) if a.question]
    assert (item.question_id, item.question) == (question, "Which account?")
    assert item.step is not None
    assert item.step.label() == "step 2, “Find the invoice”"
    # A check-in that moves the handoff on does not answer the question.
    handoffs.check_in(handoff, HandoffStatus.SUPERVISED, "going fine")
    assert dashboard.figures(date(2026, 2, 1)).open_questions == 1
    assert [q.id for q in questions.open()] == [question]

    clock.now += timedelta(hours=2)
    with pytest.raises(UserError, match="Write an answer"):
        questions.answer(question, "   ")
    answered = questions.answer(question, "The business account ending 42.")
    assert not answered.is_open
    assert answered.answer == "The business account ending 42."
    assert answered.about() == "step 2, “Find the invoice”"
    assert dashboard.figures(date(2026, 2, 1)).open_questions == 0
    assert not [a for a in dashboard.needs_attention(date(2026, 2, 1)) if a.question]
    [answer_event] = [e for e in handoffs.events(handoff) if e.data.get(ANSWER_TO) == question]
    assert (answer_event.kind, answer_event.step_position) == (EventKind.NOTE, 2)
    assert handoffs.get(handoff).status is HandoffStatus.SUPERVISED


def test_answering_every_question_takes_the_handoff_out_of_needs_help(
    library: Library, assistants: Assistants, handoffs: Handoffs, questions: Questions,
    database: Database, clock: ManualClock,
) -> None:
    _, _, handoff = hand_off(library, Steps(database.sessions, clock), assistants, handoffs)
    handoffs.add_event(handoff, EventKind.RECEIPT_IMPORTED,
                       new_status=HandoffStatus.PRACTISING)
    first = ask(handoffs, handoff, "Which account?", 1)
    second = ask(handoffs, handoff, "Who approves?", None)
    assert handoffs.get(handoff).status is HandoffStatus.NEEDS_HELP
    questions.answer(first, "Business")
    assert handoffs.get(handoff).status is HandoffStatus.NEEDS_HELP  # one still open
    row = questions.answer(second, "Me, until March.")
    assert row.about() == "the process as a whole"
    assert handoffs.get(handoff).status is HandoffStatus.PRACTISING
    assert [q.is_open for q in questions.of_handoff(handoff)] == [False, False]


def test_answers_go_once_into_the_next_package_for_that_assistant(
    library: Library, assistants: Assistants, handoffs: Handoffs, questions: Questions,
    database: Database, clock: ManualClock,
) -> None:
    steps = Steps(database.sessions, clock)
    process, ana, handoff = hand_off(library, steps, assistants, handoffs)
    question = ask(handoffs, handoff, "Which account?", 3)
    assert questions.undelivered_answers(process, ana) == []
    questions.answer(question, "Business")
    clock.now += timedelta(minutes=1)
    questions.answer(question, "Business, ending 42")  # a correction: the latest counts
    ben = assistants.add(AssistantDraft("Ben")).id
    assert questions.undelivered_answers(process, ben) == []
    [pending] = questions.undelivered_answers(process, ana)
    assert (pending.question, pending.answer, pending.step_title) == (
        "Which account?", "Business, ending 42", "Click Pay")
    click_pay = steps.list(process)[2]
    assert pending.step_id == click_pay.id

    steps.add(process, StepContent(title="Log in first"), position=1)
    again = handoffs.create(library.freeze_version(process).id, ana)
    questions.mark_delivered(again.id, [pending.answer_id])
    assert questions.undelivered_answers(process, ana) == []


def test_a_revoked_handoff_has_no_open_questions(
    library: Library, assistants: Assistants, handoffs: Handoffs, questions: Questions,
    database: Database, clock: ManualClock,
) -> None:
    _, _, handoff = hand_off(library, Steps(database.sessions, clock), assistants, handoffs)
    question = ask(handoffs, handoff, "Which account?", 1)
    handoffs.revoke(handoff)
    assert questions.open() == []
    assert questions.count_open() == 0
    with pytest.raises(UserError, match="revoked"):
        questions.answer(question, "Too late")


def test_sending_marks_an_idea_ready(library: Library) -> None:
    idea = library.add_process(ProcessDraft("Payroll"))
    assert library.mark_handed_off(idea.id).status is ProcessStatus.READY
    archived = library.add_process(ProcessDraft("Old", status=ProcessStatus.ARCHIVED))
    assert library.mark_handed_off(archived.id).status is ProcessStatus.ARCHIVED
