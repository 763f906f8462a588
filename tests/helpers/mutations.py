"""Hypothesis strategies that mutate a genuine package or receipt as an attacker would.

Three levels, so mutants reach every check and not only the first hash:

* the zip's bytes, with positions drawn mostly from its structure (local headers, the
  central directory, the end record, the manifest's compressed bytes) and values from the
  boundaries zip readers trip on (0, 0xFFFF, 0xFFFFFFFF, ...);
* one file's content, repacked into a consistent zip (its listing's hash and size
  updated), and for PNGs with every chunk's CRC recomputed, so the picture, video, text and
  manifest checks are what must refuse it;
* the manifest or receipt as JSON: a value anywhere replaced by another, including
  integers Python cannot read, ``NaN``, lone surrogates and control characters.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from helpers.hostile_zips import contents, repack

BOUNDARIES = (0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF)
WEIRD_TEXT = (
    "\ud800", "\udfff lone", "NUL\x00", "\x1b[2J\x1b[31m", "\u202egnp.exe", "=HYPERLINK(\"x\")",
    "\x7f\x85", "x" * 600, "", " ", "../../etc/passwd", "steps/001.png", "index.html",
    "video/walkthrough.mp4", "\ufeff", "\u2028",
)


def zip_regions(path: Path) -> list[tuple[int, int]]:
    """Byte ranges of a zip's structure: each local header, the manifest's data, the
    central directory and the end record (the whole file is the last region)."""
    size = path.stat().st_size
    regions = []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        for info in infos:
            start = info.header_offset
            header = 30 + len(info.filename) + len(info.extra)
            regions.append((start, start + header))
            if info.filename == "manifest.json":
                regions.append((start + header, start + header + info.compress_size))
        directory = archive.start_dir
    regions.append((directory, size - 22))
    regions.append((size - 22, size))
    regions.append((0, size))
    return regions


@st.composite
def byte_mutant(
    draw: st.DrawFn, data: bytes, regions: list[tuple[int, int]] | None = None
) -> bytes:
    """``data`` with one to six edits: flips, boundary values, inserts, cuts, copies."""
    out = bytearray(data)
    regions = regions or [(0, len(data))]
    for _ in range(draw(st.integers(1, 6))):
        start, end = draw(st.sampled_from(regions))
        if not out:
            out += b"\x00"
        at = min(draw(st.integers(start, max(start, end - 1))), len(out) - 1)
        operation = draw(st.sampled_from(
            ["flip", "byte", "u16", "u32", "insert", "delete", "truncate", "copy"]
        ))
        if operation == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "byte":
            out[at] = draw(st.sampled_from((0, 1, 0x7F, 0x80, 0xFF)))
        elif operation in ("u16", "u32"):
            width = 2 if operation == "u16" else 4
            value = draw(st.sampled_from(BOUNDARIES)) & ((1 << (8 * width)) - 1)
            out[at : at + width] = value.to_bytes(width, "little")[: len(out) - at]
        elif operation == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif operation == "delete":
            del out[at : at + draw(st.integers(1, 256))]
        elif operation == "truncate":
            del out[at:]
        else:
            size = draw(st.integers(1, 512))
            source = draw(st.integers(0, max(0, len(out) - 1)))
            out[at:at] = out[source : source + size]
    return bytes(out)


def recrc_png(data: bytes) -> bytes:
    """A PNG with every chunk's CRC made right again (as far as its lengths hold)."""
    out = bytearray(data)
    at = 8
    while at + 12 <= len(out):
        length = struct.unpack(">I", out[at : at + 4])[0]
        end = at + 8 + length
        if end + 4 > len(out):
            break
        struct.pack_into(">I", out, end, zlib.crc32(bytes(out[at + 4 : end])))
        at = end + 4
    return bytes(out)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**53, 2**53 + 1, -1, 2**64, 10**300])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(WEIRD_TEXT),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def json_mutant(draw: st.DrawFn, document: dict[str, Any]) -> bytes:
    """``document`` with one to three values replaced or removed, as JSON text; sometimes
    with an integer Python's JSON reader refuses spliced in."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    text = json.dumps(document)
    if draw(st.integers(0, 9)) == 0:
        text = text.replace(": 1", ": 1" + "0" * 4400, 1)
    return text.encode()


def repacked(genuine: Path, folder: Path, name: str, data: bytes) -> Path:
    """The genuine package with one file's content replaced, listing kept consistent."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "mutant.zip"
    if name == "manifest.json":
        return repack(genuine, out, raw_manifest=data)
    return repack(genuine, out, {name: data})


@st.composite
def content_mutant(draw: st.DrawFn, genuine: Path) -> tuple[str, bytes]:
    """(file name, mutated content) for one file of the genuine package."""
    files = contents(genuine)
    name = draw(st.sampled_from(sorted(files)))
    if name == "manifest.json" and draw(st.booleans()):
        return name, draw(json_mutant(json.loads(files[name])))
    mutated = draw(byte_mutant(files[name]))
    if name.endswith(".png") and draw(st.booleans()):
        mutated = recrc_png(mutated)
    return name, mutated


def add_to_report(outcomes: Counter[str]) -> None:
    """Add a fuzzer's outcome counts to the JSON file ``BATON_FUZZ_REPORT`` names, if any
    (``scripts/fuzz-packages`` prints it)."""
    target = os.environ.get("BATON_FUZZ_REPORT")
    if not target:
        return
    path = Path(target)
    existing = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    for key, value in outcomes.items():
        existing[key] = existing.get(key, 0) + value
    path.write_text(json.dumps(existing, indent=1, sort_keys=True))
