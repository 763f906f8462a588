"""A JPEG checked as it streams past: its markers, tables, frame and scans.

The frame's size is checked as soon as it is read; quantisation and Huffman tables must
be well-formed, every scan must name components of the frame whose quantisation table is
defined, and the entropy-coded data is skipped to the next marker. Only the Huffman
codings OpenCV and browsers decode (baseline, extended, progressive) are accepted.
"""

from __future__ import annotations

import struct

from baton.handoff.picture_rules import BadPicture, PictureInfo, check_size

JPEG_START = b"\xff\xd8"

# JPEG markers: start of frame for baseline, extended and progressive Huffman coding.
_SOF = (0xC0, 0xC1, 0xC2)
_TABLES_AND_INFO = {0xC4, 0xDB, 0xDD, 0xFE} | set(range(0xE0, 0xF0))
_SMALL_SEGMENTS = {0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDA, 0xDD}


class JpegCheck:
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
        self._sampling: dict[int, int] = {}  # component id -> blocks per MCU
        self._progressive = False
        self._dc_tables: set[int] = set()
        self._ac_tables: set[int] = set()

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
        check_size(width, height)
        factors: list[tuple[int, int]] = []
        for index in range(count):
            ident, sampling, table = data[6 + 3 * index : 9 + 3 * index]
            if not (1 <= sampling >> 4 <= 4 and 1 <= sampling & 15 <= 4) or table > 3:
                raise BadPicture("is damaged (a component is malformed)")
            if ident in self._components:
                raise BadPicture("is damaged (a component appears twice)")
            self._components[ident] = table
            self._sampling[ident] = (sampling >> 4) * (sampling & 15)
            factors.append((sampling >> 4, sampling & 15))
        # libjpeg upsamples by whole factors only ("fractional sampling not implemented").
        widest, tallest = max(h for h, _ in factors), max(v for _, v in factors)
        if count > 1 and any(widest % h or tallest % v for h, v in factors):
            raise BadPicture("is damaged (its sampling factors do not divide evenly)")
        self._progressive = self._marker == 0xC2
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
        bad = BadPicture("is damaged (a Huffman table is malformed)")
        at = 0
        while at < len(data):
            if at + 17 > len(data) or data[at] >> 4 > 1 or data[at] & 15 > 3:
                raise bad
            is_dc, table = not data[at] >> 4, data[at] & 15
            counts = data[at + 1 : at + 17]
            symbols = sum(counts)
            if symbols > 256 or at + 17 + symbols > len(data):
                raise bad
            values = data[at + 17 : at + 17 + symbols]
            # As libjpeg builds its decoding table: DC symbols are bit counts (at most 15
            # for 8-bit samples) and the code lengths must leave the all-ones code unused.
            if (is_dc and any(value > 15 for value in values)) or not _prefix_code(counts):
                raise bad
            (self._dc_tables if is_dc else self._ac_tables).add(table)
            at += 17 + symbols
        if not data:
            raise BadPicture("is damaged (an empty Huffman table)")

    def _scan_header(self, data: bytes) -> None:
        if self._info is None:
            raise BadPicture("is damaged (image data before the frame header)")
        if not data or not 1 <= data[0] <= 4 or len(data) != 4 + 2 * data[0]:
            raise BadPicture("is damaged (a scan header is malformed)")
        count = data[0]
        start, end, approximation = data[1 + 2 * count], data[2 + 2 * count], data[3 + 2 * count]
        high, low = approximation >> 4, approximation & 15
        if self._progressive and (
            start > end or end > 63 or (start == 0 and end != 0) or (start and count != 1)
            or (high and low != high - 1) or low > 13
        ):
            raise BadPicture("is damaged (a progressive scan is malformed)")
        idents = [data[1 + 2 * index] for index in range(count)]
        if len(set(idents)) != count:
            raise BadPicture("is damaged (a scan names a component twice)")
        if count > 1 and sum(self._sampling.get(ident, 0) for ident in idents) > 10:
            raise BadPicture("is damaged (its sampling factors are too large)")
        for index, ident in enumerate(idents):
            if ident not in self._components:
                raise BadPicture("is damaged (a scan names an unknown component)")
            if self._components[ident] not in self._quant:
                raise BadPicture("is damaged (a quantisation table is missing)")
            dc, ac = data[2 + 2 * index] >> 4, data[2 + 2 * index] & 15
            uses_dc = not self._progressive or (start == 0 and high == 0)
            uses_ac = not self._progressive or start > 0
            # A sequential picture without tables 0 and 1 gets libjpeg's standard ones
            # (motion JPEG); a progressive one must define every table it uses.
            standard = () if self._progressive else (0, 1)
            if dc > 3 or ac > 3 or (
                uses_dc and dc not in self._dc_tables and dc not in standard
            ) or (uses_ac and ac not in self._ac_tables and ac not in standard):
                raise BadPicture("is damaged (a Huffman table is missing)")
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


def _prefix_code(counts: bytes) -> bool:
    """Whether code lengths (how many codes of 1..16 bits) make a Huffman code libjpeg
    accepts: canonical codes assigned by length never reach the all-ones code."""
    lengths = [size for size, count in enumerate(counts, start=1) for _ in range(count)]
    if not lengths:
        return True
    code, size, at = 0, lengths[0], 0
    while at < len(lengths):
        while at < len(lengths) and lengths[at] == size:
            code += 1
            at += 1
        if code >= 1 << size:
            return False
        code <<= 1
        size += 1
    return True
