"""Give a Qt-written PDF a fixed date, so the same checklist always has the same bytes.

Qt stamps the local time and its UTC offset (``(D:20260302091500+01'00')``, or ``...Z)`` at
offset zero) into the info dictionary near the start of the file. The stamps become
``(D:20000101000000Z)``; when that is shorter than what Qt wrote, the rest of the file moves
up and the cross-reference table and ``startxref`` are corrected, so a PDF written in
London in July is byte-for-byte the one written in UTC.
"""

from __future__ import annotations

import re
from typing import BinaryIO

FIXED_DATE = b"(D:20000101000000Z)"
HEAD = 1 << 16
CHUNK = 1 << 20
_DATE = re.compile(rb"/(?:CreationDate|ModDate) (\(D:\d{14}(?:Z|[+-]\d\d'\d\d')?\))")
_TAIL = re.compile(rb"startxref\s+(\d+)\s*%%EOF\s*$")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


class UnexpectedPdf(RuntimeError):
    """The PDF does not look like what Qt writes (a bug or a new Qt: fix this module)."""


def fix_dates(handle: BinaryIO, start: int) -> None:
    """Rewrite the dates of the PDF that begins at ``start`` in ``handle`` and ends at EOF."""
    handle.seek(start)
    head = handle.read(HEAD)
    matches = list(_DATE.finditer(head))
    if not matches:
        return
    cut = matches[0].start(1)  # every object after the first stamp moves by `delta`
    new_head = bytearray(head[:cut])
    last = cut
    for match in matches:
        new_head += head[last : match.start(1)] + FIXED_DATE
        last = match.end(1)
    delta = len(new_head) - last
    handle.seek(start)
    handle.write(bytes(new_head))
    if delta == 0:
        handle.flush()
        return
    _shift_rest(handle, start + last, delta)
    _fix_xref(handle, start, cut, delta)


def _shift_rest(handle: BinaryIO, offset: int, delta: int) -> None:
    """Move everything from ``offset`` to the end by ``delta`` bytes (delta < 0)."""
    end = handle.seek(0, 2)
    position = offset
    while position < end:
        handle.seek(position)
        chunk = handle.read(min(CHUNK, end - position))
        handle.seek(position + delta)
        handle.write(chunk)
        position += len(chunk)
    handle.truncate(end + delta)


def _fix_xref(handle: BinaryIO, start: int, cut: int, delta: int) -> None:
    end = handle.seek(0, 2)
    handle.seek(max(start, end - 1024))
    tail = handle.read()
    found = _TAIL.search(tail)
    if found is None:
        raise UnexpectedPdf("no startxref at the end of the PDF")
    xref = int(found.group(1)) + delta
    handle.seek(start + xref)
    header = handle.readline()
    counts = handle.readline().split()
    if header.strip() != b"xref" or len(counts) != 2:
        raise UnexpectedPdf("the cross-reference table is not where startxref says")
    table_start = handle.tell()
    table = bytearray(handle.read(20 * int(counts[1])))

    def moved(entry: re.Match[bytes]) -> bytes:
        offset = int(entry.group(1))
        if entry.group(3) == b"n" and offset > cut:
            offset += delta
        return b"%010d %s %s" % (offset, entry.group(2), entry.group(3))

    handle.seek(table_start)
    handle.write(_ENTRY.sub(moved, bytes(table)))
    # Only the number changes; Qt's own spacing around it stays as it was.
    handle.seek(max(start, end - 1024) + found.start(1))
    handle.truncate()
    handle.write(b"%d" % xref + tail[found.end(1) :])
    handle.flush()
