"""Two owners editing one step: merge what can be merged, refuse what cannot, lose nothing.

An editor saves a change as "from what I last saw (``base``) to what I want (``ours``)";
the database holds ``theirs``, which may have moved on since (another owner's editor, the
command line). Per field:

- a text (title, instruction, caution) is taken as a whole: it is saved if nobody else
  changed it since ``base`` (or they changed it to the same text), otherwise the save is
  refused with ``ConflictError`` ("changed by someone else; reload"), never overwritten;
- marks (annotations, redaction boxes) are merged box by box: the boxes this editor added
  are added, the ones it removed are removed, and every box someone else added stays. A
  box is never dropped because an editor did not know about it. The one conflict is two
  crops (a screenshot has at most one).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from baton.errors import ConflictError

TEXT_FIELDS = ("title", "instruction", "caution")
MARK_FIELDS = ("annotations", "redactions")
FIELD_NAMES = {"title": "title", "instruction": "instructions", "caution": "caution note"}


def merge_fields(
    current: Mapping[str, Any], ours: Mapping[str, Any], base: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """The values to save: ``ours`` merged with ``current`` (the database) from ``base``.

    Args:
        current: the fields as the database holds them now.
        ours: the fields the editor wants to save (checked, canonical).
        base: the fields as the editor last saw them; a field missing here is saved as is.
        where: names the step in messages ("step 3").

    Raises:
        ConflictError: someone else changed a text to something else, or cropped too.
    """
    merged = {}
    for name, value in ours.items():
        if name not in base:
            merged[name] = value
        elif name in MARK_FIELDS:
            merged[name] = merge_marks(base[name], current[name], value)
            if name == "annotations" and _crops(merged[name]) > max(1, _crops(value)):
                raise ConflictError(
                    f"Someone else cropped the screenshot of {where} meanwhile; reload it "
                    "and try again.")
        else:
            merged[name] = merge_text(base[name], current[name], value, name, where)
    return merged


def merge_text(base: Any, theirs: Any, ours: Any, name: str, where: str) -> Any:
    """``ours`` if nobody else changed the text since ``base``; else a ``ConflictError``."""
    if theirs == base or theirs == ours:
        return ours
    what = FIELD_NAMES.get(name, name)
    raise ConflictError(
        f"The {what} of {where} was changed by someone else; reload it and try again.")


def merge_marks(
    base: Sequence[Mapping[str, Any]],
    theirs: Sequence[Mapping[str, Any]],
    ours: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Three-way merge of two lists of marks (each mark compared whole).

    The result keeps ``theirs`` in its order, without the marks ``ours`` removed from
    ``base``, followed by the marks ``ours`` added. A mark both sides added is kept once.
    """
    if _same(theirs, base):
        return [dict(mark) for mark in ours]
    if _same(ours, base):
        return [dict(mark) for mark in theirs]
    b, t, o = _counts(base), _counts(theirs), _counts(ours)
    wanted: dict[str, int] = {}
    for key in set(b) | set(t) | set(o):
        mine, others = o[key] - b[key], t[key] - b[key]
        if mine > 0 and others > 0:
            change = max(mine, others)
        elif mine < 0 and others < 0:
            change = min(mine, others)
        else:
            change = mine + others
        wanted[key] = max(0, b[key] + change)
    result: list[dict[str, Any]] = []
    for mark in [*theirs, *ours]:
        key = _key(mark)
        if wanted.get(key, 0) > 0:
            wanted[key] -= 1
            result.append(dict(mark))
    return result


def _crops(marks: Sequence[Mapping[str, Any]]) -> int:
    return sum(1 for mark in marks if mark.get("kind") == "crop")


def _same(first: Sequence[Mapping[str, Any]], second: Sequence[Mapping[str, Any]]) -> bool:
    return [_key(m) for m in first] == [_key(m) for m in second]


def _counts(marks: Sequence[Mapping[str, Any]]) -> Counter[str]:
    return Counter(_key(mark) for mark in marks)


def _key(mark: Mapping[str, Any]) -> str:
    return json.dumps(dict(mark), sort_keys=True, separators=(",", ":"))
