"""Two owners editing one step, mark or handoff: merged or refused, never silently lost.

Each lost-update trial is what the step editor does: load a step, let another owner save,
then save "from what I loaded to what I want" (``base``). Run on SQLite and on a real
PostgreSQL server; the simultaneous trials use two threads released by a barrier.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.dashboard import Dashboard
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import EventKind, Handoff, HandoffStatus
from baton.core.step_merge import merge_marks
from baton.core.steps import StepContent, Steps
from baton.errors import ConflictError

# BATON_TEAM_TRIALS=4 gives the 100 trials per test.
TRIALS = 25 * int(os.environ.get("BATON_TEAM_TRIALS", "1"))


def box(x: int) -> dict[str, int]:
    return {"x": x, "y": 10, "w": 20, "h": 20}


def a_step(steps: Steps, library: Library, **content: Any) -> int:
    process = library.add_process(ProcessDraft("Payroll")).id
    return steps.add(process, StepContent(title="Open the bank", **content)).id


def both_at_once(*actions: Callable[[], object]) -> list[BaseException | None]:
    """Run the actions in threads released together; returns each one's error."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException | None] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            actions[index]()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_a_stale_editor_never_drops_another_owners_redaction_box(
    database: Database, library: Library
) -> None:
    """The issue's 100 of 100: the stale editor wrote back its whole list."""
    steps = Steps(database.sessions)
    lost = 0
    for trial in range(TRIALS):
        step_id = a_step(steps, library, redactions=(box(0),))
        stale = steps.get(step_id)  # owner A's editor shows the step
        other = steps.get(step_id)  # owner B hides an account number
        steps.update(step_id, redactions=[*other.redactions, box(100)], base=other)
        # A draws a box of their own, from the list they had on screen
        steps.update(step_id, redactions=[*stale.redactions, box(200 + trial)],
                     base={"redactions": stale.redactions})
        saved = {b["x"] for b in steps.get(step_id).redactions}
        lost += not {0, 100, 200 + trial} <= saved
    assert lost == 0


@pytest.mark.slow
def test_simultaneous_mark_edits_keep_every_box(database: Database, library: Library) -> None:
    """The issue's 6 of 100: two editors saving boxes at the same moment."""
    steps = Steps(database.sessions)
    lost = 0
    for _trial in range(TRIALS):
        step_id = a_step(steps, library, redactions=(box(0),),
                         annotations=({"kind": "arrow", "x1": 0, "y1": 0, "x2": 5, "y2": 5},))
        loaded = steps.get(step_id)

        def add(x: int, loaded: Any = loaded, step_id: int = step_id) -> None:
            Steps(database.sessions).update(
                step_id, redactions=[*loaded.redactions, box(x)],
                annotations=[*loaded.annotations, {"kind": "marker", "x": x, "y": 1, "n": 1}],
                base=loaded)

        assert both_at_once(lambda: add(100), lambda: add(200)) == [None, None]
        saved = steps.get(step_id)
        lost += {b["x"] for b in saved.redactions} != {0, 100, 200}
        lost += len(saved.annotations) != 3
        assert saved.row_version == loaded.row_version + 2
    assert lost == 0


def test_undoing_a_mark_edit_takes_back_only_its_own_box(
    database: Database, library: Library
) -> None:
    steps = Steps(database.sessions)
    step_id = a_step(steps, library)
    mine = [box(1)]
    steps.update(step_id, redactions=mine, base={"redactions": []})
    theirs = steps.get(step_id)
    steps.update(step_id, redactions=[*theirs.redactions, box(2)], base=theirs)
    steps.update(step_id, redactions=[], base={"redactions": mine})  # my undo
    assert [b["x"] for b in steps.get(step_id).redactions] == [2]


def test_stale_step_texts_are_refused_never_overwritten(
    database: Database, library: Library
) -> None:
    """The issue's 200 of 200: the last writer won silently."""
    steps = Steps(database.sessions)
    silent = refused = 0
    for trial in range(TRIALS):
        step_id = a_step(steps, library)
        stale = steps.get(step_id)
        steps.update(step_id, title=f"B's title {trial}", base=steps.get(step_id))
        try:
            steps.update(step_id, title=f"A's title {trial}", instruction="A's text",
                         base=stale)
        except ConflictError as error:
            refused += "changed by someone else" in str(error)
        saved = steps.get(step_id)
        silent += saved.title != f"B's title {trial}" or saved.instruction != ""
    assert (silent, refused) == (0, TRIALS)


def test_owners_editing_different_fields_of_one_step_both_save(
    database: Database, library: Library
) -> None:
    steps = Steps(database.sessions)
    step_id = a_step(steps, library)
    seen = steps.get(step_id)
    steps.update(step_id, title="B's title", base=seen)
    steps.update(step_id, instruction="A's instructions", base=seen)
    saved = steps.get(step_id)
    assert (saved.title, saved.instruction) == ("B's title", "A's instructions")


@pytest.mark.slow
def test_simultaneous_text_saves_one_wins_the_other_is_told(
    database: Database, library: Library
) -> None:
    steps = Steps(database.sessions)
    silent = 0
    for _trial in range(TRIALS):
        step_id = a_step(steps, library)
        loaded = steps.get(step_id)
        errors = both_at_once(
            lambda s=step_id, r=loaded: Steps(database.sessions).update(s, title="A", base=r),
            lambda s=step_id, r=loaded: Steps(database.sessions).update(s, title="B", base=r))
        winners = [name for name, error in zip("AB", errors, strict=True) if error is None]
        assert all(isinstance(e, ConflictError) for e in errors if e is not None)
        silent += len(winners) != 1 or steps.get(step_id).title != winners[0]
    assert silent == 0


def test_deleting_or_replacing_a_step_someone_else_changed_is_refused(
    database: Database, library: Library
) -> None:
    steps = Steps(database.sessions)
    step_id = a_step(steps, library)
    seen = steps.get(step_id)
    steps.update(step_id, caution="Do not pay twice", base=seen)
    with pytest.raises(ConflictError):
        steps.delete(step_id, expected_version=seen.row_version)
    with pytest.raises(ConflictError):
        steps.replace(step_id, seen.content, expected_version=seen.row_version)
    assert steps.get(step_id).caution == "Do not pay twice"
    moved = steps.add(seen.process_id, StepContent(title="Before"), position=1)
    assert steps.get(step_id).row_version == seen.row_version + 1  # a move is no edit
    steps.delete(moved.id)


def test_two_crops_conflict_and_merging_is_set_like() -> None:
    assert merge_marks([box(1)], [box(1), box(2)], [box(1), box(2)]) == [box(1), box(2)]
    assert merge_marks([box(1), box(2)], [box(2)], [box(1)]) == []
    assert merge_marks([], [box(3)], [box(4)]) == [box(3), box(4)]


def test_a_stale_check_in_is_refused(
    library: Library, assistants: Assistants, handoffs: Handoffs
) -> None:
    process = library.add_process(ProcessDraft("Invoices")).id
    ana = assistants.add(AssistantDraft("Ana")).id
    shown = handoffs.create(library.freeze_version(process).id, ana)
    handoffs.check_in(shown.id, HandoffStatus.INDEPENDENT, expected_version=shown.row_version)
    with pytest.raises(ConflictError, match="changed by someone else"):
        handoffs.check_in(shown.id, HandoffStatus.PRACTISING,
                          expected_version=shown.row_version)
    with pytest.raises(ConflictError):
        handoffs.set_due(shown.id, date(2026, 5, 1), expected_version=shown.row_version)
    assert handoffs.get(shown.id).status is HandoffStatus.INDEPENDENT


@pytest.mark.slow
def test_a_version_race_on_send_ends_in_one_version(
    database: Database, library: Library
) -> None:
    """The issue's 16 of 30: two owners sending the same changed process at once."""
    steps = Steps(database.sessions)
    failures = 0
    for trial in range(TRIALS):
        process = library.add_process(ProcessDraft(f"Payroll {trial}")).id
        library.freeze_version(process)
        steps.add(process, StepContent(title="A new step"))
        got: list[int] = []

        def freeze(p: int = process, got: list[int] = got) -> None:
            got.append(Library(database.sessions).freeze_version(p).number)

        errors = both_at_once(freeze, freeze)
        failures += any(errors) or got != [2, 2]
    assert failures == 0


def test_handoffs_without_activity_time_do_not_sort_first(
    library: Library, assistants: Assistants, handoffs: Handoffs, database: Database
) -> None:
    """Older Batons wrote handoffs without a last-activity time."""
    process = library.add_process(ProcessDraft("Invoices")).id
    ana = assistants.add(AssistantDraft("Ana")).id
    version = library.freeze_version(process).id
    old_client = handoffs.create(version, ana).id
    recent = handoffs.create(version, ana).id
    for handoff in (old_client, recent):
        handoffs.add_event(handoff, EventKind.QUESTION, "?", new_status=HandoffStatus.NEEDS_HELP)
    with database.sessions() as session:
        written = session.get(Handoff, old_client)
        assert written is not None
        written.last_activity_at, written.sent_at = None, datetime(2026, 1, 1)
        session.commit()
    attention = Dashboard(database.sessions).needs_attention(today=date(2026, 3, 2))
    assert [a.handoff_id for a in attention] == [recent, old_client]
