"""A corpus of hand-made hostile packages, generated from a genuine one (no committed binaries).

Each case is a function ``(genuine package, folder) -> hostile zip`` and the words its
refusal must contain. Some break the zip itself (names, links, overlap, ZIP64 lies, bombs,
features Python's zip module raises on); the others are consistent zips whose manifest
lists the right hashes, so only the check for the file's kind can refuse them (HTML as a
screenshot, PNG and JPEG defects and bombs, videos that are not H.264 in MP4, manifests
with numbers Python cannot read or text that cannot be shown).
"""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

Maker = Callable[[Path, Path], Path]
SHOT = "steps/001.png"
VIDEO = "video/walkthrough.mp4"
MEDIA = (".png", ".jpg", ".jpeg", ".mp4", ".pdf")


@dataclass(frozen=True)
class Hostile:
    """A hostile package and what its refusal must say."""

    name: str
    make: Maker
    refused: str
    accepted: bool = False  # a well-formed oddity the checks must let through


# -- reading and rewriting a genuine package ---------------------------------------------


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def repack(
    genuine: Path,
    out: Path,
    changes: dict[str, bytes | None] | None = None,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    raw_manifest: bytes | None = None,
) -> Path:
    """The genuine package with files changed, added (``bytes``) or removed (``None``),
    its manifest's listing kept consistent (hashes and sizes), then ``manifest`` applied."""
    files = contents(genuine)
    document = json.loads(files.pop("manifest.json"))
    for name, data in (changes or {}).items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    document["files"] = [
        {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in files.items()
    ]
    if manifest is not None:
        manifest(document)
    encoded = raw_manifest if raw_manifest is not None else json.dumps(document).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            method = zipfile.ZIP_STORED if name.endswith(MEDIA) else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
        archive.writestr("manifest.json", encoded, compress_type=zipfile.ZIP_DEFLATED)
    return out


def changed(name: str, data: Callable[[dict[str, bytes]], bytes | None]) -> Maker:
    def make(genuine: Path, folder: Path) -> Path:
        return repack(genuine, folder / "hostile.zip", {name: data(contents(genuine))})

    return make


def manifest_edit(edit: Callable[[dict[str, Any]], None]) -> Maker:
    def make(genuine: Path, folder: Path) -> Path:
        return repack(genuine, folder / "hostile.zip", manifest=edit)

    return make


def manifest_text(rewrite: Callable[[str], str]) -> Maker:
    """The manifest's JSON text rewritten (for what ``json.dumps`` cannot write)."""

    def make(genuine: Path, folder: Path) -> Path:
        first = repack(genuine, folder / "first.zip")
        text = contents(first)["manifest.json"].decode()
        return repack(genuine, folder / "hostile.zip", raw_manifest=rewrite(text).encode())

    return make


# -- zips written byte by byte ------------------------------------------------------------


@dataclass
class RawEntry:
    """One entry exactly as written: any method, flags, sizes or attributes."""

    name: bytes
    data: bytes  # as stored in the zip (already compressed when ``method`` says so)
    size: int | None = None  # uncompressed size (defaults to len(data))
    crc: int | None = None
    method: int = 0
    flags: int = 0
    version: int = 20
    made_by: int = (3 << 8) | 20
    external: int = 0o100644 << 16
    offset: int | None = None  # central directory's idea of where the local header is
    extra: bytes = b""


def raw_zip(
    path: Path,
    entries: list[RawEntry],
    *,
    count: int | None = None,
    directory_offset: int | None = None,
    tail: bytes = b"",
) -> Path:
    """Write ``entries`` with local headers, a central directory and an end record."""
    body = bytearray()
    central = bytearray()
    for entry in entries:
        size = len(entry.data) if entry.size is None else entry.size
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, entry.version, entry.flags,
                            entry.method, 0, 0x21, crc, len(entry.data), size,
                            len(entry.name), len(entry.extra))
        body += entry.name + entry.extra + entry.data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, entry.made_by, entry.version,
                               entry.flags, entry.method, 0, 0x21, crc, len(entry.data), size,
                               len(entry.name), len(entry.extra), 0, 0, 0, entry.external,
                               offset if entry.offset is None else entry.offset)
        central += entry.name + entry.extra
    number = len(entries) if count is None else count
    start = len(body) if directory_offset is None else directory_offset
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, number & 0xFFFF, number & 0xFFFF,
                      len(central), start & 0xFFFFFFFF, 0)
    path.write_bytes(bytes(body) + bytes(central) + end + tail)
    return path


def with_raw(entry: RawEntry) -> Maker:
    """The genuine package's entries plus one hand-written entry."""

    def make(genuine: Path, folder: Path) -> Path:
        entries = [RawEntry(name.encode(), data) for name, data in contents(genuine).items()]
        return raw_zip(folder / "hostile.zip", entries + [entry])

    return make


def rewritten(edit: Callable[[bytearray], None]) -> Maker:
    """The genuine package's bytes, edited in place."""

    def make(genuine: Path, folder: Path) -> Path:
        data = bytearray(genuine.read_bytes())
        edit(data)
        out = folder / "hostile.zip"
        out.write_bytes(bytes(data))
        return out

    return make


def first_central(data: bytearray) -> int:
    return data.find(b"PK\x01\x02")


def deflate(data: bytes, level: int = 9) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zero_bomb(gigabytes: float = 1.0) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``gigabytes`` GiB of zeros, made without inflating them:
    one full-flushed MiB block repeated (each block is independent). Returns the stream,
    its inflated size and CRC-32."""
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = int(gigabytes * 1024)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return piece * count + b"\x03\x00", count << 20, crc


# -- pictures -------------------------------------------------------------------------------


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", value)


def png(
    width: int = 32,
    height: int = 24,
    *,
    colour: int = 2,
    depth: int = 8,
    interlace: int = 0,
    raw: bytes | None = None,
    idat: bytes | None = None,
    before: tuple[bytes, ...] = (),
    between: tuple[bytes, ...] = (),
    palette: bool | None = None,
    split: int = 1,
    tail: bytes = b"",
) -> bytes:
    """A PNG built chunk by chunk (filter 0 rows of a gradient), with any defect asked for."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    bits = channels * depth
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2)) if interlace else ((0, 0, 1, 1),)
    if raw is None:
        rows = bytearray()
        for x0, y0, dx, dy in passes:
            columns = (width - x0 + dx - 1) // dx if width > x0 else 0
            count = (height - y0 + dy - 1) // dy if height > y0 else 0
            for row in range(count if columns else 0):
                size = (columns * bits + 7) // 8
                rows += b"\x00" + bytes((row * 7 + i) % 256 for i in range(size))
        raw = bytes(rows)
    data = zlib.compress(raw) if idat is None else idat
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    chunks = [chunk(b"IHDR", header), *before]
    if palette or (palette is None and colour == 3):
        chunks.append(chunk(b"PLTE", bytes(range(48))))
    step = max(1, -(-len(data) // split))
    parts = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
    for index, part in enumerate(parts):
        chunks.append(chunk(b"IDAT", part))
        if index == 0:
            chunks.extend(between)
    chunks.append(chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + tail


def jpeg(progressive: bool = False) -> bytes:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :, 1] = np.arange(64, dtype=np.uint8) * 4
    params = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if progressive else []
    ok, buffer = cv2.imencode(".jpg", image, params)
    assert ok
    return bytes(buffer.tobytes())


def without_segment(data: bytes, marker: int) -> bytes:
    """The JPEG with every segment of one kind taken out (say its quantisation tables)."""
    out, at = bytearray(data[:2]), 2
    while at < len(data):
        code = data[at + 1]
        if code == 0xDA:
            out += data[at:]
            break
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if code != marker:
            out += data[at : at + 2 + length]
        at += 2 + length
    return bytes(out)


def patched_frame(data: bytes, *, height: int | None = None, marker: int | None = None) -> bytes:
    out = bytearray(data)
    at = out.find(b"\xff\xc0")
    if marker is not None:
        out[at + 1] = marker
    if height is not None:
        struct.pack_into(">H", out, at + 5, height)
    return bytes(out)


# -- videos -------------------------------------------------------------------------------


def encoded_video(path: Path, codec: str, *, size: tuple[int, int] = (64, 48),
                  container: str = "mp4", faststart: bool = True) -> bytes:
    width, height = size
    options = {"movflags": "+faststart"} if faststart and container == "mp4" else {}
    with av.open(str(path), "w", format=container, options=options) as output:
        stream = output.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 10)
        if codec == "libx265":
            stream.options = {"x265-params": "log-level=none"}
        for index in range(10):
            frame = av.VideoFrame.from_ndarray(
                np.full((height, width, 3), index * 20, np.uint8), format="bgr24"
            )
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path.read_bytes()


def audio_only(path: Path) -> bytes:
    with av.open(str(path), "w", format="mp4") as output:
        stream = output.add_stream("aac", rate=48000)
        samples = np.zeros((1, 1024), np.float32)
        for index in range(20):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 48000
            frame.pts = index * 1024
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path.read_bytes()


def video_from(make: Callable[[Path], bytes]) -> Maker:
    def maker(genuine: Path, folder: Path) -> Path:
        return repack(genuine, folder / "hostile.zip", {VIDEO: make(folder / "made")})

    return maker


def mp4_boxes(data: bytes) -> Iterator[tuple[int, bytes, int]]:
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        yield at, kind, size
        at += size if size >= 8 else len(data)


def moov_claims(data: bytes, size: int) -> bytes:
    out = bytearray(data)
    for at, kind, _ in mp4_boxes(data):
        if kind == b"moov":
            struct.pack_into(">I", out, at, size)
    return bytes(out)


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
