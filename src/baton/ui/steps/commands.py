"""Undoable step edits (QUndoCommand): every change goes through the step service at once.

A command does its work when pushed and again on redo; undo calls the service to put
things back. A deleted step that comes back gets a new database id, so commands hold the
id a step had when they were made and look the current one up in ``StepIds``. When the
service refuses (the step was deleted elsewhere, someone else changed the process) the
command reports it and drops out of the undo history instead of leaving it inconsistent.

Another owner may edit the same steps meanwhile. Each command saves "from what I started
from to what I want" (``base``), so the step service merges it into what is saved now or
refuses it (``ConflictError``) instead of writing back a stale copy: undoing a mark edit
takes back only this editor's boxes, and a delete or a merge's undo is refused when the
step changed since the editor last saw it (``SeenRows``). When the team library cannot be
reached the owner is asked whether to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from baton.core.marks import Mark
from baton.core.steps import StepContent, StepRow, Steps
from baton.errors import DatabaseUnavailable, UserError

TEXT_FIELDS = {"title": "title", "instruction": "instructions", "caution": "caution note"}


class StepIds:
    """Follows steps that were deleted and brought back (under a new id) by undo/redo."""

    def __init__(self) -> None:
        self._renamed: dict[int, int] = {}

    def resolve(self, step_id: int) -> int:
        while step_id in self._renamed:
            step_id = self._renamed[step_id]
        return step_id

    def renamed(self, old: int, new: int) -> None:
        if old != new:
            self._renamed[self.resolve(old)] = new


class SeenRows:
    """The steps as the editor last saw them saved (by current id): what its next edit
    of a step starts from."""

    def __init__(self) -> None:
        self._rows: dict[int, StepRow] = {}

    def remember(self, rows: Iterable[StepRow]) -> None:
        for row in rows:
            self._rows[row.id] = row

    def replace_all(self, rows: Iterable[StepRow]) -> None:
        self._rows = {row.id: row for row in rows}

    def row(self, step_id: int) -> StepRow | None:
        return self._rows.get(step_id)

    def version(self, step_id: int) -> int | None:
        row = self._rows.get(step_id)
        return row.row_version if row is not None else None


class EditorContext(Protocol):
    """What commands need from the editor."""

    steps: Steps
    ids: StepIds
    seen: SeenRows
    process_id: int

    def flush(self) -> None:
        """Save typed text that is waiting for the debounce."""

    def reload(self, select: int | None) -> None:
        """Show the steps from the database again and select ``select``."""

    def set_text(self, step_id: int, field: str, value: str, *, save_now: bool,
                 base: str | None = None) -> None:
        """Show a text field of a step and save it (at once, or after the typing pause),
        as a change from ``base`` (None: from the text last seen saved)."""

    def show_row(self, row: StepRow) -> None:
        """Show a step that changed (its marks, its thumbnail)."""

    def marks_saved(self, row: StepRow) -> None:
        """A step's annotations or redaction boxes were saved (by an edit or an undo)."""

    def failed(self, error: UserError) -> None:
        """Tell the user why an edit could not be done, and reload."""

    def keep_media(self, row: StepRow) -> None:
        """Keep the step's media for as long as the editor is open (for undo)."""

    def restore_media(self, row: StepRow) -> None:
        """Store the step's media again (cleanup may have removed it meanwhile)."""

    def retry(self, error: DatabaseUnavailable) -> bool:
        """Ask whether to try again after the team library could not be reached."""


class StepCommand(QUndoCommand):
    """Runs ``apply``/``revert``; a refused change makes the command obsolete."""

    def __init__(self, ctx: EditorContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, action: Callable[[], None]) -> None:
        while True:
            try:
                action()
                return
            except DatabaseUnavailable as error:
                if self.ctx.retry(error):
                    continue
                self.setObsolete(True)
                self.ctx.failed(error)
                return
            except UserError as error:
                self.setObsolete(True)
                self.ctx.failed(error)
                return


class EditText(StepCommand):
    """Typing in a step's title, instructions or caution (one command per typing run)."""

    def __init__(self, ctx: EditorContext, step_id: int, field: str, old: str, new: str,
                 run: int) -> None:
        super().__init__(ctx, f"Edit {TEXT_FIELDS[field]}")
        self.step_id, self.field, self.old, self.new, self.run = step_id, field, old, new, run
        self.typed = True  # the first apply is the typing itself: saved after a pause

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not (isinstance(other, EditText) and other.run == self.run
                and (other.step_id, other.field) == (self.step_id, self.field)):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True

    def apply(self) -> None:
        typed, self.typed = self.typed, False
        self.ctx.set_text(self.ctx.ids.resolve(self.step_id), self.field, self.new,
                          save_now=not typed, base=None if typed else self.old)

    def revert(self) -> None:
        self.ctx.set_text(self.ctx.ids.resolve(self.step_id), self.field, self.old,
                          save_now=True, base=self.new)


class EditMarks(StepCommand):
    """A change to the annotations or redaction boxes of a step's screenshot."""

    def __init__(self, ctx: EditorContext, step_id: int,
                 old: tuple[list[Mark], list[Mark]], new: tuple[list[Mark], list[Mark]],
                 merge_key: str = "") -> None:
        super().__init__(ctx, "Edit the screenshot")
        self.step_id, self.old, self.new, self.merge_key = step_id, old, new, merge_key

    def id(self) -> int:
        return 2

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not (isinstance(other, EditMarks) and self.merge_key
                and (other.step_id, other.merge_key) == (self.step_id, self.merge_key)):
            return False
        self.new = other.new
        return True

    def _save(self, base: tuple[list[Mark], list[Mark]],
              marks: tuple[list[Mark], list[Mark]]) -> None:
        # Saved as the change from ``base``: boxes someone else drew meanwhile stay.
        row = self.ctx.steps.update(
            self.ctx.ids.resolve(self.step_id), annotations=marks[0], redactions=marks[1],
            base={"annotations": base[0], "redactions": base[1]})
        self.ctx.show_row(row)
        self.ctx.marks_saved(row)

    def apply(self) -> None:
        self._save(self.old, self.new)

    def revert(self) -> None:
        self._save(self.new, self.old)


class AddStep(StepCommand):
    """A new step at a position (empty, or with given content)."""

    def __init__(self, ctx: EditorContext, position: int,
                 content: StepContent | None = None, text: str = "Add step") -> None:
        super().__init__(ctx, text)
        self.position, self.content = position, content or StepContent()
        self.step_id: int | None = None

    def apply(self) -> None:
        self.ctx.flush()
        row = self.ctx.steps.add(self.ctx.process_id, self.content, position=self.position)
        if self.step_id is None:
            self.step_id = row.id
        self.ctx.ids.renamed(self.step_id, row.id)
        self.ctx.reload(row.id)

    def revert(self) -> None:
        assert self.step_id is not None
        self.ctx.flush()
        step_id = self.ctx.ids.resolve(self.step_id)
        self.ctx.steps.delete(step_id, expected_version=self.ctx.seen.version(step_id))
        self.ctx.reload(None)


class DeleteStep(StepCommand):
    def __init__(self, ctx: EditorContext, step_id: int) -> None:
        super().__init__(ctx, "Delete step")
        self.step_id = step_id
        self.row: StepRow | None = None

    def apply(self) -> None:
        self.ctx.flush()
        step_id = self.ctx.ids.resolve(self.step_id)
        seen = self.ctx.seen.version(step_id)
        self.row = self.ctx.steps.get(step_id)
        self.ctx.keep_media(self.row)  # for undo, even if cleanup removes the file meanwhile
        self.ctx.steps.delete(self.row.id, expected_version=seen)
        self.ctx.reload(None)

    def revert(self) -> None:
        assert self.row is not None
        self.ctx.flush()
        self.ctx.restore_media(self.row)
        back = self.ctx.steps.add(self.ctx.process_id, self.row.content,
                                  position=self.row.position)
        self.ctx.ids.renamed(self.row.id, back.id)
        self.ctx.reload(back.id)


class DuplicateStep(AddStep):
    def __init__(self, ctx: EditorContext, source: StepRow) -> None:
        super().__init__(ctx, source.position + 1, source.content, "Duplicate step")


class MoveStep(StepCommand):
    def __init__(self, ctx: EditorContext, step_id: int, position: int) -> None:
        super().__init__(ctx, "Move step")
        self.step_id, self.position = step_id, position
        self.previous: int | None = None

    def _move(self, position: int) -> None:
        self.ctx.flush()
        step_id = self.ctx.ids.resolve(self.step_id)
        current = self.ctx.steps.get(step_id).position
        if self.previous is None:
            self.previous = current
        self.ctx.steps.move(step_id, position)
        self.ctx.reload(step_id)

    def apply(self) -> None:
        self._move(self.position)

    def revert(self) -> None:
        assert self.previous is not None
        self._move(self.previous)


class MergeSteps(StepCommand):
    """Two adjacent steps joined into the earlier one."""

    def __init__(self, ctx: EditorContext, first_id: int, second_id: int) -> None:
        super().__init__(ctx, "Merge steps")
        self.first_id, self.second_id = first_id, second_id
        self.before: tuple[StepRow, StepRow] | None = None
        self.merged: StepRow | None = None

    def apply(self) -> None:
        self.ctx.flush()
        ids = self.ctx.ids
        first = self.ctx.steps.get(ids.resolve(self.first_id))
        second = self.ctx.steps.get(ids.resolve(self.second_id))
        self.before = (first, second) if first.position < second.position else (second, first)
        for row in self.before:
            self.ctx.keep_media(row)
        merged = self.ctx.steps.merge(first.id, second.id)
        self.merged = merged
        self.ctx.reload(merged.id)

    def revert(self) -> None:
        assert self.before is not None
        kept, gone = self.before
        self.ctx.flush()
        kept_id = self.ctx.ids.resolve(kept.id)
        for row in self.before:
            self.ctx.restore_media(row)
        # From the merged step back to the earlier one: what someone else changed in the
        # merged step since is kept (marks) or refuses the undo (texts).
        self.ctx.steps.replace(kept_id, kept.content,
                               base=self.merged.content if self.merged else None)
        back = self.ctx.steps.add(self.ctx.process_id, gone.content, position=gone.position)
        self.ctx.ids.renamed(gone.id, back.id)
        self.ctx.reload(kept_id)


class DeleteSteps(StepCommand):
    """Several steps deleted at once; one undo brings them all back where they were."""

    def __init__(self, ctx: EditorContext, step_ids: list[int]) -> None:
        super().__init__(ctx, f"Delete {len(step_ids)} steps")
        self.step_ids = list(step_ids)
        self.rows: list[StepRow] = []

    def apply(self) -> None:
        self.ctx.flush()
        ids = self.ctx.ids
        rows = [self.ctx.steps.get(ids.resolve(step_id)) for step_id in self.step_ids]
        self.rows = sorted(rows, key=lambda row: row.position)
        for row in reversed(self.rows):  # from the end, so the others keep their places
            self.ctx.steps.delete(row.id)
        self.ctx.reload(None)

    def revert(self) -> None:
        self.ctx.flush()
        first: int | None = None
        for row in self.rows:  # in order: each goes back to the place it had
            back = self.ctx.steps.add(self.ctx.process_id, row.content, position=row.position)
            self.ctx.ids.renamed(row.id, back.id)
            first = back.id if first is None else first
        self.ctx.reload(first)
