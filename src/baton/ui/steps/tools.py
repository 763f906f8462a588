"""The drawing tools of the screenshot canvas, as plain geometry on marks (no widgets).

Every mark is a dict in screenshot pixels (the schema is ``baton.core.marks``); redaction
boxes are ``{"x", "y", "w", "h"}``. These helpers make, move and resize them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from baton.core.marks import Mark

MIN_DRAG = 4
"""A press and release closer than this (in screenshot pixels) is a click, not a drag."""


class Tool(enum.Enum):
    """What a click or drag on the screenshot does. The value is (label, key)."""

    SELECT = ("Select", "V")
    RECT = ("Rectangle", "R")
    ARROW = ("Arrow", "A")
    MARKER = ("Numbered marker", "M")
    TEXT = ("Text", "T")
    CROP = ("Crop", "C")
    REDACT = ("Redact", "X")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def key(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Picked:
    """A mark on the canvas: an annotation or a redaction box, by list index."""

    redaction: bool
    index: int


def default_size(width: int, height: int) -> tuple[int, int]:
    """The size of a box placed by a click or by the keyboard: a fifth of the picture."""
    return max(8, width // 5), max(8, height // 5)


def make_mark(
    tool: Tool,
    start: tuple[int, int],
    end: tuple[int, int],
    image: tuple[int, int],
    *,
    number: int = 1,
    text: str = "",
) -> Mark | None:
    """The mark a press at ``start`` and release at ``end`` makes with ``tool``.

    A click (no real drag) places a default-sized box or arrow at the point. Returns
    ``None`` for the select tool, or text without any text.
    """
    (x0, y0), (x1, y1) = start, end
    width, height = image
    dragged = abs(x1 - x0) >= MIN_DRAG or abs(y1 - y0) >= MIN_DRAG
    if tool in (Tool.RECT, Tool.CROP, Tool.REDACT):
        if dragged and abs(x1 - x0) >= 1 and abs(y1 - y0) >= 1:
            box: Mark = {"x": min(x0, x1), "y": min(y0, y1), "w": abs(x1 - x0), "h": abs(y1 - y0)}
        else:
            w, h = default_size(width, height)
            box = {"x": x0 - w // 2, "y": y0 - h // 2, "w": w, "h": h}
        box = clamp_box(box, width, height)
        if tool is Tool.REDACT:
            return box
        return {"kind": "rect" if tool is Tool.RECT else "crop", **box}
    if tool is Tool.ARROW:
        if not dragged:
            w, h = default_size(width, height)
            x0, y0 = x1 - w // 2, y1 + h // 2
        return {"kind": "arrow", "x1": x0, "y1": y0, "x2": x1, "y2": y1}
    if tool is Tool.MARKER:
        return {"kind": "marker", "x": x1, "y": y1, "n": number}
    if tool is Tool.TEXT and text.strip():
        return {"kind": "text", "x": x0, "y": y0, "text": text}
    return None


def clamp_box(box: Mark, width: int, height: int) -> Mark:
    """``box`` cut to the picture (keeps at least one pixel)."""
    left = min(max(box["x"], 0), width - 1)
    top = min(max(box["y"], 0), height - 1)
    right = max(min(box["x"] + box["w"], width), left + 1)
    bottom = max(min(box["y"] + box["h"], height), top + 1)
    return {**box, "x": left, "y": top, "w": right - left, "h": bottom - top}


def moved(mark: Mark, dx: int, dy: int) -> Mark:
    """``mark`` shifted by ``dx, dy``."""
    if mark.get("kind") == "arrow":
        return {**mark, "x1": mark["x1"] + dx, "y1": mark["y1"] + dy,
                "x2": mark["x2"] + dx, "y2": mark["y2"] + dy}
    return {**mark, "x": mark["x"] + dx, "y": mark["y"] + dy}


def resized(mark: Mark, dw: int, dh: int) -> Mark:
    """``mark`` grown by ``dw, dh`` (an arrow moves its tip); sizes stay at least 1."""
    kind = mark.get("kind")
    if kind == "arrow":
        tip = (mark["x2"] + dw, mark["y2"] + dh)
        if tip == (mark["x1"], mark["y1"]):
            return mark
        return {**mark, "x2": tip[0], "y2": tip[1]}
    if "w" in mark:
        return {**mark, "w": max(1, mark["w"] + dw), "h": max(1, mark["h"] + dh)}
    return mark


def with_mark(
    annotations: list[Mark], redactions: list[Mark], mark: Mark, redaction: bool
) -> tuple[list[Mark], list[Mark], Picked]:
    """The mark lists with ``mark`` added (a new crop replaces the old one), and where."""
    if redaction:
        return annotations, [*redactions, mark], Picked(True, len(redactions))
    if mark.get("kind") == "crop":
        annotations = [m for m in annotations if m.get("kind") != "crop"]
    return [*annotations, mark], redactions, Picked(False, len(annotations))


def next_marker_number(annotations: list[Mark]) -> int:
    numbers = [m["n"] for m in annotations if m.get("kind") == "marker"]
    return min(max(numbers, default=0) + 1, 999)
