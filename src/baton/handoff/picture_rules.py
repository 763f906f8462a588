"""What a screenshot from a package may be: the limits, and how a check says no."""

from __future__ import annotations

from dataclasses import dataclass

from baton.errors import UserError

MAX_SIDE = 16384
MAX_PIXELS = 40_000_000


class BadPicture(UserError):
    """The bytes are not a PNG or JPEG Baton accepts; ``str()`` says why, briefly."""


@dataclass(frozen=True)
class PictureInfo:
    """A checked picture: its kind (``png`` or ``jpg``) and size in pixels."""

    kind: str
    width: int
    height: int


def check_size(width: int, height: int) -> None:
    """Refuse a size no screen has.

    Raises:
        BadPicture: a side of 0 or over 16,384 pixels, or more than 40 million pixels.
    """
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise BadPicture(f"is {width}x{height} pixels, not a screen's size")
    if width * height > MAX_PIXELS:
        raise BadPicture(f"is {width}x{height}, more pixels than any screen has")
