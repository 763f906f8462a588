"""The marks on a step's screenshot: annotations and redaction boxes, typed and checked.

Every mark is a JSON object in screenshot pixels. Annotations have a ``kind``:

- ``rect`` and ``crop``: ``x, y, w, h`` (w and h above 0; at most one crop per step),
- ``arrow``: ``x1, y1`` (the tail) to ``x2, y2`` (the tip), not the same point,
- ``marker``: a numbered circle at ``x, y`` with ``n`` from 1 to 999,
- ``text``: a label at ``x, y`` with ``text`` (1 to 500 characters),

each with an optional ``color`` ``"#rrggbb"``. A redaction box is ``x, y, w, h`` with no
kind. The database, the editor, the painter and the package all use this one schema;
``validate_annotations`` and ``validate_redactions`` put marks in canonical form (whole
pixels, known keys only) and refuse malformed ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

from baton.errors import UserError

Mark = Mapping[str, Any]
"""A mark as the editor and the database hold it (an ``Annotation`` or a ``RedactionBox``
before it is checked)."""

MAX_MARKS = 500
MAX_COORDINATE = 100_000
MAX_LABEL = 500
MAX_MARKER = 999
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class RedactionBox(TypedDict):
    """A box that is filled solid black wherever the screenshot leaves Baton."""

    x: int
    y: int
    w: int
    h: int


class RectMark(TypedDict):
    kind: Literal["rect"]
    x: int
    y: int
    w: int
    h: int
    color: NotRequired[str]


class CropMark(TypedDict):
    kind: Literal["crop"]
    x: int
    y: int
    w: int
    h: int
    color: NotRequired[str]


class ArrowMark(TypedDict):
    kind: Literal["arrow"]
    x1: int
    y1: int
    x2: int
    y2: int
    color: NotRequired[str]


class MarkerMark(TypedDict):
    kind: Literal["marker"]
    x: int
    y: int
    n: int
    color: NotRequired[str]


class TextMark(TypedDict):
    kind: Literal["text"]
    x: int
    y: int
    text: str
    color: NotRequired[str]


Annotation = RectMark | CropMark | ArrowMark | MarkerMark | TextMark

ANNOTATION_KINDS: dict[str, tuple[str, ...]] = {
    "rect": ("x", "y", "w", "h"), "arrow": ("x1", "y1", "x2", "y2"), "marker": ("x", "y"),
    "text": ("x", "y"), "crop": ("x", "y", "w", "h"),
}
"""The coordinates each annotation kind needs, in screenshot pixels."""


def validate_redactions(value: Any) -> list[RedactionBox]:
    """Check redaction boxes ``{"x", "y", "w", "h"}`` (screenshot pixels, w and h above 0).

    Returns:
        The boxes widened outward to whole pixels, so nothing half-covered leaks.

    Raises:
        UserError: not a list of boxes with numeric x, y, w, h.
    """
    boxes = []
    for item in _mark_list(value, "redaction boxes"):
        x, y, w, h = (_number(item, key, "A redaction box") for key in ("x", "y", "w", "h"))
        if w <= 0 or h <= 0:
            raise UserError("A redaction box has no width or height.")
        left, top = math.floor(x), math.floor(y)
        right, bottom = math.ceil(x + w), math.ceil(y + h)
        boxes.append(RedactionBox(x=left, y=top, w=right - left, h=bottom - top))
    return boxes


def validate_annotations(value: Any) -> list[Annotation]:
    """Check annotations; returns them in canonical form (whole pixels, known keys only).

    Raises:
        UserError: an annotation is malformed, or there is more than one crop.
    """
    marks = [_annotation(item) for item in _mark_list(value, "annotations")]
    if sum(1 for mark in marks if mark["kind"] == "crop") > 1:
        raise UserError("A step screenshot can have only one crop.")
    return marks


def _annotation(item: dict[str, Any]) -> Annotation:
    kind = item.get("kind")
    if kind not in ANNOTATION_KINDS:
        raise UserError(f"An annotation has an unknown kind: {str(kind)[:20]!r}.")
    at = {key: round(_number(item, key, f"A {kind} annotation"))
          for key in ANNOTATION_KINDS[kind]}
    mark: Annotation
    if kind == "rect" or kind == "crop":
        if at["w"] <= 0 or at["h"] <= 0:
            raise UserError(f"A {kind} annotation has no width or height.")
        if kind == "rect":
            mark = RectMark(kind="rect", x=at["x"], y=at["y"], w=at["w"], h=at["h"])
        else:
            mark = CropMark(kind="crop", x=at["x"], y=at["y"], w=at["w"], h=at["h"])
    elif kind == "arrow":
        if (at["x1"], at["y1"]) == (at["x2"], at["y2"]):
            raise UserError("An arrow annotation has no length.")
        mark = ArrowMark(kind="arrow", x1=at["x1"], y1=at["y1"], x2=at["x2"], y2=at["y2"])
    elif kind == "marker":
        n = item.get("n")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_MARKER:
            raise UserError(f"A numbered marker needs a number from 1 to {MAX_MARKER}.")
        mark = MarkerMark(kind="marker", x=at["x"], y=at["y"], n=n)
    else:
        text = item.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_LABEL:
            raise UserError(f"A text annotation needs 1 to {MAX_LABEL} characters.")
        mark = TextMark(kind="text", x=at["x"], y=at["y"], text=text)
    color = item.get("color")
    if color is not None:
        if not isinstance(color, str) or not _COLOR.match(color):
            raise UserError("An annotation color must look like #rrggbb.")
        mark["color"] = color.lower()
    return mark


def _mark_list(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise UserError(f"A step's {what} are not a list.")
    if len(value) > MAX_MARKS:
        raise UserError(f"A step can have at most {MAX_MARKS} {what}.")
    if not all(isinstance(item, dict) for item in value):
        raise UserError(f"A step's {what} must each be a set of named values.")
    return list(value)


def _number(item: dict[str, Any], key: str, what: str) -> float:
    number: Any = item.get(key)
    usable = isinstance(number, int | float) and not isinstance(number, bool)
    if not usable or not math.isfinite(number) or abs(number) > MAX_COORDINATE:
        raise UserError(f"{what} has no usable {key!r}.")
    return float(number)
