"""Check a screenshot from a package as it streams past: a PNG or JPEG of sane size.

Nothing is decoded into pixels and nothing is held whole. A PNG's header (IHDR) is read
first, so dimensions are known before any image data; its chunks are CRC-checked, and its
compressed data is inflated at most 1 MiB at a time and must come out at exactly the size
the header implies (a PNG whose data inflates to a gigabyte is refused at the first byte
too many), with a valid filter byte on every row. A JPEG's markers are walked: frame size,
quantisation and Huffman tables, scans, and the end marker. What passes is what OpenCV and
browsers decode (a test checks OpenCV on every picture the checker accepts).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from baton.errors import UserError

MAX_SIDE = 16384
MAX_PIXELS = 40_000_000
MAX_PNG_CHUNK = 16 << 20  # a chunk other than image data (a colour profile is < 1 MB)
INFLATE_STEP = 1 << 20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8"

_CHUNK_TYPE = re.compile(rb"^[A-Za-z]{4}$")
# Colour type -> (channels, allowed bit depths).
_PNG_COLOURS = {
    0: (1, (1, 2, 4, 8, 16)),
    2: (3, (8, 16)),
    3: (1, (1, 2, 4, 8)),
    4: (2, (8, 16)),
    6: (4, (8, 16)),
}
# Adam7: (x offset, y offset, x step, y step) of each pass.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


class BadPicture(UserError):
    """The bytes are not a PNG or JPEG Baton accepts; ``str()`` says why, briefly."""


@dataclass(frozen=True)
class PictureInfo:
    """A checked picture: its kind (``png`` or ``jpg``) and size in pixels."""

    kind: str
    width: int
    height: int


class PictureCheck:
    """Feed a screenshot's bytes in any pieces, then ``finish()`` for its size.

    Args:
        expect: ``png`` or ``jpg``, the kind the file's name says it is.
    """

    def __init__(self, expect: str) -> None:
        self._expect = expect
        self._head = b""
        self._inner: _PngCheck | _JpegCheck | None = None

    def feed(self, data: bytes) -> None:
        """Check the next piece.

        Raises:
            BadPicture: the bytes so far cannot be a valid picture of the expected kind.
        """
        if self._inner is None:
            self._head += data
            if len(self._head) < len(PNG_SIGNATURE):
                return
            data, self._head = self._head, b""
            if data.startswith(PNG_SIGNATURE):
                kind, inner = "png", _PngCheck()
            elif data.startswith(JPEG_START):
                kind, inner = "jpg", _JpegCheck()  # type: ignore[assignment]
            else:
                raise BadPicture("is not a PNG or JPEG picture")
            if kind != self._expect:
                raise BadPicture(f"is a {kind.upper()} picture named as another kind")
            self._inner = inner
        self._inner.feed(data)

    def finish(self) -> PictureInfo:
        """Say the picture is complete.

        Raises:
            BadPicture: it ended early, or is not a picture at all.
        """
        if self._inner is None:
            raise BadPicture("is not a PNG or JPEG picture")
        return self._inner.finish()


def _check_size(width: int, height: int) -> None:
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise BadPicture(f"is {width}x{height} pixels, not a screen's size")
    if width * height > MAX_PIXELS:
        raise BadPicture(f"is {width}x{height}, more pixels than any screen has")


class _PngCheck:
    """PNG chunks as a state machine over pieces of bytes."""

    def __init__(self) -> None:
        self._pending = bytearray()  # header bytes not yet complete
        self._state = "signature"
        self._type = b""
        self._left = 0  # bytes of chunk data still to come
        self._crc = 0
        self._small = bytearray()  # the data of IHDR / PLTE, kept to parse
        self._seen: set[bytes] = set()  # chunk types met so far
        self._image_data_closed = False  # IDAT chunks must be consecutive
        self._info: PictureInfo | None = None
        self._colour = 0
        self._inflater = zlib.decompressobj()
        self._rows: list[tuple[int, int]] = []  # (row count, bytes per row) per pass
        self._expected = 0
        self._produced = 0
        self._row_at = 0  # offset of the next filter byte in the inflated stream
        self._pass = 0
        self._pass_row = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._state == "data":
                take = view[: self._left]
                self._chunk_data(bytes(take))
                view = view[len(take) :]
                self._left -= len(take)
                if not self._left:
                    self._state = "crc"
                continue
            if self._state == "end":
                raise BadPicture("has data after the end of the picture")
            need = {"signature": 8, "header": 8, "crc": 4}[self._state]
            take = view[: need - len(self._pending)]
            self._pending += take
            view = view[len(take) :]
            if len(self._pending) == need:
                block, self._pending = bytes(self._pending), bytearray()
                self._header(block)

    def _header(self, block: bytes) -> None:
        if self._state == "signature":
            self._state = "header"
        elif self._state == "header":
            length, kind = struct.unpack(">I4s", block)
            self._start_chunk(length, kind)
        else:
            if struct.unpack(">I", block)[0] != self._crc & 0xFFFFFFFF:
                raise BadPicture("is damaged (a chunk fails its checksum)")
            self._end_chunk()

    def _start_chunk(self, length: int, kind: bytes) -> None:
        if not _CHUNK_TYPE.match(kind):
            raise BadPicture("is damaged (a chunk has no valid type)")
        if length > 0x7FFFFFFF:
            raise BadPicture("is damaged (a chunk is longer than PNG allows)")
        seen = self._seen
        if (not seen) != (kind == b"IHDR"):
            raise BadPicture("is damaged (the header is not the first chunk)")
        critical = not kind[0] & 0x20
        if critical and kind not in (b"IHDR", b"PLTE", b"IDAT", b"IEND"):
            raise BadPicture("has a critical chunk PNG readers do not know")
        if kind in seen and kind in (b"IHDR", b"PLTE"):
            raise BadPicture("is damaged (a chunk appears twice)")
        if kind == b"IDAT":
            if self._image_data_closed:
                raise BadPicture("is damaged (its image data is split by another chunk)")
            if self._colour == 3 and b"PLTE" not in seen:
                raise BadPicture("is damaged (a palette picture has no palette)")
        elif b"IDAT" in seen:
            self._image_data_closed = True
        if kind == b"IHDR" and length != 13:
            raise BadPicture("is damaged (its header has the wrong length)")
        if kind == b"PLTE" and (length % 3 or not 3 <= length <= 768 or b"IDAT" in seen):
            raise BadPicture("is damaged (its palette is malformed)")
        if kind == b"IEND" and length:
            raise BadPicture("is damaged (its end chunk has data)")
        if kind != b"IDAT" and length > MAX_PNG_CHUNK:
            raise BadPicture("has a chunk too big for a screenshot")
        seen.add(kind)
        self._type = kind
        self._left = length
        self._crc = zlib.crc32(kind)
        self._small = bytearray()
        self._state = "data" if length else "crc"

    def _chunk_data(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        if self._type in (b"IHDR", b"PLTE"):
            self._small += data
        elif self._type == b"IDAT":
            self._inflate(data)

    def _end_chunk(self) -> None:
        if self._type == b"IHDR":
            self._read_header(bytes(self._small))
        elif self._type == b"IEND":
            if b"IDAT" not in self._seen:
                raise BadPicture("has no image data")
            self._state = "end"
            return
        self._state = "header"

    def _read_header(self, data: bytes) -> None:
        width, height, depth, colour, compression, filtering, interlace = struct.unpack(
            ">IIBBBBB", data
        )
        _check_size(width, height)
        if colour not in _PNG_COLOURS or depth not in _PNG_COLOURS[colour][1]:
            raise BadPicture("names a colour format PNG does not have")
        if compression or filtering or interlace not in (0, 1):
            raise BadPicture("names a compression PNG does not have")
        self._colour = colour
        bits = _PNG_COLOURS[colour][0] * depth
        passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
        for x0, y0, dx, dy in passes:
            columns = (width - x0 + dx - 1) // dx if width > x0 else 0
            rows = (height - y0 + dy - 1) // dy if height > y0 else 0
            if columns and rows:
                self._rows.append((rows, 1 + (columns * bits + 7) // 8))
        self._expected = sum(rows * size for rows, size in self._rows)
        self._info = PictureInfo("png", width, height)

    def _inflate(self, data: bytes) -> None:
        if self._inflater.eof:
            if data:
                raise BadPicture("has image data after the end of its compressed stream")
            return
        try:
            out = self._inflater.decompress(data, INFLATE_STEP)
            self._rows_of(out)
            while self._inflater.unconsumed_tail and not self._inflater.eof:
                out = self._inflater.decompress(self._inflater.unconsumed_tail, INFLATE_STEP)
                self._rows_of(out)
        except zlib.error:
            raise BadPicture("has damaged image data") from None
        if self._inflater.unused_data:
            raise BadPicture("has image data after the end of its compressed stream")

    def _rows_of(self, out: bytes) -> None:
        """Count inflated bytes and check the filter byte at the start of every row."""
        start = self._produced
        self._produced += len(out)
        if self._produced > self._expected:
            raise BadPicture("inflates to more than its size holds (a picture bomb)")
        while self._row_at < self._produced:
            if out[self._row_at - start] > 4:
                raise BadPicture("has damaged image data (an unknown row filter)")
            rows, size = self._rows[self._pass]
            self._row_at += size
            self._pass_row += 1
            if self._pass_row == rows:
                self._pass, self._pass_row = self._pass + 1, 0

    def finish(self) -> PictureInfo:
        if self._state != "end" or self._info is None:
            raise BadPicture("is cut short")
        if not self._inflater.eof or self._produced != self._expected:
            raise BadPicture("has incomplete image data")
        return self._info


# JPEG markers: start of frame for baseline, extended and progressive Huffman coding.
_SOF = (0xC0, 0xC1, 0xC2)
_TABLES_AND_INFO = {0xC4, 0xDB, 0xDD, 0xFE} | set(range(0xE0, 0xF0))
_SMALL_SEGMENTS = {0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDA, 0xDD}


class _JpegCheck:
    """JPEG markers and segments as a state machine over pieces of bytes."""

    def __init__(self) -> None:
        self._state = "start"
        self._pending = bytearray()
        self._marker = 0
        self._left = 0
        self._segment = bytearray()
        self._components: dict[int, int] = {}  # component id -> quantisation table
        self._quant: set[int] = set()
        self._info: PictureInfo | None = None
        self._scans = 0
        self._after_ff = False

    def feed(self, data: bytes) -> None:
        view = bytes(data)
        at = 0
        while at < len(view):
            if self._state == "scan":
                at = self._scan(view, at)
            elif self._state == "segment":
                take = view[at : at + self._left]
                if self._marker in _SMALL_SEGMENTS:
                    self._segment += take
                at += len(take)
                self._left -= len(take)
                if not self._left:
                    self._end_segment()
            elif self._state == "end":
                raise BadPicture("has data after the end of the picture")
            else:
                need = {"start": 2, "marker": 2, "length": 2}[self._state]
                take = view[at : at + need - len(self._pending)]
                self._pending += take
                at += len(take)
                if len(self._pending) == need:
                    block, self._pending = bytes(self._pending), bytearray()
                    self._header(block)

    def _header(self, block: bytes) -> None:
        if self._state == "start":
            if block != JPEG_START:
                raise BadPicture("is not a JPEG picture")
            self._state = "marker"
        elif self._state == "marker":
            if block[0] != 0xFF:
                raise BadPicture("is damaged (a marker is missing)")
            if block[1] == 0xFF:  # fill byte: the marker code comes next
                self._pending = bytearray(b"\xff")
                return
            self._start_marker(block[1])
        else:
            length = struct.unpack(">H", block)[0]
            if length < 2:
                raise BadPicture("is damaged (a segment has no length)")
            self._left = length - 2
            self._segment = bytearray()
            self._state = "segment" if self._left else "marker"
            if not self._left:
                self._end_segment()

    def _start_marker(self, marker: int) -> None:
        self._marker = marker
        if marker == 0xD9:
            if not self._scans:
                raise BadPicture("has no image data")
            self._state = "end"
        elif marker in _SOF or marker == 0xDA or marker in _TABLES_AND_INFO:
            self._state = "length"
        else:
            raise BadPicture("uses a JPEG feature screenshots never need")

    def _end_segment(self) -> None:
        data, marker = bytes(self._segment), self._marker
        self._state = "marker"
        if marker in _SOF:
            self._frame(data)
        elif marker == 0xDB:
            self._quantisation(data)
        elif marker == 0xC4:
            self._huffman(data)
        elif marker == 0xDD and len(data) != 2:
            raise BadPicture("is damaged (a restart interval is malformed)")
        elif marker == 0xDA:
            self._scan_header(data)

    def _frame(self, data: bytes) -> None:
        if self._info is not None:
            raise BadPicture("is damaged (two frames in one picture)")
        if len(data) < 6:
            raise BadPicture("is damaged (its frame header is short)")
        precision, height, width, count = struct.unpack(">BHHB", data[:6])
        if precision != 8 or count not in (1, 3, 4) or len(data) != 6 + 3 * count:
            raise BadPicture("names a JPEG format screenshots never use")
        _check_size(width, height)
        for index in range(count):
            ident, sampling, table = data[6 + 3 * index : 9 + 3 * index]
            if not (1 <= sampling >> 4 <= 4 and 1 <= sampling & 15 <= 4) or table > 3:
                raise BadPicture("is damaged (a component is malformed)")
            if ident in self._components:
                raise BadPicture("is damaged (a component appears twice)")
            self._components[ident] = table
        self._info = PictureInfo("jpg", width, height)

    def _quantisation(self, data: bytes) -> None:
        at = 0
        while at < len(data):
            precision, table = data[at] >> 4, data[at] & 15
            size = 1 + 64 * (precision + 1)
            if precision > 1 or table > 3 or at + size > len(data):
                raise BadPicture("is damaged (a quantisation table is malformed)")
            self._quant.add(table)
            at += size
        if not data:
            raise BadPicture("is damaged (an empty quantisation table)")

    def _huffman(self, data: bytes) -> None:
        at = 0
        while at < len(data):
            if at + 17 > len(data) or data[at] >> 4 > 1 or data[at] & 15 > 3:
                raise BadPicture("is damaged (a Huffman table is malformed)")
            symbols = sum(data[at + 1 : at + 17])
            if symbols > 256 or at + 17 + symbols > len(data):
                raise BadPicture("is damaged (a Huffman table is malformed)")
            at += 17 + symbols
        if not data:
            raise BadPicture("is damaged (an empty Huffman table)")

    def _scan_header(self, data: bytes) -> None:
        if self._info is None:
            raise BadPicture("is damaged (image data before the frame header)")
        if not data or not 1 <= data[0] <= 4 or len(data) != 4 + 2 * data[0]:
            raise BadPicture("is damaged (a scan header is malformed)")
        for index in range(data[0]):
            ident = data[1 + 2 * index]
            if ident not in self._components:
                raise BadPicture("is damaged (a scan names an unknown component)")
            if self._components[ident] not in self._quant:
                raise BadPicture("is damaged (a quantisation table is missing)")
        self._scans += 1
        self._state = "scan"
        self._after_ff = False

    def _scan(self, view: bytes, at: int) -> int:
        """Skip entropy-coded data up to the next marker; returns where to go on."""
        while at < len(view):
            if self._after_ff:
                byte = view[at]
                at += 1
                if byte == 0x00 or 0xD0 <= byte <= 0xD7:
                    self._after_ff = False  # stuffed byte or restart marker
                elif byte != 0xFF:
                    self._after_ff = False
                    self._start_marker(byte)
                    return at
                continue
            found = view.find(b"\xff", at)
            if found < 0:
                return len(view)
            self._after_ff = True
            at = found + 1
        return at

    def finish(self) -> PictureInfo:
        if self._state != "end" or self._info is None:
            raise BadPicture("is cut short")
        return self._info
