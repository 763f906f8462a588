"""Planning a package's video: copy what needs nothing, re-encode from each cut to a keyframe."""

from __future__ import annotations

from fractions import Fraction

from baton.handoff.video_plan import TimedBox, plan_video

TB = Fraction(1, 10)  # one tick a frame at 10 fps, to keep the numbers readable
FRAMES = list(range(0, 100, 2))  # a frame every 0.2 s for 10 s (unchanged ones skipped)
KEYS = [0, 50]


def test_nothing_to_hide_and_chapters_on_keyframes_copies_everything() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [], [0.0, 5.0])
    assert plan.all_copied
    assert plan.reencoded == 0
    assert list(plan.runs()) == []


def test_a_chapter_between_frames_gets_a_keyframe_at_its_exact_time() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [], [3.1])
    [run] = plan.runs()
    # A frame is put in at 3.1 s showing what was on screen (the frame of 3.0 s), as a
    # keyframe; what follows is re-encoded up to the recording's keyframe at 5 s.
    assert run[0].pts == 31
    assert run[0].picture == 30
    assert run[0].keyframe
    assert [f.pts for f in run] == [31, 32, 34, 36, 38, 40, 42, 44, 46, 48]
    assert not any(f.keyframe for f in run[1:])
    assert {f.pts for f in plan.frames if f.copy} == set(FRAMES) - set(range(32, 50))
    assert not plan.all_copied


def test_a_box_is_painted_exactly_over_its_stretch_and_starts_a_keyframe() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [TimedBox(1, 2, 3, 4, 1.05, 2.5)], [])
    painted = [f.pts for f in plan.frames if f.boxes]
    assert painted == [10, 12, 14, 16, 18, 20, 22, 24]  # from the tick at 1.05 s down
    starts = [f for f in plan.frames if f.keyframe]
    assert [f.pts for f in starts] == [10]
    ending = next(f for f in plan.frames if f.pts == 25)  # put in: the box ends at 2.5 s
    assert ending.picture == 24
    assert not ending.boxes
    assert not ending.copy
    # Re-encoded from the box's start to the keyframe at 5 s, copied before and after.
    assert [f.pts for f in plan.frames if not f.copy][-1] == 48
    assert all(f.copy for f in plan.frames if f.pts < 10 or f.pts >= 50)


def test_a_box_over_the_whole_take_reencodes_all_of_it() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [TimedBox(0, 0, 8, 8)], [5.0])
    assert all(f.boxes == ((0, 0, 8, 8),) and not f.copy for f in plan.frames)
    # The chapter keeps its keyframe even though the frame is re-encoded.
    assert [f.pts for f in plan.frames if f.keyframe] == [0, 50]
    assert [len(run) for run in plan.runs()] == [len(FRAMES)]


def test_a_chapter_on_a_recording_keyframe_inside_a_stretch_ends_it() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [TimedBox(0, 0, 8, 8, 4.0, 4.5)], [5.0])
    assert [[f.pts for f in run] for run in plan.runs()] == [[40, 42, 44, 45, 46, 48]]
    assert next(f for f in plan.frames if f.pts == 50).copy


def test_cuts_outside_the_video_are_ignored() -> None:
    plan = plan_video(FRAMES, KEYS, TB, 100, [TimedBox(0, 0, 8, 8, 12.0, 20.0)], [-1.0, 11.0])
    assert plan.all_copied
