"""Text for the PDF checklist: the editor's simple formatting, and fonts that have emoji.

Instructions use the step editor's formatting: ``**bold**`` and lines starting with ``- ``
(or ``* ``) as bullets, the same rules the viewer follows. Emoji are printed with a font
that has them (Symbola on Debian, the system's emoji font elsewhere); a character no font
here can print is written as its name in brackets, never as an empty box.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from PySide6.QtGui import QFont, QRawFont

TEXT_FAMILY = "DejaVu Sans"
SYMBOL_FAMILIES = ("Symbola", "Noto Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol",
                   "Apple Color Emoji")
"""Fonts with emoji and symbols, tried in order after the text font."""
_BULLET = re.compile(r"^\s*[-*] +")
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200d"))  # emoji variation selectors, ZWJ


@dataclass(frozen=True)
class RichLine:
    """One line of an instruction: its text, which spans are bold, whether it is a bullet."""

    text: str
    bold: tuple[tuple[int, int], ...]  # (start, length) in ``text``
    bullet: bool


def rich_lines(text: str) -> list[RichLine]:
    """Split ``text`` into lines with their bullets and bold spans (the viewer's rules)."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        bullet = _BULLET.match(raw)
        body = raw[bullet.end():] if bullet else raw
        lines.append(_inline(body, bullet is not None))
    return lines


def _inline(body: str, bullet: bool) -> RichLine:
    parts = body.split("**")
    text, spans = "", []
    for index, part in enumerate(parts):
        if index % 2 == 1 and index < len(parts) - 1:  # between a pair of **
            spans.append((len(text), len(part)))
            text += part
        else:
            text += ("**" if index % 2 == 1 else "") + part
    return RichLine(text, tuple(spans), bullet)


def pdf_font(size: float, *, bold: bool = False) -> QFont:
    """The checklist's font: DejaVu Sans, then fonts that have emoji."""
    font = QFont(TEXT_FAMILY)
    font.setFamilies([TEXT_FAMILY, *installed_symbol_families()])
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _raw(family: str) -> QRawFont | None:
    # Not cached: a raw font belongs to the thread that made it (PDFs are written on
    # worker threads); the answers below are plain values and are cached instead.
    raw = QRawFont.fromFont(QFont(family))
    return raw if raw.isValid() and raw.familyName() == family else None


@cache
def installed_symbol_families() -> tuple[str, ...]:
    """The emoji fonts this machine has (needs a QGuiApplication)."""
    return tuple(family for family in SYMBOL_FAMILIES if _raw(family) is not None)


@cache
def printable(character: str) -> bool:
    """Whether one of the checklist's fonts has a glyph for ``character``."""
    code = ord(character)
    for family in (TEXT_FAMILY, *installed_symbol_families()):
        raw = _raw(family)
        if raw is not None and raw.supportsCharacter(code):
            return True
    return False


def for_print(text: str) -> str:
    """``text`` with invisible emoji modifiers dropped and unprintable symbols named."""
    text = text.translate(_INVISIBLE)
    if text.isascii():
        return text
    out = []
    for character in text:
        if ord(character) < 0x2000 or character.isspace() or printable(character):
            out.append(character)
        else:
            out.append(f"[{unicodedata.name(character, 'symbol').lower()}]")
    return "".join(out)
