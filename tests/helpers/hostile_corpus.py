"""A corpus of hand-made hostile packages, generated from a genuine one (no committed binaries).

Each case is a function ``(genuine package, folder) -> hostile zip`` and the words its
refusal must contain. Some break the zip itself (names, links, overlap, ZIP64 lies, bombs,
features Python's zip module raises on); the others are consistent zips whose manifest
lists the right hashes, so only the check for the file's kind can refuse them (HTML as a
screenshot, PNG and JPEG defects and bombs, videos that are not H.264 in MP4, manifests
with numbers Python cannot read or text that cannot be shown).
"""

from __future__ import annotations

import json
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.hostile_zips import (
    SHOT,
    VIDEO,
    Maker,
    RawEntry,
    audio_only,
    changed,
    chunk,
    contents,
    deflate,
    encoded_video,
    first_central,
    jpeg,
    manifest_edit,
    manifest_text,
    moov_claims,
    patched_frame,
    png,
    raw_zip,
    repack,
    rewritten,
    video_from,
    with_raw,
    without_segment,
    zero_bomb,
)


@dataclass(frozen=True)
class Hostile:
    """A hostile package and what its refusal must say."""

    name: str
    make: Maker
    refused: str
    accepted: bool = False  # a well-formed oddity the checks must let through


# -- the corpus ---------------------------------------------------------------------------


def _symlink(genuine: Path, folder: Path) -> Path:
    return with_raw(RawEntry(b"steps/link.png", b"/etc/passwd",
                             external=(stat.S_IFLNK | 0o777) << 16))(genuine, folder)


def corpus() -> list[Hostile]:
    """Every hand-made hostile package, with the words of its refusal."""
    cases = [
        # Names and kinds of entries.
        Hostile("zip slip", with_raw(RawEntry(b"../escape.txt", b"x")), "escapes its folder"),
        Hostile("deep zip slip", with_raw(RawEntry(b"steps/../../x", b"x")), "escapes"),
        Hostile("absolute path", with_raw(RawEntry(b"/etc/cron.d/evil", b"x")), "absolute path"),
        Hostile("drive path", with_raw(RawEntry(b"C:/evil.txt", b"x")), "absolute path"),
        Hostile("backslash", with_raw(RawEntry(b"steps\\..\\x", b"x")), "unsafe characters"),
        Hostile("control character", with_raw(RawEntry(b"a\nb", b"x")), "unsafe characters"),
        Hostile("empty part", with_raw(RawEntry(b"steps//x", b"x")), "empty or malformed"),
        Hostile("symlink", _symlink, "link or special file"),
        Hostile("fifo", with_raw(RawEntry(b"pipe", b"", external=(stat.S_IFIFO | 0o644) << 16)),
                "link or special file"),
        Hostile("device", with_raw(RawEntry(b"dev", b"", external=(stat.S_IFCHR | 0o644) << 16)),
                "link or special file"),
        Hostile("duplicate", with_raw(RawEntry(b"index.html", b"<p>twin</p>")), "twice"),
        Hostile("case duplicate", with_raw(RawEntry(b"INDEX.HTML", b"<p>twin</p>")), "twice"),
        Hostile("lookalike name", with_raw(RawEntry("ındex.html".encode(), b"x", flags=0x800)),
                "unsafe name"),
        Hostile("unlisted file", with_raw(RawEntry(b"steps/extra.png", b"x")), "does not list"),
        Hostile("folder with content", with_raw(RawEntry(b"steps/", b"xx")), "folder entry"),
        # Encodings Python's zip module refuses with its own exceptions.
        Hostile("encrypted", rewritten(lambda d: d.__setitem__(first_central(d) + 8, 1)),
                "encrypted"),
        Hostile("bzip2", with_raw(RawEntry(b"steps/odd.png", b"x", method=12)),
                "unsupported compression"),
        Hostile("unknown method", with_raw(RawEntry(b"steps/odd.png", b"x", method=99)),
                "unsupported compression"),
        Hostile("zip version 9.9", rewritten(
            lambda d: struct.pack_into("<H", d, first_central(d) + 6, 99)),
            "zip feature Baton does not read"),
        Hostile("stored sizes disagree", with_raw(RawEntry(b"steps/odd.png", b"abc", size=10)),
                "sizes of"),
        Hostile("corrupt deflate in a listed file", _corrupt_deflate, "cannot be read"),
        Hostile("bad crc", _bad_crc, "cannot be read"),
        Hostile("lying size: inflates past it", _lying_size, "cannot be read"),
        # Directory lies.
        Hostile("claims 60,000 entries", rewritten(_claim_entries(60000)), "holds 60000 files"),
        Hostile("directory past the end", rewritten(_directory_offset(0x7FFFFFF0)),
                "not a zip file|overlapping"),
        Hostile("zip64 locator past the end", _zip64_lie, "not a zip file"),
        Hostile("truncated", rewritten(lambda d: d.__delitem__(slice(len(d) // 2, None))),
                "not a zip file"),
        Hostile("truncated end record", rewritten(lambda d: d.__delitem__(slice(-10, None))),
                "not a zip file"),
        Hostile("garbage", lambda g, f: _write(f, b"\x89PNG not a zip" * 50), "not a zip file"),
        Hostile("empty file", lambda g, f: _write(f, b""), "not a zip file"),
        Hostile("overlapping entries", _overlap, "overlapping entries"),
        Hostile("quoted overlap", _quoted_overlap, "overlapping entries"),
        # Bombs.
        Hostile("1 GiB of zeros", _zero_bomb, "zip bomb"),
        Hostile("screenshot claims 1 GiB", _screenshot_claims(1 << 30), "more than a screenshot"),
        Hostile("png idat bomb", changed(SHOT, lambda c: png(64, 64, raw=bytes(64 << 20))),
                "picture bomb"),
        Hostile("png of absurd size", changed(SHOT, lambda c: png(100_000, 100_000, raw=b"")),
                "not a screen"),
        Hostile("png of too many pixels", changed(SHOT, lambda c: png(16000, 16000, raw=b"")),
                "more pixels than any screen"),
        # What a screenshot must be.
        Hostile("html as screenshot", changed(SHOT, lambda c: c["index.html"]),
                "not a PNG or JPEG"),
        Hostile("pdf as screenshot", changed(SHOT, lambda c: c["checklist.pdf"]),
                "not a PNG or JPEG"),
        Hostile("jpeg named png", changed(SHOT, lambda c: jpeg()), "named as another kind"),
        Hostile("png chunk crc", changed(SHOT, lambda c: png(before=(chunk(b"tEXt", b"a\0b", 1),))),
                "fails its checksum"),
        Hostile("png without end", changed(SHOT, lambda c: png()[:-12]), "cut short"),
        Hostile("png data after end", changed(SHOT, lambda c: png(tail=b"<script>")),
                "after the end"),
        Hostile("png unknown critical chunk", changed(SHOT, lambda c: png(before=(chunk(b"ABCD",
                b""),))), "critical chunk"),
        Hostile("png split image data", changed(SHOT, lambda c: png(split=2, between=(chunk(
                b"tEXt", b"a\0b"),))), "split by another chunk"),
        Hostile("png palette missing", changed(SHOT, lambda c: png(colour=3, palette=False)),
                "no palette"),
        Hostile("png bad filter", changed(SHOT, lambda c: png(4, 4, raw=(b"\x07" + bytes(12)) * 4)),
                "row filter"),
        Hostile("png short image data", changed(SHOT, lambda c: png(raw=bytes(10))),
                "incomplete"),
        Hostile("png damaged zlib", changed(SHOT, lambda c: png(idat=b"\x78\x9c\xff\xff\xff")),
                "damaged image data"),
        Hostile("png bad colour", changed(SHOT, lambda c: png(colour=2, depth=4)),
                "colour format"),
        Hostile("jpeg truncated", _jpeg_shot(lambda: jpeg()[:-200]), "cut short"),
        Hostile("jpeg without tables", _jpeg_shot(lambda: without_segment(jpeg(), 0xDB)),
                "quantisation table"),
        Hostile("jpeg zero height", _jpeg_shot(lambda: patched_frame(jpeg(), height=0)),
                "not a screen"),
        Hostile("jpeg arithmetic coding", _jpeg_shot(lambda: patched_frame(jpeg(), marker=0xC9)),
                "feature screenshots never need"),
        Hostile("step names the page as its screenshot", manifest_edit(
            lambda m: m["steps"][0].__setitem__("screenshot", "index.html")), "not a picture"),
        # What the video must be.
        Hostile("random video", changed(VIDEO, lambda c: bytes(range(256)) * 64),
                "not an MP4|does not fit"),
        Hostile("webm video", video_from(lambda p: encoded_video(p, "libvpx", container="webm")),
                "not an MP4|does not fit"),
        Hostile("hevc video", video_from(lambda p: encoded_video(p, "libx265")), "not H.264"),
        Hostile("audio only", video_from(audio_only), "no video stream"),
        Hostile("tiny video", video_from(lambda p: encoded_video(p, "libx264", size=(8, 8))),
                "not a screen's size"),
        Hostile("video index claims 100 MB", video_from(
            lambda p: moov_claims(encoded_video(p, "libx264"), 100 << 20)), "does not fit"),
        Hostile("video cut short", changed(VIDEO, lambda c: c[VIDEO][: len(c[VIDEO]) // 2]),
                "does not fit|cannot read"),
        Hostile("video named as a screenshot", manifest_edit(
            lambda m: m.__setitem__("video", SHOT)), "not video/walkthrough.mp4"),
        # The other files.
        Hostile("page not utf-8", changed("index.html", lambda c: b"<!doctype html>\xff\xfe"),
                "not UTF-8 text"),
        Hostile("page not html", changed("index.html", lambda c: b"#!/bin/sh\nrm -rf ~\n"),
                "not an HTML page"),
        Hostile("markdown not utf-8", changed("checklist.md", lambda c: b"# Title \xc3"),
                "not UTF-8 text"),
        Hostile("pdf not pdf", changed("checklist.pdf", lambda c: c["index.html"]),
                "not a PDF document"),
        Hostile("unknown listed file", changed("evil.exe", lambda c: b"MZ"), "which no package"),
        # Manifests.
        Hostile("huge integer", manifest_text(lambda t: t.replace('"version": 1',
                '"version": 1' + "0" * 5000, 1)), "not valid JSON"),
        Hostile("NaN", manifest_text(lambda t: t.replace('"video_time": 0.5', '"video_time": NaN',
                1)), "not valid JSON"),
        Hostile("deep nesting", manifest_text(lambda t: t[:-1] + ', "x": ' + "[" * 100_000
                + "]" * 100_000 + "}"), "not valid JSON"),
        Hostile("byte order mark", lambda g, f: repack(g, f / "hostile.zip", raw_manifest=(
                "\ufeff" + json.dumps(json.loads(contents(g)["manifest.json"]))).encode()),
                "not valid JSON"),
        Hostile("lone surrogate title", manifest_text(lambda t: t.replace(
                '"title": "Send the invoices"', '"title": "Send \\udc80"', 1)), "not text"),
        Hostile("NUL in a step title", manifest_text(lambda t: t.replace(
                '"title": "Open the billing page"', '"title": "Open\\u0000"', 1)), "not text"),
        Hostile("terminal escape in a title", manifest_text(lambda t: t.replace(
                '"title": "Send the invoices"', '"title": "\\u001b[2J\\u001b[31mgotcha"', 1)),
                "not text"),
        Hostile("huge video time", manifest_text(lambda t: t.replace(
                '"video_time": 0.5', '"video_time": ' + "9" * 400, 1)), "between"),
        Hostile("newer format", manifest_edit(lambda m: m.__setitem__("format_version", 3)),
                "newer Baton"),
        Hostile("no receipt key", manifest_edit(lambda m: m["handoff"].pop("receipt_key")),
                "no valid receipt key"),
        # Oddities a valid package may have.
        Hostile("interlaced png", changed(SHOT, lambda c: png(33, 17, interlace=1)), "",
                accepted=True),
        Hostile("16-bit grey png", changed(SHOT, lambda c: png(9, 5, colour=0, depth=16)), "",
                accepted=True),
        Hostile("palette png", changed(SHOT, lambda c: png(7, 3, colour=3, depth=4)), "",
                accepted=True),
        Hostile("png with text and many image chunks", changed(SHOT, lambda c: png(
                before=(chunk(b"tEXt", b"Software\0Baton"),), split=7)), "", accepted=True),
        Hostile("jpeg screenshot", _jpeg_shot(jpeg), "", accepted=True),
        Hostile("progressive jpeg screenshot", _jpeg_shot(lambda: jpeg(progressive=True)), "",
                accepted=True),
        Hostile("video with its index at the end", video_from(
            lambda p: encoded_video(p, "libx264", faststart=False)), "", accepted=True),
        Hostile("format 1 package", manifest_edit(_format_1), "", accepted=True),
        Hostile("rezipped with folders", _rezipped, "", accepted=True),
    ]
    return cases


def _write(folder: Path, data: bytes) -> Path:
    out = folder / "hostile.zip"
    out.write_bytes(data)
    return out


def _format_1(document: dict[str, Any]) -> None:
    document["format_version"] = 1
    document["handoff"].pop("receipt_key")


def _rezipped(genuine: Path, folder: Path) -> Path:
    out = folder / "hostile.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("steps/", b"")
        archive.writestr("video/", b"")
        for name, data in contents(genuine).items():
            archive.writestr(name, data)
    return out


def _jpeg_shot(make: Callable[[], bytes]) -> Maker:
    def maker(genuine: Path, folder: Path) -> Path:
        def rename(document: dict[str, Any]) -> None:
            for item in document["files"]:
                if item["path"] == SHOT:
                    item["path"] = "steps/001.jpg"
            document["steps"][0]["screenshot"] = "steps/001.jpg"

        return repack(genuine, folder / "hostile.zip", {SHOT: None, "steps/001.jpg": make()},
                      manifest=rename)

    return maker


def _entries(genuine: Path) -> list[RawEntry]:
    return [RawEntry(name.encode(), data) for name, data in contents(genuine).items()]


def _corrupt_deflate(genuine: Path, folder: Path) -> Path:
    entries = _entries(genuine)
    for entry in entries:
        if entry.name == b"checklist.md":
            good = deflate(entry.data)
            entry.size, entry.crc = len(entry.data), zlib.crc32(entry.data)
            entry.data, entry.method = good[:10] + b"\xff\xff\xff" + good[13:], 8
    return raw_zip(folder / "hostile.zip", entries)


def _bad_crc(genuine: Path, folder: Path) -> Path:
    entries = _entries(genuine)
    for entry in entries:
        if entry.name == b"index.html":
            entry.crc = 12345
    return raw_zip(folder / "hostile.zip", entries)


def _lying_size(genuine: Path, folder: Path) -> Path:
    """checklist.md says 100 bytes but its stream inflates to 64 MiB."""
    entries = _entries(genuine)
    for entry in entries:
        if entry.name == b"checklist.md":
            entry.data, entry.method = deflate(bytes(64 << 20)), 8
            entry.size = len(contents(genuine)["checklist.md"])
            entry.crc = zlib.crc32(contents(genuine)["checklist.md"])
    return raw_zip(folder / "hostile.zip", entries)


def _claim_entries(count: int) -> Callable[[bytearray], None]:
    def edit(data: bytearray) -> None:
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<HH", data, end + 8, count, count)

    return edit


def _directory_offset(offset: int) -> Callable[[bytearray], None]:
    def edit(data: bytearray) -> None:
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<I", data, end + 16, offset)

    return edit


def _zip64_lie(genuine: Path, folder: Path) -> Path:
    """An end record saying "see ZIP64" whose locator points far past the end."""
    data = bytearray(genuine.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 0xFFFF, 0xFFFF)
    locator = struct.pack("<IIQI", 0x07064B50, 0, 2**63 + 5, 1)
    data[end:end] = locator
    return _write(folder, bytes(data))


def _overlap(genuine: Path, folder: Path) -> Path:
    entries = [RawEntry(b"a", b"A" * 100), RawEntry(b"b", b"B" * 100, offset=0)]
    return raw_zip(folder / "hostile.zip", entries)


def _quoted_overlap(genuine: Path, folder: Path) -> Path:
    """Fifield's quoted overlap: the second entry starts inside the first one's data."""
    kernel = RawEntry(b"a", b"A" * 200)
    entries = [kernel, RawEntry(b"b", b"B" * 50, offset=40)]
    return raw_zip(folder / "hostile.zip", entries)


def _zero_bomb(genuine: Path, folder: Path) -> Path:
    stream, size, crc = zero_bomb(1.0)
    return raw_zip(folder / "hostile.zip",
                   [RawEntry(b"index.html", stream, size=size, crc=crc, method=8)])


def _screenshot_claims(size: int) -> Maker:
    """The genuine package whose directory says the screenshot unpacks to ``size`` bytes
    (the stream is 6 MB of mixed data, so it passes the ratio rule)."""

    def make(genuine: Path, folder: Path) -> Path:
        entries = _entries(genuine)
        packed = bytes(range(256)) * (6 << 12)  # 6 MiB, stored-looking noise
        for entry in entries:
            if entry.name == SHOT.encode():
                entry.data, entry.size, entry.method = deflate(packed, 0), size, 8
        document = json.loads(contents(genuine)["manifest.json"])
        for item in document["files"]:
            if item["path"] == SHOT:
                item["bytes"] = size
        for entry in entries:
            if entry.name == b"manifest.json":
                entry.data = json.dumps(document).encode()
        return raw_zip(folder / "hostile.zip", entries)

    return make
