"""Decode X11 ``COMPOUND_TEXT``, the ISO 2022 text older X, xterm and Java apps put in titles.

Xlib's ``XmbTextListToTextProperty`` writes a title as ``COMPOUND_TEXT`` whenever it is not
plain Latin-1: runs of ISO 8859 sets, Japanese, Chinese and Korean double-byte sets, and for
anything else an embedded UTF-8 segment (``ESC % G ... ESC % @``). Read as Latin-1 those
titles arrive as ``Invoices \\x1b%G\\xe2\\x80\\x94\\x1b%@ Firefox``; this module turns them
back into ``Invoices — Firefox``. It follows the X Consortium's Compound Text Encoding
(version 1.1) and decodes each character set with Python's own codecs.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC = 0x1B
CSI = 0x9B
STX = 0x02
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class _Charset:
    """A character set as designated by an escape sequence.

    ``codec`` decodes the set's bytes once their high bit is set (how EUC and ISO 8859
    place them); ``width`` is 1 or 2 bytes per character.
    """

    codec: str
    width: int = 1
    prefix: bytes = b""


ASCII = _Charset("ascii")
LATIN1 = _Charset("latin-1")
UNKNOWN = _Charset("")

# ESC ( F and ESC ) F: sets of 94 single-byte characters.
_SETS_94 = {
    "B": ASCII,
    "J": _Charset("jis-roman"),  # ASCII with a yen sign and an overline
    "I": _Charset("shift_jis"),  # half-width katakana sit at 0xA1-0xDF in Shift JIS too
}
# ESC - F: sets of 96 single-byte characters, always in the right half (GR).
_SETS_96 = {
    "A": LATIN1,
    "B": _Charset("iso8859-2"),
    "C": _Charset("iso8859-3"),
    "D": _Charset("iso8859-4"),
    "F": _Charset("iso8859-7"),
    "G": _Charset("iso8859-6"),
    "H": _Charset("iso8859-8"),
    "L": _Charset("iso8859-5"),
    "M": _Charset("iso8859-9"),
    "T": _Charset("tis-620"),
    "V": _Charset("iso8859-10"),
    "Y": _Charset("iso8859-13"),
    "_": _Charset("iso8859-14"),
    "b": _Charset("iso8859-15"),
    "f": _Charset("iso8859-16"),
}
# ESC $ ( F and ESC $ ) F: sets of 94x94 double-byte characters.
_SETS_94_94 = {
    "A": _Charset("gb2312", 2),
    "B": _Charset("euc_jp", 2),
    "@": _Charset("euc_jp", 2),  # JIS C 6226-1978, a subset of what euc_jp reads
    "C": _Charset("euc_kr", 2),
    "D": _Charset("euc_jp", 2, b"\x8f"),  # JIS X 0212 is EUC-JP's third code set
}
# Extended segments name their encoding the way XLFD names a font's charset.
_EXTENDED_NAMES = {
    "big5-0": "big5",
    "big5.eten-0": "big5",
    "gbk-0": "gbk",
    "gb18030-0": "gb18030",
    "koi8-r": "koi8_r",
    "koi8-u": "koi8_u",
    "iso10646-1": "utf-16-be",
    "utf-8": "utf-8",
}


def decode_compound_text(data: bytes) -> str:
    """The text a ``COMPOUND_TEXT`` property holds.

    Unknown character sets come out as U+FFFD rather than failing: a title half right is
    better than no title.
    """
    return _Decoder(data).run()


class _Decoder:
    """One pass over the bytes, tracking which set the left (GL) and right (GR) halves hold."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.left = ASCII  # the initial state: ASCII in GL, Latin-1's upper half in GR
        self.right = LATIN1
        self.out: list[str] = []

    def run(self) -> str:
        data = self.data
        while self.pos < len(data):
            byte = data[self.pos]
            if byte == ESC:
                self._escape()
            elif byte == CSI:
                self._skip_direction()
            elif byte in (0x09, 0x0A, 0x20):  # a space is a space whatever GL holds
                self.out.append(chr(byte))
                self.pos += 1
            elif 0x21 <= byte <= 0x7E:
                self._characters(self.left, gl=True)
            elif byte >= 0xA0:
                self._characters(self.right, gl=False)
            else:  # other controls have no place in a title
                self.pos += 1
        return "".join(self.out)

    def _characters(self, charset: _Charset, gl: bool) -> None:
        """Decode the run of bytes in one half, all in the set designated there."""
        data, start = self.data, self.pos
        end = start
        while end < len(data) and (
            (gl and 0x21 <= data[end] <= 0x7E) or (not gl and data[end] >= 0xA0)
        ):
            end += 1
        self.pos = end
        self.out.append(_decode_set(charset, data[start:end]))

    def _escape(self) -> None:
        data = self.data
        # An escape sequence: ESC, intermediate bytes 0x20-0x2F, one final byte 0x30-0x7E.
        end = self.pos + 1
        while end < len(data) and 0x20 <= data[end] <= 0x2F:
            end += 1
        if end >= len(data):
            self.pos = len(data)
            return
        intermediates = data[self.pos + 1 : end].decode("latin-1")
        final = chr(data[end])
        self.pos = end + 1
        if intermediates == "%" and final == "G":
            self._utf8_segment()
        elif intermediates == "%/":
            self._extended_segment()
        elif intermediates in ("(", ")"):
            self._designate(_SETS_94.get(final, UNKNOWN), intermediates == "(")
        elif intermediates == "-":
            self._designate(_SETS_96.get(final, UNKNOWN), False)
        elif intermediates in ("$(", "$)", "$"):
            self._designate(_SETS_94_94.get(final, UNKNOWN), intermediates != "$)")
        # Anything else (ESC % @ outside a segment, unknown sequences) changes nothing.

    def _designate(self, charset: _Charset, gl: bool) -> None:
        if gl:
            self.left = charset
        else:
            self.right = charset

    def _utf8_segment(self) -> None:
        """``ESC % G`` ... ``ESC % @``: UTF-8 until the closing sequence."""
        end = self.data.find(b"\x1b%@", self.pos)
        stop = len(self.data) if end < 0 else end
        self.out.append(self.data[self.pos : stop].decode("utf-8", "replace"))
        self.pos = stop if end < 0 else end + 3

    def _extended_segment(self) -> None:
        """``ESC % / F M L name STX bytes``: a counted run in a named encoding."""
        data = self.data
        # The final byte we consumed was the segment's F; M and L count the bytes that follow.
        if self.pos + 2 > len(data):
            self.pos = len(data)
            return
        length = (data[self.pos] & 0x7F) * 128 + (data[self.pos + 1] & 0x7F)
        body = data[self.pos + 2 : self.pos + 2 + length]
        self.pos += 2 + length
        name, separator, text = body.partition(bytes([STX]))
        if not separator:
            self.out.append(REPLACEMENT)
            return
        key = name.decode("latin-1").lower()
        codec = _EXTENDED_NAMES.get(key, key.replace("iso8859-", "iso8859_"))
        try:
            self.out.append(text.decode(codec, "replace"))
        except LookupError:
            self.out.append(REPLACEMENT * max(1, len(text)))

    def _skip_direction(self) -> None:
        """CSI 1 ] / CSI 2 ] / CSI ]: reading direction, which a title string ignores."""
        end = self.pos + 1
        while end < len(self.data) and not 0x40 <= self.data[end] <= 0x7E:
            end += 1
        self.pos = end + 1


def _decode_set(charset: _Charset, chunk: bytes) -> str:
    if charset is UNKNOWN:
        return REPLACEMENT * len(chunk)
    if charset is ASCII:
        return bytes(byte & 0x7F for byte in chunk).decode("ascii", "replace")
    high = bytes(byte | 0x80 for byte in chunk)
    if charset.codec == "jis-roman":
        text = bytes(byte & 0x7F for byte in chunk).decode("ascii", "replace")
        return text.replace("\\", "\u00a5").replace("~", "\u203e")
    if charset.width == 1:
        return high.decode(charset.codec, "replace")
    pairs = [high[index : index + 2] for index in range(0, len(high) - 1, 2)]
    text = "".join((charset.prefix + pair).decode(charset.codec, "replace") for pair in pairs)
    return text + (REPLACEMENT if len(high) % 2 else "")
