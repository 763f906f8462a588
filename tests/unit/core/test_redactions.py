"""Redaction boxes on a recording: stored, checked, carried over from steps, frozen."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from baton.core.clock import ManualClock
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft, RecordingInfo
from baton.core.models import Step
from baton.core.redactions import VideoRedactions, step_stretches
from baton.core.steps import StepContent, Steps
from baton.errors import NotFound, UserError


@pytest.fixture
def boxes(database: Database, clock: ManualClock) -> VideoRedactions:
    return VideoRedactions(database.sessions, clock)


def recorded(library: Library, title: str = "Pay the rent", media: str = "a" * 64 + ".mp4") -> int:
    process = library.add_process(ProcessDraft(title))
    library.attach_recording(process.id, RecordingInfo(media, 30.0, 1000, 30.0, 1920, 1080))
    return process.id


def test_a_box_covers_the_whole_take_unless_told(library: Library,
                                                 boxes: VideoRedactions) -> None:
    process = recorded(library)
    row = boxes.add(process, (100, 200, 300, 40))
    assert (row.box, row.start, row.end, row.step_id) == ((100, 200, 300, 40), 0.0, None, None)
    later = boxes.add(process, (0, 0, 10, 10), start=5, end=12.5)
    assert [r.id for r in boxes.list(process)] == [row.id, later.id]
    assert (later.start, later.end) == (5.0, 12.5)


def test_boxes_are_part_of_the_version(library: Library, boxes: VideoRedactions) -> None:
    process = recorded(library)
    plain = library.freeze_version(process)
    assert "video_redactions" not in plain.snapshot  # older versions keep their hash
    boxes.add(process, (100, 200, 300, 40), start=1, end=2)
    assert library.pending_version(process).content_hash != plain.content_hash
    boxed = library.freeze_version(process)
    assert boxed.number == 2
    assert boxed.snapshot["video_redactions"] == [
        {"x": 100, "y": 200, "w": 300, "h": 40, "start": 1.0, "end": 2.0}]
    [row] = boxes.list(process)
    boxes.remove(row.id)
    assert library.freeze_version(process).content_hash == plain.content_hash


def test_boxes_are_checked_against_the_video(library: Library,
                                             boxes: VideoRedactions) -> None:
    process = recorded(library)
    assert boxes.add(process, (1900.5, -10, 100, 20.2)).box == (1900, 0, 20, 11)
    for box, message in (((2000, 10, 5, 5), "outside the 1920x1080 video"),
                         ((10, 10, 0, 5), "no width or height"),
                         ((10, 10, float("nan"), 5), "four numbers")):
        with pytest.raises(UserError, match=message):
            boxes.add(process, box)
    with pytest.raises(UserError, match="end after it starts"):
        boxes.add(process, (1, 1, 5, 5), start=4, end=4)
    with pytest.raises(UserError, match="30.0 s long"):
        boxes.add(process, (1, 1, 5, 5), start=31)
    with pytest.raises(UserError, match="0 seconds or later"):
        boxes.add(process, (1, 1, 5, 5), start=-1)
    assert boxes.add(process, (1, 1, 5, 5), start=4, end=99).end is None
    with pytest.raises(NotFound):
        boxes.add(999, (1, 1, 5, 5))


def test_a_process_without_a_recording_cannot_be_redacted(library: Library,
                                                          boxes: VideoRedactions) -> None:
    process = library.add_process(ProcessDraft("No video")).id
    with pytest.raises(UserError, match="has no recording"):
        boxes.add(process, (1, 1, 5, 5))
    assert boxes.list(process) == []
    assert "video_redactions" not in library.snapshot(process)


def test_step_stretches_run_from_the_step_before_to_the_step_after() -> None:
    assert step_stretches([5.0, None, 2.0, 9.0, 5.0]) == {
        2.0: (0.0, 5.0), 5.0: (2.0, 9.0), 9.0: (5.0, None)}


def test_a_steps_boxes_cover_its_stretch_and_follow_its_time(
    library: Library, boxes: VideoRedactions, database: Database, clock: ManualClock
) -> None:
    process = recorded(library)
    steps = Steps(database.sessions, clock)
    first, middle, last = (steps.add(process, StepContent(f"Step {t}", video_time=t))
                           for t in (2.0, 5.0, 9.0))
    rows = boxes.set_step_boxes(middle.id, [(10, 20, 30, 40), (50, 60, 70, 80)])
    assert [(r.box, r.start, r.end, r.step_id) for r in rows] == [
        ((10, 20, 30, 40), 2.0, 9.0, middle.id), ((50, 60, 70, 80), 2.0, 9.0, middle.id)]
    # Replaced, not added to.
    assert [r.box for r in boxes.set_step_boxes(middle.id, [(1, 2, 3, 4)])] == [(1, 2, 3, 4)]
    boxes.set_step_boxes(last.id, [(5, 5, 5, 5)])
    assert [(r.start, r.end) for r in boxes.list(process)] == [(2.0, 9.0), (5.0, None)]
    assert library.snapshot(process)["video_redactions"][1]["end"] is None
    # The step before goes: the stretch now starts at 0.
    steps.delete(first.id)
    assert [(r.start, r.end) for r in boxes.step_boxes(middle.id)] == [(0.0, 9.0)]
    # A step trimmed out of the video no longer covers anything; deleting it drops its box.
    with database.sessions.begin() as session:
        session.execute(update(Step).where(Step.id == last.id).values(video_time=None))
    assert [r.step_id for r in boxes.list(process)] == [middle.id]
    steps.delete(last.id)
    assert boxes.set_step_boxes(middle.id, []) == []
    assert boxes.list(process) == []


def test_a_deleted_steps_boxes_stay_on_the_video_and_a_merge_keeps_them(
    library: Library, boxes: VideoRedactions, database: Database, clock: ManualClock
) -> None:
    # The video is not cut with a step: what its boxes hid is still in it.
    process = recorded(library)
    steps = Steps(database.sessions, clock)
    first, second, third, fourth = (steps.add(process, StepContent(f"Step {t}", video_time=t))
                                    for t in (2.0, 5.0, 9.0, 12.0))
    boxes.set_step_boxes(second.id, [(10, 20, 30, 40)])
    steps.delete(second.id)
    assert [(r.box, r.start, r.end, r.step_id) for r in boxes.list(process)] == [
        ((10, 20, 30, 40), 2.0, 9.0, None)]
    # Merged into the step before it, a step's boxes become that step's (a wider stretch).
    boxes.set_step_boxes(fourth.id, [(1, 2, 3, 4)])
    merged = steps.merge(third.id, fourth.id)
    assert [(r.box, r.start, r.end) for r in boxes.step_boxes(merged.id)] == [
        ((1, 2, 3, 4), 2.0, None)]
    # A step with no moment of its own takes the later one's moment and its boxes with it.
    untimed = steps.add(process, StepContent("Typed by hand"), position=1)
    boxes.set_step_boxes(first.id, [(7, 7, 7, 7)])
    joined = steps.merge(untimed.id, first.id)
    assert [(r.box, r.start, r.end) for r in boxes.step_boxes(joined.id)] == [
        ((7, 7, 7, 7), 0.0, 9.0)]
    assert len(boxes.list(process)) == 3


def test_only_steps_in_the_video_carry_boxes_over(library: Library, boxes: VideoRedactions,
                                                  database: Database, clock: ManualClock) -> None:
    process = recorded(library)
    steps = Steps(database.sessions, clock)
    untimed = steps.add(process, StepContent("Typed by hand"))
    with pytest.raises(UserError, match="no moment in the recording"):
        boxes.set_step_boxes(untimed.id, [(1, 1, 5, 5)])
    assert boxes.set_step_boxes(untimed.id, []) == []
    bare = library.add_process(ProcessDraft("No video")).id
    step = steps.add(bare, StepContent("Somewhere", video_time=1.0))
    with pytest.raises(UserError, match="has no recording"):
        boxes.set_step_boxes(step.id, [(1, 1, 5, 5)])


def test_a_new_recording_starts_without_the_old_ones_boxes(library: Library,
                                                            boxes: VideoRedactions) -> None:
    process = recorded(library)
    boxes.add(process, (1, 1, 5, 5))
    library.attach_recording(process, RecordingInfo("b" * 64 + ".mp4", 10.0, 10, 30.0, 640, 480))
    assert boxes.list(process) == []
    assert "video_redactions" not in library.snapshot(process)
