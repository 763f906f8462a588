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
