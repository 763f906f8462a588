"""Builders for hostile packages: rewrite a genuine package consistently, write zips byte
by byte, and make PNGs, JPEGs and videos with any defect asked for (``hostile_corpus``
uses them; nothing binary is committed)."""

from __future__ import annotations

import hashlib
import json
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
