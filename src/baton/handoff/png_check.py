"""A PNG checked as it streams past, chunk by chunk, without holding it or its pixels.

The header (IHDR) comes first, so the size is known before any image data; every chunk's
CRC is checked; the image data is inflated at most 1 MiB at a time and must come out at
exactly the size the header implies, with a valid filter byte at the start of every row
(over the seven Adam7 passes when interlaced). A PNG whose data inflates to a gigabyte is
refused at the first byte past its size.
"""

from __future__ import annotations

import re
import struct
import zlib

from baton.handoff.picture_rules import BadPicture, PictureInfo, check_size

MAX_PNG_CHUNK = 16 << 20  # a chunk other than image data (a colour profile is < 1 MB)
INFLATE_STEP = 1 << 20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

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


class PngCheck:
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
        check_size(width, height)
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
