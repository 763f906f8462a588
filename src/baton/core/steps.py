"""The steps of a process: list, add, edit, delete, duplicate, merge, reorder, and append
the steps a capture makes (``StepAppender``).

Positions always run 1..n without gaps; every change renumbers what it touched and bumps
the process's ``updated_at`` (and so its row version). Changes to one process's steps lock
its row first, so two editors on a shared PostgreSQL library cannot interleave a reorder.

An instruction is plain text with a small Markdown-like convention: ``**bold**``, lines
starting with ``- `` are bullets, ``1. `` numbered. The marks on a screenshot (annotations,
redaction boxes) are checked and stored in canonical form (``baton.core.marks``).

Two owners may edit one step at once. A step's ``row_version`` moves whenever its content
changes; an edit passes what it started from (``base``) and is merged into what the
database holds now, or refused with ``ConflictError`` (``baton.core.step_merge``): a text
someone else changed is never overwritten, and a mark box someone else drew is never
dropped.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.marks import Mark, validate_annotations, validate_redactions
from baton.core.models import Process, Step
from baton.core.redactions import hand_over_step_boxes, keep_boxes_of_deleted_step
from baton.core.step_merge import MARK_FIELDS, TEXT_FIELDS, merge_fields
from baton.core.transaction import touch_process, transaction
from baton.errors import ConflictError, NotFound, UserError

if TYPE_CHECKING:
    from baton.core.step_appender import StepAppender

MAX_TITLE = 500
MAX_INSTRUCTION = 20_000
MAX_CAUTION = 5_000


@dataclass(frozen=True)
class StepContent:
    """Everything a step holds except where it is (what ``add`` and ``replace`` take)."""

    title: str = ""
    instruction: str = ""
    caution: str = ""
    screenshot: str | None = None
    full_screenshot: str | None = None
    click_x: int | None = None
    click_y: int | None = None
    video_time: float | None = None
    window_title: str = ""
    redactions: tuple[Mark, ...] = ()
    annotations: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class StepRow(StepContent):
    """A step as views show it (plain data, no session needed)."""

    id: int = 0
    process_id: int = 0
    position: int = 0
    row_version: int = 0

    @property
    def content(self) -> StepContent:
        """The step's content without its identity (to re-create it, e.g. on undo)."""
        return StepContent(**_fields(self))


_CONTENT_FIELDS = tuple(f.name for f in fields(StepContent))
MERGED_FIELDS = TEXT_FIELDS + MARK_FIELDS
_ROW_FIELDS = tuple(f.name for f in fields(StepRow))


class Steps:
    """The steps of processes. Takes a session factory and a clock."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def _session(self) -> AbstractContextManager[Session]:
        return transaction(self._sessions, "This process")

    def list(self, process_id: int) -> builtins.list[StepRow]:
        """The steps of a process in order; ``NotFound`` if the process is gone."""
        with self._session() as session:
            if session.get(Process, process_id) is None:
                raise NotFound(f"No process with id {process_id}.")
            return [step_row(step) for step in _ordered(session, process_id)]

    def get(self, step_id: int) -> StepRow:
        with self._session() as session:
            return step_row(_get_step(session, step_id))

    def add(
        self, process_id: int, content: StepContent | None = None, *, position: int | None = None
    ) -> StepRow:
        """Insert a step at ``position`` (1-based; ``None`` or past the end appends)."""
        values = _checked(_fields(content or StepContent()))
        with self._session() as session:
            self._lock(session, process_id)
            steps = _ordered(session, process_id)
            step = Step(process_id=process_id, position=0, **values)
            session.add(step)
            index = len(steps) if position is None else min(max(position, 1) - 1, len(steps))
            steps.insert(index, step)
            self._save_order(session, steps)
            return step_row(step)

    def update(
        self,
        step_id: int,
        *,
        title: str | None = None,
        instruction: str | None = None,
        caution: str | None = None,
        redactions: Sequence[Mark] | None = None,
        annotations: Sequence[Mark] | None = None,
        base: Mapping[str, Any] | StepRow | None = None,
    ) -> StepRow:
        """Change the given fields of a step (``None`` leaves a field as it is).

        Args:
            base: the fields as the caller last saw them (a ``StepRow`` or a mapping of
                some fields). Given, the change is merged into the step as it is now:
                texts someone else changed meanwhile are refused, marks are merged box by
                box. Without it the fields are simply set.

        Raises:
            UserError: a text is too long or a mark is malformed.
            ConflictError: someone else changed the same text meanwhile (nothing saved).
            NotFound: the step was deleted meanwhile.
        """
        given = {"title": title, "instruction": instruction, "caution": caution,
                 "redactions": redactions, "annotations": annotations}
        changes = _checked({k: v for k, v in given.items() if v is not None})
        if isinstance(base, StepRow):
            base = {name: getattr(base, name) for name in changes}
        seen = _checked({k: v for k, v in (base or {}).items() if k in changes})
        return self._change(step_id, changes, seen)

    def replace(
        self,
        step_id: int,
        content: StepContent,
        *,
        base: StepContent | None = None,
        expected_version: int | None = None,
    ) -> StepRow:
        """Set every field of a step to ``content`` (its position stays).

        Args:
            base: the content the caller started from: its texts and marks are then merged
                as in ``update`` (texts someone else changed are refused, marks merged).
            expected_version: refuse if the step's row version is not this one.

        Raises:
            ConflictError: the step changed since (see ``base`` and ``expected_version``).
        """
        values = _checked(_fields(content))
        seen = None
        if base is not None:
            seen = _checked({name: getattr(base, name) for name in MERGED_FIELDS})
        return self._change(step_id, values, seen, expected_version=expected_version)

    def set_screenshot(
        self,
        step_id: int,
        screenshot: str | None,
        *,
        full_screenshot: str | None = None,
        click: tuple[int, int] | None = None,
        expected_version: int | None = None,
    ) -> StepRow:
        """Give a step another screenshot (a media key); its marks are kept.

        Redaction boxes stay on purpose: covering too much is safe, uncovering is not.
        """
        x, y = click if click else (None, None)
        values = {"screenshot": screenshot, "full_screenshot": full_screenshot}
        return self._change(step_id, {**values, "click_x": x, "click_y": y},
                            expected_version=expected_version)

    def delete(self, step_id: int, *, expected_version: int | None = None) -> None:
        """Delete a step. Boxes it carried over to the video stay there, for the stretch
        it covered (undo brings the step back; the video stays covered either way).

        Raises:
            ConflictError: ``expected_version`` is given and someone else changed the step
                since (it is kept).
        """
        with self._session() as session:
            step = self._locked_step(session, step_id)
            _check_version(step, expected_version)
            steps = [s for s in _ordered(session, step.process_id) if s.id != step.id]
            keep_boxes_of_deleted_step(session, step)
            session.delete(step)
            self._save_order(session, steps)

    def duplicate(self, step_id: int) -> StepRow:
        """Copy a step; the copy comes right after it."""
        source = self.get(step_id)
        return self.add(source.process_id, source.content, position=source.position + 1)

    def merge(self, first_id: int, second_id: int) -> StepRow:
        """Join two adjacent steps into the earlier one; texts are joined line by line.

        The earlier step keeps its screenshot and marks; if it has no screenshot it takes
        the later one's (with its marks, click and video time).

        Raises:
            UserError: the steps are not next to each other in one process.
        """
        with self._session() as session:
            first, second = _get_step(session, first_id), _get_step(session, second_id)
            if first.process_id != second.process_id or first.id == second.id:
                raise UserError("Only two different steps of one process can be merged.")
            self._lock(session, first.process_id)
            steps = _ordered(session, first.process_id)
            a, b = sorted((steps.index(first), steps.index(second)))
            if b - a != 1:
                raise UserError("Only steps next to each other can be merged.")
            keep, gone = steps[a], steps[b]
            keep.title = keep.title or gone.title
            keep.instruction = _join(keep.instruction, gone.instruction)
            keep.caution = _join(keep.caution, gone.caution)
            if keep.screenshot is None and gone.screenshot is not None:
                for name in ("screenshot", "full_screenshot", "click_x", "click_y",
                             "window_title", "redactions", "annotations"):
                    setattr(keep, name, getattr(gone, name))
            if keep.video_time is None:
                keep.video_time = gone.video_time
            keep.row_version += 1
            hand_over_step_boxes(session, gone, keep)
            session.delete(gone)
            steps.remove(gone)
            self._save_order(session, steps)
            return step_row(keep)

    def move(self, step_id: int, position: int) -> builtins.list[StepRow]:
        """Move a step to ``position`` (1-based, clamped); returns the new order."""
        with self._session() as session:
            step = _get_step(session, step_id)
            self._lock(session, step.process_id)
            steps = _ordered(session, step.process_id)
            steps.remove(step)
            steps.insert(min(max(position, 1) - 1, len(steps)), step)
            return self._save_order(session, steps)

    def reorder(self, process_id: int, step_ids: Sequence[int]) -> builtins.list[StepRow]:
        """Put all steps of a process in the order of ``step_ids`` (exactly its steps)."""
        with self._session() as session:
            self._lock(session, process_id)
            by_id = {s.id: s for s in _ordered(session, process_id)}
            if sorted(by_id) != sorted(step_ids):
                raise UserError("The steps changed meanwhile; reload them and try again.")
            return self._save_order(session, [by_id[i] for i in step_ids])

    # -- helpers ---------------------------------------------------------------------------

    def _change(
        self,
        step_id: int,
        values: dict[str, Any],
        base: Mapping[str, Any] | None = None,
        *,
        expected_version: int | None = None,
    ) -> StepRow:
        with self._session() as session:
            step = self._locked_step(session, step_id)
            _check_version(step, expected_version)
            if base:
                current = {name: getattr(step, name) for name in values}
                values = _checked(merge_fields(current, values, base, f"step {step.position}"))
            changed = False
            for name, value in values.items():
                if getattr(step, name) != value:
                    setattr(step, name, value)
                    changed = True
            if changed:
                step.row_version += 1
            session.flush()
            return step_row(step)

    def _locked_step(self, session: Session, step_id: int) -> Step:
        """The step, read again after its process is locked (so nobody changes it under
        us and a merge starts from what is really saved)."""
        process_id = _get_step(session, step_id).process_id
        self._lock(session, process_id)
        step = session.get(Step, step_id, populate_existing=True)
        if step is None:
            raise NotFound("This step no longer exists; it was deleted.")
        return step

    def _save_order(self, session: Session, steps: builtins.list[Step]) -> builtins.list[StepRow]:
        _renumber(steps)
        session.flush()
        return [step_row(s) for s in steps]

    def _lock(self, session: Session, process_id: int) -> None:
        """Mark the process changed, which takes its write lock for the transaction."""
        if not touch_process(session, process_id, updated_at=self._clock()):
            raise NotFound(f"No process with id {process_id}.")

    def appender(self, process_id: int) -> StepAppender:
        """Where step capture and steps-from-video put the steps they make for a process."""
        from baton.core.step_appender import StepAppender

        return StepAppender(self._sessions, process_id, self._clock)


# -- validation ---------------------------------------------------------------------------


def check_title(title: str) -> str:
    """A step title is one line of at most 500 characters."""
    title = " ".join(title.splitlines())
    if len(title) > MAX_TITLE:
        raise UserError(f"A step title can be at most {MAX_TITLE} characters.")
    return title


def _check_text(text: str, limit: int, what: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > limit:
        raise UserError(f"{what} can be at most {limit} characters.")
    return text


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "title": check_title, "window_title": check_title,
    "instruction": lambda text: _check_text(text, MAX_INSTRUCTION, "An instruction"),
    "caution": lambda text: _check_text(text, MAX_CAUTION, "A caution note"),
    "redactions": validate_redactions, "annotations": validate_annotations,
}


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every content field checked and put in canonical form."""
    return {k: _CHECKS[k](v) if k in _CHECKS else v for k, v in values.items()}


def step_records(contents: Sequence[StepContent]) -> builtins.list[Step]:
    """New ``Step`` records for ``contents`` (checked), at positions 1..n, of no process yet.

    Raises:
        UserError: a text is too long or a mark is malformed.
    """
    return [Step(position=position, **_checked(_fields(content)))
            for position, content in enumerate(contents, start=1)]


def _fields(content: StepContent) -> dict[str, Any]:
    return {name: getattr(content, name) for name in _CONTENT_FIELDS}


def _join(first: str, second: str) -> str:
    return "\n".join(part for part in (first.strip("\n"), second.strip("\n")) if part)


def _check_version(step: Step, expected: int | None) -> None:
    if expected is not None and step.row_version != expected:
        raise ConflictError(
            f"Step {step.position} was changed by someone else; reload it and try again.")


def _get_step(session: Session, step_id: int) -> Step:
    step = session.get(Step, step_id)
    if step is None:
        raise NotFound("This step no longer exists; it was deleted.")
    return step


def _ordered(session: Session, process_id: int) -> builtins.list[Step]:
    query = select(Step).where(Step.process_id == process_id).order_by(Step.position, Step.id)
    # Steps loaded before the lock may be stale: take the locked database's values.
    return builtins.list(session.scalars(query.execution_options(populate_existing=True)))


def _renumber(steps: builtins.list[Step]) -> None:
    for position, step in enumerate(steps, start=1):
        if step.position != position:
            step.position = position


def step_row(step: Step) -> StepRow:
    values = {name: getattr(step, name) for name in _ROW_FIELDS}
    for name in ("redactions", "annotations"):
        values[name] = tuple(dict(mark) for mark in values[name] or ())
    return StepRow(**values)
