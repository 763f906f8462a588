"""manifest.json: round trip, and refusal of everything malformed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton.handoff.fields import Invalid
from baton.handoff.manifest import (
    FileEntry,
    Manifest,
    ProcessInfo,
    StepEntry,
    make_package_id,
    parse_manifest,
)

HASH = "ab" * 32
KEY = "c0" * 32


def sample() -> Manifest:
    return Manifest(
        package_id=make_package_id(4, 2, HASH, 9),
        process=ProcessInfo(4, "Payroll", "Fortnightly", "internal", "moderate", 45, 0.5, 2, HASH),
        handoff_id=9,
        assistant="Ana",
        video="video/walkthrough.mp4",
        steps=(
            StepEntry(1, "Open", "Go", "", "steps/001.png", 1.5, (10, 20), [{"kind": "rect"}]),
            StepEntry(2, "Close", "", "Careful", None, None, None, []),
        ),
        files=(
            FileEntry("steps/001.png", HASH, 10),
            FileEntry("video/walkthrough.mp4", HASH, 20),
        ),
        receipt_key=KEY,
    )


def raw() -> dict[str, Any]:
    return sample().to_json()


def parse(data: dict[str, Any]) -> Manifest:
    return parse_manifest(json.dumps(data).encode())


def test_round_trip() -> None:
    assert parse_manifest(sample().encode()) == sample()


def test_encoding_is_deterministic_utf8() -> None:
    assert sample().encode() == sample().encode()
    manifest = parse(dict(raw(), process=dict(raw()["process"], title="Reconcile € ✓")))
    assert "€ ✓".encode() in manifest.encode()


def test_package_id_depends_on_handoff_and_content() -> None:
    base = make_package_id(4, 2, HASH, 9)
    assert len(base) == 32
    assert base == make_package_id(4, 2, HASH, 9)
    assert base != make_package_id(4, 2, HASH, 10)
    assert base != make_package_id(4, 3, HASH, 9)
    assert base != make_package_id(4, 2, "cd" * 32, 9)
    assert base != make_package_id(4, 2, HASH, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "something-else"}, "not a Baton handoff package"),
        ({"format_version": 3}, "newer Baton"),
        ({"format_version": 0}, "no valid format version"),
        ({"format_version": "1"}, "no valid format version"),
        ({"format_version": True}, "no valid format version"),
        ({"package_id": "../../etc"}, "malformed package id"),
        ({"process": None}, "not a JSON object"),
        ({"files": "all of them"}, "not a list"),
        ({"steps": [{"position": 1}, {"position": 1}]}, "same position"),
        ({"video": "video/other.mp4"}, "not video/walkthrough.mp4 in its file list"),
        ({"video": "steps/001.png"}, "not video/walkthrough.mp4 in its file list"),
        ({"handoff": {"id": 9, "assistant": "Ana"}}, "no valid receipt key"),
        ({"handoff": {"id": 9, "receipt_key": "AB" * 32}}, "no valid receipt key"),
    ],
)
def test_malformed_manifests_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse(dict(raw(), **change))


@pytest.mark.parametrize(
    "path",
    ["../evil", "/etc/passwd", "steps/../../x", "a\\b", "steps//x", "./x", "", "manifest.json"],
)
def test_unsafe_file_names_in_the_manifest_are_refused(path: str) -> None:
    data = raw()
    data["files"].append({"path": path, "sha256": HASH, "bytes": 1})
    with pytest.raises(Invalid, match="unsafe name"):
        parse(data)


@pytest.mark.parametrize("path", ["evil.exe", "steps/001.html", "steps/1.png", "video/x.mp4"])
def test_files_no_package_holds_are_refused(path: str) -> None:
    data = raw()
    data["files"].append({"path": path, "sha256": HASH, "bytes": 1})
    with pytest.raises(Invalid, match="which no package holds"):
        parse(data)


def test_format_1_manifests_are_still_read_without_a_receipt_key() -> None:
    data = raw()
    data["format_version"] = 1
    data["handoff"] = {"id": 9, "assistant": "Ana"}
    manifest = parse(data)
    assert (manifest.format_version, manifest.receipt_key) == (1, None)
    assert not manifest.signs_receipts
    assert parse(raw()).signs_receipts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"\ud800 lone surrogate", "not text"),
        (r"NUL \u0000 inside", "not text"),
        (r"escape \u001b[31m red", "not text"),
    ],
)
def test_text_that_cannot_be_shown_or_stored_is_refused(text: str, message: str) -> None:
    body = json.dumps(raw()).replace('"Payroll"', json.dumps("x")[:-1] + text + '"', 1)
    with pytest.raises(Invalid, match=message):
        parse_manifest(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b'{"format": "baton-handoff", "format_version": ' + b"9" * 5000 + b"}",
        b'{"format": "baton-handoff", "format_version": NaN}',
        b'{"format": "baton-handoff", "format_version": Infinity}',
        b"\xff\xfe not utf-8",
    ],
)
def test_numbers_python_cannot_read_are_refused_as_invalid_json(body: bytes) -> None:
    with pytest.raises(Invalid, match="not valid JSON"):
        parse_manifest(body)


def test_a_huge_integer_where_a_number_goes_is_refused() -> None:
    data = raw()
    data["steps"][0]["video_time"] = 10**400
    with pytest.raises(Invalid, match="between"):
        parse(data)


def test_field_types_are_checked() -> None:
    data = raw()
    data["steps"][0]["position"] = True
    with pytest.raises(Invalid, match="whole number"):
        parse(data)
    data = raw()
    data["files"][0]["sha256"] = "not-a-hash"
    with pytest.raises(Invalid, match="SHA-256"):
        parse(data)
    data = raw()
    data["steps"][0]["click"] = [1, 2, 3]
    with pytest.raises(Invalid, match="click point"):
        parse(data)
    data = raw()
    data["steps"][0]["screenshot"] = "steps/999.png"
    with pytest.raises(Invalid, match="screenshot that is not a picture in the file list"):
        parse(data)
    data = raw()
    data["steps"][0]["screenshot"] = "video/walkthrough.mp4"
    with pytest.raises(Invalid, match="screenshot that is not a picture in the file list"):
        parse(data)
    data = raw()
    data["process"]["title"] = "x" * 501
    with pytest.raises(Invalid, match="longer than 500"):
        parse(data)


def test_invalid_json_is_refused() -> None:
    with pytest.raises(Invalid, match="not valid JSON"):
        parse_manifest(b"{not json")
    with pytest.raises(Invalid, match="not valid JSON"):
        parse_manifest(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(Invalid, match="not a JSON object"):
        parse_manifest(b"[]")
