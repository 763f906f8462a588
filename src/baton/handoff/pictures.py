"""Check a screenshot from a package as it streams past: a PNG or JPEG of sane size.

Nothing is decoded into pixels and nothing is held whole (``png_check``, ``jpeg_check``).
What passes is what OpenCV and browsers decode (a test checks OpenCV on every picture the
fuzzers get accepted), so an imported process can always be exported again.
"""

from __future__ import annotations

from baton.handoff.jpeg_check import JPEG_START, JpegCheck
from baton.handoff.picture_rules import MAX_PIXELS, MAX_SIDE, BadPicture, PictureInfo
from baton.handoff.png_check import PNG_SIGNATURE, PngCheck

__all__ = ["MAX_PIXELS", "MAX_SIDE", "BadPicture", "PictureCheck", "PictureInfo"]


class PictureCheck:
    """Feed a screenshot's bytes in any pieces, then ``finish()`` for its size.

    Args:
        expect: ``png`` or ``jpg``, the kind the file's name says it is.
    """

    def __init__(self, expect: str) -> None:
        self._expect = expect
        self._head = b""
        self._inner: PngCheck | JpegCheck | None = None

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
            inner: PngCheck | JpegCheck
            if data.startswith(PNG_SIGNATURE):
                kind, inner = "png", PngCheck()
            elif data.startswith(JPEG_START):
                kind, inner = "jpg", JpegCheck()
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
