"""Typed reads from untrusted JSON (manifests and receipts), with plain error messages.

Everything here refuses with ``Invalid`` (a ``UserError``), never another exception: JSON
with an integer of thousands of digits, ``NaN``, nesting deeper than Python's stack, text
with a lone surrogate (which cannot be printed or stored) or control characters (which
could drive a terminal) are all refused with one sentence.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from baton.errors import UserError

SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Text from outside may hold tabs and line breaks, nothing else below U+0020, no DEL or
# C1 controls (terminal escapes), no NUL (PostgreSQL refuses it), no lone surrogates.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Invalid(UserError):
    """A JSON document from outside (a package or a receipt) is malformed."""


def load_json(data: bytes, what: str) -> Any:
    """Parse UTF-8 JSON from outside.

    Raises:
        Invalid: not UTF-8, not JSON, ``NaN``/``Infinity``, an integer too long for
            Python to read, or nesting too deep.
    """

    def refuse_constant(name: str) -> Any:
        raise Invalid(f"{what} is not valid JSON ({name} is not a number JSON allows).")

    try:
        return json.loads(data.decode("utf-8"), parse_constant=refuse_constant)
    except Invalid:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError, OverflowError):
        # ValueError covers JSONDecodeError and integers past Python's digit limit.
        raise Invalid(f"{what} is not valid JSON.") from None


def check_text(value: str, what: str) -> str:
    """Return ``value`` if it holds only printable text (tabs and line breaks allowed).

    Raises:
        Invalid: a control character, NUL or lone surrogate.
    """
    if _BAD_TEXT.search(value):
        raise Invalid(f"{what} contains characters that are not text.")
    return value


def printable(value: str) -> str:
    """``value`` without what :func:`check_text` refuses (for text Baton writes itself,
    so that every package it makes passes its own checks)."""
    return _BAD_TEXT.sub("", value)


def as_object(value: Any, what: str) -> dict[str, Any]:
    """Return ``value`` if it is a JSON object.

    Raises:
        Invalid: it is not an object.
    """
    if not isinstance(value, dict):
        raise Invalid(f"{what} is not a JSON object.")
    return value


def as_list(value: Any, what: str, *, max_items: int) -> list[Any]:
    """Return ``value`` if it is a JSON array of at most ``max_items`` items."""
    if not isinstance(value, list):
        raise Invalid(f"{what} is not a list.")
    if len(value) > max_items:
        raise Invalid(f"{what} has {len(value)} items; at most {max_items} are allowed.")
    return value


def text(
    obj: dict[str, Any], key: str, what: str, *, max_len: int, default: str | None = None
) -> str:
    """A string field of at most ``max_len`` characters (``default`` if missing or null)."""
    value = obj.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise Invalid(f"{what}: {key!r} must be text.")
    if len(value) > max_len:
        raise Invalid(f"{what}: {key!r} is longer than {max_len} characters.")
    return check_text(value, f"{what}: {key!r}")


def optional_text(obj: dict[str, Any], key: str, what: str, *, max_len: int) -> str | None:
    """Like :func:`text` but ``None`` when missing or null."""
    if obj.get(key) is None:
        return None
    return text(obj, key, what, max_len=max_len)


def integer(obj: dict[str, Any], key: str, what: str, *, minimum: int, maximum: int) -> int:
    """An integer field (booleans are not integers here) within the given bounds."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{what}: {key!r} must be a whole number.")
    if not minimum <= value <= maximum:
        raise Invalid(f"{what}: {key!r} must be between {minimum} and {maximum}.")
    return value


def optional_integer(
    obj: dict[str, Any], key: str, what: str, *, minimum: int, maximum: int
) -> int | None:
    """Like :func:`integer` but ``None`` when missing or null."""
    if obj.get(key) is None:
        return None
    return integer(obj, key, what, minimum=minimum, maximum=maximum)


def number(obj: dict[str, Any], key: str, what: str, *, minimum: float, maximum: float) -> float:
    """A finite number field within the given bounds."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{what}: {key!r} must be a number.")
    # Compared before any float() so an integer too big for a float is refused, not raised.
    if (isinstance(value, float) and not math.isfinite(value)) or not (
        minimum <= value <= maximum
    ):
        raise Invalid(f"{what}: {key!r} must be between {minimum:g} and {maximum:g}.")
    return float(value)


def optional_number(
    obj: dict[str, Any], key: str, what: str, *, minimum: float, maximum: float
) -> float | None:
    """Like :func:`number` but ``None`` when missing or null."""
    if obj.get(key) is None:
        return None
    return number(obj, key, what, minimum=minimum, maximum=maximum)


def boolean(obj: dict[str, Any], key: str, what: str) -> bool:
    """A true/false field."""
    value = obj.get(key)
    if not isinstance(value, bool):
        raise Invalid(f"{what}: {key!r} must be true or false.")
    return value


def sha256(obj: dict[str, Any], key: str, what: str) -> str:
    """A lowercase hex SHA-256 field."""
    value = obj.get(key)
    if not isinstance(value, str) or not SHA256.match(value):
        raise Invalid(f"{what}: {key!r} is not a SHA-256 hash.")
    return value
