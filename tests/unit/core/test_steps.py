"""Steps: add, edit, delete, duplicate, merge, reorder; positions stay 1..n; marks checked."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from baton.core.clock import ManualClock
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.steps import StepContent, Steps
from baton.errors import NotFound, UserError


@pytest.fixture
def steps(database: Database, clock: ManualClock) -> Steps:
    return Steps(database.sessions, clock)


def titles(steps: Steps, process_id: int) -> list[str]:
    rows = steps.list(process_id)
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    return [row.title for row in rows]


def make(steps: Steps, library: Library, *names: str) -> int:
    process = library.add_process(ProcessDraft("Pay invoices"))
    for name in names:
        steps.add(process.id, StepContent(title=name))
    return process.id


def test_add_at_the_end_or_at_a_position(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "Open the bank", "Log in")
    steps.add(pid, StepContent(title="Find the invoice"), position=2)
    steps.add(pid, StepContent(title="First"), position=-4)
    steps.add(pid, StepContent(title="Last"), position=99)
    assert titles(steps, pid) == ["First", "Open the bank", "Find the invoice", "Log in", "Last"]
    assert library.get(pid).step_count == 5


def test_update_edits_only_the_given_fields(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "Open the bank")
    [row] = steps.list(pid)
    steps.update(row.id, instruction="Use the **business** login\r\n- card reader ready")
    saved = steps.update(row.id, caution="Never on public wifi", title="Open the bank site")
    assert saved.instruction == "Use the **business** login\n- card reader ready"
    assert (saved.title, saved.caution) == ("Open the bank site", "Never on public wifi")
    assert steps.get(row.id) == saved
    with pytest.raises(UserError, match="at most 500"):
        steps.update(row.id, title="x" * 501)
    assert steps.update(row.id, title="two\nlines").title == "two lines"


def test_every_change_bumps_the_process(
    steps: Steps, library: Library, clock: ManualClock
) -> None:
    pid = make(steps, library, "A")
    before = library.get(pid)
    clock.now = datetime(2026, 3, 5, 14, 30)
    steps.update(steps.list(pid)[0].id, title="B")
    after = library.get(pid)
    assert after.updated_at == "2026-03-05 14:30"
    assert after.row_version > before.row_version


def test_delete_closes_the_gap(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A", "B", "C")
    steps.delete(steps.list(pid)[1].id)
    assert titles(steps, pid) == ["A", "C"]
    with pytest.raises(NotFound, match="no longer exists"):
        steps.update(999_999, title="gone")


def test_duplicate_comes_right_after(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A", "B")
    first = steps.list(pid)[0]
    steps.update(first.id, annotations=[{"kind": "marker", "x": 5, "y": 6, "n": 1}],
                 redactions=[{"x": 1, "y": 1, "w": 3, "h": 3}])
    copy = steps.duplicate(first.id)
    assert titles(steps, pid) == ["A", "A", "B"]
    assert copy.id != first.id
    assert copy.position == 2
    assert copy.annotations == ({"kind": "marker", "x": 5, "y": 6, "n": 1},)
    assert copy.redactions == ({"x": 1, "y": 1, "w": 3, "h": 3},)


def test_merge_joins_two_adjacent_steps(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A", "", "C")
    a, b, c = steps.list(pid)
    steps.update(a.id, instruction="Click Pay", caution="Check the amount")
    steps.update(b.id, instruction="Confirm with the code")
    steps.set_screenshot(b.id, "b" * 64 + ".png", click=(10, 20))
    merged = steps.merge(b.id, a.id)
    assert merged.id == a.id
    assert merged.title == "A"
    assert merged.instruction == "Click Pay\nConfirm with the code"
    assert merged.caution == "Check the amount"
    assert merged.screenshot == "b" * 64 + ".png"
    assert (merged.click_x, merged.click_y) == (10, 20)
    assert titles(steps, pid) == ["A", "C"]
    steps.add(pid, StepContent(title="D"))
    with pytest.raises(UserError, match="next to each other"):
        steps.merge(a.id, steps.list(pid)[2].id)
    with pytest.raises(UserError, match="different steps"):
        steps.merge(c.id, c.id)


def test_move_and_reorder_keep_positions_contiguous(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A", "B", "C", "D")
    a, b, c, d = steps.list(pid)
    steps.move(a.id, 3)
    assert titles(steps, pid) == ["B", "C", "A", "D"]
    steps.move(d.id, 1)
    steps.move(b.id, 50)
    assert titles(steps, pid) == ["D", "C", "A", "B"]
    rows = steps.reorder(pid, [a.id, b.id, c.id, d.id])
    assert [r.title for r in rows] == titles(steps, pid) == ["A", "B", "C", "D"]
    with pytest.raises(UserError, match="changed meanwhile"):
        steps.reorder(pid, [a.id, b.id])
    snapshot = library.snapshot(pid)
    assert [s["title"] for s in snapshot["steps"]] == ["A", "B", "C", "D"]


def test_replace_restores_everything(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A")
    row = steps.list(pid)[0]
    content = StepContent(title="Back", instruction="as it was", screenshot="c" * 64 + ".png",
                          video_time=4.5, annotations=({"kind": "text", "x": 1, "y": 2,
                                                        "text": "here"},))
    saved = steps.replace(row.id, content)
    assert saved.content == content
    assert saved.position == 1


def test_set_screenshot_keeps_the_redactions(steps: Steps, library: Library) -> None:
    pid = make(steps, library, "A")
    row = steps.list(pid)[0]
    steps.update(row.id, redactions=[{"x": 0, "y": 0, "w": 5, "h": 5}])
    saved = steps.set_screenshot(row.id, "d" * 64 + ".png", full_screenshot="e" * 64 + ".png")
    assert saved.redactions == ({"x": 0, "y": 0, "w": 5, "h": 5},)
    assert saved.full_screenshot == "e" * 64 + ".png"
    assert saved.click_x is None


def test_missing_process(steps: Steps, library: Library) -> None:
    with pytest.raises(NotFound):
        steps.list(12345)
    with pytest.raises(NotFound):
        steps.add(12345)


def test_a_new_service_sees_what_was_saved(steps: Steps, library: Library,
                                           database: Database) -> None:
    pid = make(steps, library, "A", "B")
    steps.move(steps.list(pid)[0].id, 2)
    assert [r.title for r in Steps(database.sessions).list(pid)] == ["B", "A"]


def test_concurrent_editors_keep_positions_contiguous(
    steps: Steps, library: Library, database: Database
) -> None:
    pid = make(steps, library, *"ABCDEFGH")
    errors: list[BaseException] = []

    def work(number: int) -> None:
        other = Steps(database.sessions)
        try:
            for turn in range(12):
                rows = other.list(pid)
                if number == 0:
                    other.add(pid, StepContent(title=f"new {turn}"), position=turn % 5 + 1)
                else:
                    other.move(rows[(turn * number) % len(rows)].id, (turn * 3) % len(rows) + 1)
        except BaseException as error:  # noqa: B036, BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(titles(steps, pid)) == 20  # titles() checks positions are 1..n


def test_the_appender_adds_after_the_last_step_and_bumps_once(
    steps: Steps, library: Library, clock: ManualClock
) -> None:
    pid = make(steps, library, "Open the bank")
    appender = steps.appender(pid)
    assert (appender.process_id, appender.next_position()) == (pid, 2)
    before = library.get(pid).row_version
    clock.now = datetime(2026, 3, 2, 9, 1)
    added = appender.add([StepContent(title="Click in \"Bank\"", click_x=4, click_y=5),
                          StepContent(title="Type \"42\"", window_title="two\nlines")])
    assert [(r.position, r.process_id) for r in added] == [(2, pid), (3, pid)]
    assert added[1].window_title == "two lines"  # checked like every other step
    assert library.get(pid).row_version == before + 1
    assert library.get(pid).updated_at == "2026-03-02 09:01"
    steps.add(pid, StepContent(title="Added in the editor meanwhile"))
    assert appender.next_position() == 5
    assert appender.retitle(added[0].id, "Double-click in \"Bank\"") == 'Double-click in "Bank"'
    assert titles(steps, pid)[1] == 'Double-click in "Bank"'
    assert library.get(pid).row_version == before + 3


def test_the_appender_refuses_a_deleted_process_or_a_foreign_step(
    steps: Steps, library: Library
) -> None:
    pid = make(steps, library, "A")
    other = make(steps, library, "B")
    with pytest.raises(NotFound, match="step of that click"):
        steps.appender(pid).retitle(steps.list(other)[0].id, "Hijacked")
    library.delete_process(pid)
    with pytest.raises(NotFound, match="may have been deleted"):
        steps.appender(pid).next_position()
    with pytest.raises(NotFound, match="may have been deleted"):
        steps.appender(pid).add([StepContent(title="Lost")])
