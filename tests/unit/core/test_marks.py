"""The one mark schema: annotations and redaction boxes are checked and made canonical."""

from __future__ import annotations

import pytest

from baton.core.marks import validate_annotations, validate_redactions
from baton.errors import UserError


def test_redactions_are_widened_to_whole_pixels() -> None:
    assert validate_redactions([{"x": 1.5, "y": 2.2, "w": 3.1, "h": 1}]) == [
        {"x": 1, "y": 2, "w": 4, "h": 2}
    ]
    assert validate_redactions(None) == []
    for bad in ({"x": 1}, [{"x": 0, "y": 0, "w": 0, "h": 3}], [{"x": True, "y": 0, "w": 1,
                "h": 1}], [{"x": float("nan"), "y": 0, "w": 1, "h": 1}], ["box"]):
        with pytest.raises(UserError):
            validate_redactions(bad)


def test_annotations_are_checked_and_made_canonical() -> None:
    marks = validate_annotations([
        {"kind": "rect", "x": 1.4, "y": 2, "w": 30, "h": 20, "color": "#FF0000", "extra": 1},
        {"kind": "arrow", "x1": 0, "y1": 0, "x2": 10, "y2": 10},
        {"kind": "marker", "x": 5, "y": 5, "n": 3},
        {"kind": "text", "x": 5, "y": 5, "text": "Click here"},
        {"kind": "crop", "x": 0, "y": 0, "w": 100, "h": 50},
    ])
    assert marks[0] == {"kind": "rect", "x": 1, "y": 2, "w": 30, "h": 20, "color": "#ff0000"}
    assert [m["kind"] for m in marks] == ["rect", "arrow", "marker", "text", "crop"]
    bad_ones = [
        [{"kind": "circle", "x": 0, "y": 0}],
        [{"kind": "rect", "x": 0, "y": 0, "w": -1, "h": 5}],
        [{"kind": "arrow", "x1": 3, "y1": 3, "x2": 3, "y2": 3}],
        [{"kind": "marker", "x": 0, "y": 0, "n": 0}],
        [{"kind": "text", "x": 0, "y": 0, "text": "  "}],
        [{"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1, "color": "red"}],
        [{"kind": "crop", "x": 0, "y": 0, "w": 1, "h": 1}] * 2,
        [{"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1}] * 501,
    ]
    for bad in bad_ones:
        with pytest.raises(UserError):
            validate_annotations(bad)


def test_each_kind_keeps_only_its_own_keys() -> None:
    marks = validate_annotations([
        {"kind": "arrow", "x1": 0.4, "y1": 0, "x2": 10, "y2": 10, "w": 5, "color": "#00FF00"},
        {"kind": "marker", "x": 5, "y": 5, "n": 3, "text": "ignored"},
        {"kind": "text", "x": 5.6, "y": 5, "text": "Click here", "n": 2},
        {"kind": "crop", "x": 0, "y": 0, "w": 100, "h": 50, "color": "#0000ff"},
    ])
    assert marks == [
        {"kind": "arrow", "x1": 0, "y1": 0, "x2": 10, "y2": 10, "color": "#00ff00"},
        {"kind": "marker", "x": 5, "y": 5, "n": 3},
        {"kind": "text", "x": 6, "y": 5, "text": "Click here"},
        {"kind": "crop", "x": 0, "y": 0, "w": 100, "h": 50, "color": "#0000ff"},
    ]
    assert [list(mark) for mark in marks][0] == ["kind", "x1", "y1", "x2", "y2", "color"]
