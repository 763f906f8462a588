"""Redaction boxes on a process's recording: what must never show in the video sent out.

A box is drawn on the video for a stretch of time (the whole take unless said otherwise), or
carried over from a box on a step's screenshot of the same take, in which case it covers
that step's stretch: from the step before it to the step after it, since a screenshot shows
the screen just before its click (captured steps) or the end of its scene (steps from a
video), and what it shows is on screen on both sides of the step's moment. Covering too much
is safe; uncovering is not.

Boxes are stored, never painted into the library's recording. Freezing a version puts them
in its snapshot (``video_boxes``), so a change gives another content hash and the version's
video is prepared again, with the boxes burned in (``baton.handoff.video_redaction``).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, object_session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import Process, Recording, Step, VideoRedaction
from baton.core.transaction import transaction
from baton.errors import NotFound, UserError

MAX_BOXES = 500

Box = tuple[int, int, int, int]
"""x, y, width, height in pixels."""


@dataclass(frozen=True)
class VideoBoxRow:
    """A redaction box on a recording, with the stretch it covers in seconds.

    ``end`` None means to the end of the video. ``step_id`` is set for a box carried over
    from that step's screenshot; its stretch is worked out from the steps' video times.
    """

    id: int
    recording_id: int
    step_id: int | None
    x: int
    y: int
    w: int
    h: int
    start: float
    end: float | None

    @property
    def box(self) -> Box:
        return (self.x, self.y, self.w, self.h)

    def to_json(self) -> dict[str, Any]:
        """The form a version snapshot (and ``--json``) holds."""
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h,
                "start": self.start, "end": self.end}


@dataclass(frozen=True)
class RecordingRef:
    """The recording a process's boxes are drawn on."""

    id: int
    media: str | None
    width: int
    height: int
    duration: float


class VideoRedactions:
    """Redaction boxes on the processes' recordings. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This process")

    def list(self, process_id: int) -> builtins.list[VideoBoxRow]:
        """The boxes on the process's recording (none without one), in stretch order."""
        with self._session() as session:
            process = session.get(Process, process_id)
            if process is None:
                raise NotFound(f"No process with id {process_id}.")
            return _boxes(session, process)

    def recording(self, process_id: int) -> RecordingRef | None:
        """The process's recording (None without one)."""
        with self._session() as session:
            process = session.get(Process, process_id)
            if process is None:
                raise NotFound(f"No process with id {process_id}.")
            recording = process.recording
            if recording is None:
                return None
            return RecordingRef(recording.id, recording.media, recording.width,
                                recording.height, recording.duration)

    def add(
        self, process_id: int, box: Box, start: float = 0.0, end: float | None = None
    ) -> VideoBoxRow:
        """Cover ``box`` (recording pixels) from ``start`` to ``end`` seconds (None: the end).

        Raises:
            UserError: the process has no recording, or the box or the times do not fall on
                it (the message says which).
            NotFound: the process does not exist.
        """
        with self._session() as session:
            recording = _recording_of(session, process_id)
            x, y, w, h = _checked_box(box, recording)
            start, end = _checked_times(start, end, recording.duration)
            row = VideoRedaction(recording_id=recording.id, step_id=None, x=x, y=y, w=w, h=h,
                                 start_time=start, end_time=end, created_at=self._clock())
            session.add(row)
            self._touch(session, process_id)
            session.flush()
            return _row(row, start, end)

    def remove(self, box_id: int) -> None:
        """Take a box off (a box carried over from a step goes with the step's own box)."""
        with self._session() as session:
            row = session.get(VideoRedaction, box_id)
            if row is None:
                raise NotFound(f"No video redaction with id {box_id}.")
            owner = session.scalar(
                select(Process.id).where(Process.recording_id == row.recording_id))
            session.delete(row)
            if owner is not None:
                self._touch(session, owner)

    def step_boxes(self, step_id: int) -> builtins.list[VideoBoxRow]:
        """The boxes carried over from a step's screenshot onto its process's recording."""
        with self._session() as session:
            step = _step(session, step_id)
            process = session.get(Process, step.process_id)
            return [row for row in _boxes(session, process) if row.step_id == step_id]

    def set_step_boxes(self, step_id: int, boxes: Sequence[Box]) -> builtins.list[VideoBoxRow]:
        """Make ``boxes`` (recording pixels) the ones carried over from this step's screenshot.

        Replaces what was carried over before; an empty list takes them all off the video.

        Raises:
            UserError: the step has no moment in the process's recording (no recording, or
                the step is not from it), or a box does not fall on the video.
            NotFound: the step was deleted.
        """
        if len(boxes) > MAX_BOXES:
            raise UserError(f"A step can have at most {MAX_BOXES} redaction boxes.")
        with self._session() as session:
            step = _step(session, step_id)
            recording = _recording_of(session, step.process_id)
            checked = [_checked_box(box, recording) for box in boxes]
            if checked and step.video_time is None:
                raise UserError("This step has no moment in the recording, so its boxes cannot "
                                "be carried over to the video.")
            old = session.scalars(select(VideoRedaction).where(
                VideoRedaction.step_id == step_id, VideoRedaction.recording_id == recording.id))
            for row in old:
                session.delete(row)
            now = self._clock()
            for x, y, w, h in checked:
                session.add(VideoRedaction(recording_id=recording.id, step_id=step_id, x=x, y=y,
                                           w=w, h=h, start_time=0.0, end_time=None,
                                           created_at=now))
            self._touch(session, step.process_id)
            session.flush()
            process = session.get(Process, step.process_id)
            return [row for row in _boxes(session, process) if row.step_id == step_id]

    def _touch(self, session: Session, process_id: int) -> None:
        """Mark the process changed (its versions' content changes with the boxes)."""
        touch = (update(Process).where(Process.id == process_id)
                 .values(updated_at=self._clock(), row_version=Process.row_version + 1)
                 .execution_options(synchronize_session=False))
        if cast("CursorResult[Any]", session.execute(touch)).rowcount == 0:
            raise NotFound(f"No process with id {process_id}.")


def video_boxes(process: Process) -> builtins.list[dict[str, Any]]:
    """The process's boxes as a version snapshot holds them (empty without a recording)."""
    session = object_session(process)
    if session is None or process.recording_id is None:
        return []
    return [row.to_json() for row in _boxes(session, process)]


def step_stretches(times: Sequence[float | None]) -> dict[float, tuple[float, float | None]]:
    """For each step moment: from the moment before it (or 0) to the one after (or None)."""
    moments = sorted({t for t in times if t is not None})
    stretches: dict[float, tuple[float, float | None]] = {}
    for index, moment in enumerate(moments):
        before = moments[index - 1] if index > 0 else 0.0
        after = moments[index + 1] if index + 1 < len(moments) else None
        stretches[moment] = (before, after)
    return stretches


def keep_boxes_of_deleted_step(session: Session, step: Step) -> None:
    """Before ``step`` is deleted: its carried-over boxes stay on the video, as boxes of the
    stretch it covers now (the video is not cut with the step, so what they hide is still
    there; covering too much is safe, uncovering is not)."""
    process = session.get(Process, step.process_id)
    stretch = next((row for row in _boxes(session, process) if row.step_id == step.id), None)
    if stretch is None:  # no boxes, or the step has no moment in the video
        return
    session.execute(update(VideoRedaction).where(VideoRedaction.step_id == step.id)
                    .values(step_id=None, start_time=stretch.start, end_time=stretch.end)
                    .execution_options(synchronize_session=False))


def hand_over_step_boxes(session: Session, gone: Step, keep: Step) -> None:
    """Before ``gone`` is merged into ``keep``: its carried-over boxes become ``keep``'s,
    whose stretch then spans ``gone``'s (or stay on the video as they are, when ``keep``
    has no moment in it)."""
    if keep.video_time is None:
        keep_boxes_of_deleted_step(session, gone)
        return
    session.execute(update(VideoRedaction).where(VideoRedaction.step_id == gone.id)
                    .values(step_id=keep.id).execution_options(synchronize_session=False))


def _boxes(session: Session, process: Process | None) -> builtins.list[VideoBoxRow]:
    if process is None or process.recording_id is None:
        return []
    rows = session.scalars(select(VideoRedaction).where(
        VideoRedaction.recording_id == process.recording_id).order_by(VideoRedaction.id)).all()
    times = {step.id: step.video_time for step in session.scalars(
        select(Step).where(Step.process_id == process.id))}
    stretches = step_stretches(list(times.values()))
    result = []
    for row in rows:
        if row.step_id is None:
            result.append(_row(row, row.start_time, row.end_time))
            continue
        moment = times.get(row.step_id)
        if moment is None:  # the step left the video (trimmed away) or the process
            continue
        result.append(_row(row, *stretches[moment]))
    return sorted(result, key=lambda r: (r.start, math.inf if r.end is None else r.end, r.id))


def _row(row: VideoRedaction, start: float, end: float | None) -> VideoBoxRow:
    return VideoBoxRow(row.id, row.recording_id, row.step_id, row.x, row.y, row.w, row.h,
                       round(start, 3), None if end is None else round(end, 3))


def _recording_of(session: Session, process_id: int) -> Recording:
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"No process with id {process_id}.")
    recording = process.recording
    if recording is None:
        raise UserError(f"“{process.title}” has no recording to redact.")
    return recording


def _step(session: Session, step_id: int) -> Step:
    step = session.get(Step, step_id)
    if step is None:
        raise NotFound("This step no longer exists; it was deleted.")
    return step


def _checked_box(box: Sequence[Any], recording: Recording) -> Box:
    """The box as whole pixels inside the video (widened outward, then cut at its edges)."""
    if len(box) != 4 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in box
    ):
        raise UserError("A redaction box needs four numbers: x, y, width and height.")
    x, y, w, h = (float(v) for v in box)
    if w <= 0 or h <= 0:
        raise UserError("A redaction box has no width or height.")
    left, top = max(math.floor(x), 0), max(math.floor(y), 0)
    right, bottom = math.ceil(x + w), math.ceil(y + h)
    if recording.width > 0 and recording.height > 0:
        right, bottom = min(right, recording.width), min(bottom, recording.height)
        if right <= left or bottom <= top:
            raise UserError(f"The box {x:g},{y:g},{w:g},{h:g} is outside the "
                            f"{recording.width}x{recording.height} video.")
    return (left, top, right - left, bottom - top)


def _checked_times(start: float, end: float | None, duration: float) -> tuple[float, float | None]:
    if not math.isfinite(start) or start < 0:
        raise UserError("A redaction must start at 0 seconds or later.")
    if end is not None and (not math.isfinite(end) or end <= start):
        raise UserError("A redaction must end after it starts.")
    if duration > 0 and start >= duration:
        raise UserError(f"The video is {duration:.1f} s long: a redaction from {start:g} s "
                        "would cover nothing.")
    if end is not None and duration > 0 and end >= duration:
        end = None  # to the end, whatever frames the end of the file holds
    return start, end
