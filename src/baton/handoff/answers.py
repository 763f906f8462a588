"""The owner's answers to an assistant's questions, as a package carries them.

``manifest.json`` lists them under ``answers`` (optional; absent when there are none), each
at the step it is about in the version packed (found by the step's library id, since
positions may change between versions), or with ``position`` null when that step is gone
or the question was about the whole process. The viewer shows each one at its step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from baton.core.questions import AnswerForPackage
from baton.handoff import fields

MAX_ANSWERS = 500
MAX_ANSWER_TEXT = 5000


@dataclass(frozen=True)
class AnswerEntry:
    """One question and its answer, at a step of the package (or at none)."""

    position: int | None
    step_title: str
    question: str
    answer: str
    answered_at: str  # ISO 8601, UTC

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "step_title": self.step_title,
            "question": self.question,
            "answer": self.answer,
            "answered_at": self.answered_at,
        }


def answers_for_version(
    answers: Iterable[AnswerForPackage], snapshot: Mapping[str, Any]
) -> tuple[AnswerEntry, ...]:
    """Place answers at the steps of a version snapshot (by the steps' library ids)."""
    by_id: dict[int, int] = {}
    for step in snapshot.get("steps") or []:
        if isinstance(step, dict):
            step_id, position = step.get("id"), step.get("position")
            if isinstance(step_id, int) and isinstance(position, int):
                by_id[step_id] = position
    return tuple(
        AnswerEntry(
            position=by_id.get(answer.step_id) if answer.step_id is not None else None,
            step_title=answer.step_title[:500],
            question=answer.question[:MAX_ANSWER_TEXT],
            answer=answer.answer[:MAX_ANSWER_TEXT],
            answered_at=answer.answered_at.isoformat(timespec="seconds") + "Z",
        )
        for answer in answers
    )[:MAX_ANSWERS]


def parse_answers(value: Any, positions: set[int]) -> tuple[AnswerEntry, ...]:
    """Read a manifest's ``answers`` (untrusted).

    Raises:
        Invalid: not a list of well-formed answers, or one names a step the package lacks.
    """
    if value is None:
        return ()
    what = "An answer in the package's manifest"
    entries = []
    for item in fields.as_list(value, "The package's answers", max_items=MAX_ANSWERS):
        obj = fields.as_object(item, what)
        position = fields.optional_integer(obj, "position", what, minimum=0, maximum=2**31)
        if position is not None and position not in positions:
            raise fields.Invalid(f"{what} is about a step the package does not have.")
        entries.append(AnswerEntry(
            position=position,
            step_title=fields.text(obj, "step_title", what, max_len=500, default=""),
            question=fields.text(obj, "question", what, max_len=MAX_ANSWER_TEXT),
            answer=fields.text(obj, "answer", what, max_len=MAX_ANSWER_TEXT),
            answered_at=fields.text(obj, "answered_at", what, max_len=40, default=""),
        ))
    return tuple(entries)
