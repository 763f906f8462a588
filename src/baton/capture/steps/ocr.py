"""Words at a click, read from the screenshot taken just before it (OCR).

The fallback when the accessibility tree names nothing (an application without one, a
canvas, a remote desktop): Tesseract reads a strip of the screen around the click, and the
words on the line under the pointer, or the nearest line, become the step's name.

Engine: libtesseract in-process through ``tesserocr`` (its wheel bundles the library), with
the English model of Debian's ``tesseract-ocr-eng`` (or ``TESSDATA_PREFIX``). In-process
matters: starting the ``tesseract`` program for every click (what ``pytesseract`` does)
costs a process start and a model load each time. One ``Reader`` per thread: the API is
not thread-safe.

UI text is small (11-14 px high), so the strip is enlarged 2x first; light text on dark
themes is inverted so the engine always sees dark on light.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger("baton.capture")

Image = npt.NDArray[np.uint8]

STRIP = (520, 110)
"""Width and height (screen pixels) of the area read around a click."""
SCALE = 2
MIN_CONFIDENCE = 45.0
NEAR = 36
"""How far (screen pixels) a line may be from the click and still name it ("near")."""
MAX_WORDS = 8
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata")


class OcrUnavailable(Exception):
    """No OCR engine or no English model on this machine."""


@dataclass(frozen=True)
class Words:
    """What was read at a click.

    Attributes:
        text: the words, in reading order.
        on: whether the click is on the words (False: they are the nearest, beside it).
    """

    text: str
    on: bool


@dataclass(frozen=True)
class _Word:
    text: str
    left: int
    top: int
    right: int
    bottom: int


def tessdata_dir() -> str | None:
    """The folder holding ``eng.traineddata`` (``TESSDATA_PREFIX`` first)."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS]
    for folder in candidates:
        if folder and (Path(folder) / "eng.traineddata").is_file():
            return folder
    return None


class Reader:
    """Reads words around a point of a screen frame (one per thread).

    Raises:
        OcrUnavailable: on construction, when tesserocr or the English model is missing.
    """

    def __init__(self) -> None:
        folder = tessdata_dir()
        if folder is None:
            raise OcrUnavailable("no English OCR model (install tesseract-ocr-eng)")
        try:
            import tesserocr
        except ImportError as error:
            raise OcrUnavailable(f"no OCR engine ({error})") from None
        self._tesserocr: Any = tesserocr
        try:
            self._api: Any = tesserocr.PyTessBaseAPI(path=folder, lang="eng",
                                                     psm=tesserocr.PSM.SPARSE_TEXT)
        except RuntimeError as error:
            raise OcrUnavailable(f"the OCR engine did not start ({error})") from None

    def words_at(self, frame: Image, x: int, y: int) -> Words | None:
        """The words at (or nearest to) frame pixel ``x, y``; None when none are legible."""
        height, width = frame.shape[:2]
        strip_w, strip_h = STRIP
        left = min(max(0, x - strip_w // 2), max(0, width - strip_w))
        top = min(max(0, y - strip_h // 2), max(0, height - strip_h))
        part = frame[top:top + strip_h, left:left + strip_w]
        if part.size == 0:
            return None
        words = self._read(_prepare(part))
        lines = _lines([_Word(w.text, w.left // SCALE + left, w.top // SCALE + top,
                              w.right // SCALE + left, w.bottom // SCALE + top) for w in words])
        return _pick(lines, x, y)

    def _read(self, image: Image) -> list[_Word]:
        api, tesserocr = self._api, self._tesserocr
        height, width = image.shape[:2]
        api.SetImageBytes(image.tobytes(), width, height, 1, width)
        api.Recognize()
        found: list[_Word] = []
        iterator = api.GetIterator()
        level = tesserocr.RIL.WORD
        if iterator is None:
            return found
        for word in tesserocr.iterate_level(iterator, level):
            try:
                text = (word.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # "No text returned": an empty box
                continue
            if not text or word.Confidence(level) < MIN_CONFIDENCE:
                continue
            box = word.BoundingBox(level)
            if box is None:
                continue
            found.append(_Word(text, *box))
        return found

    def close(self) -> None:
        self._api.End()


def _prepare(part: Image) -> Image:
    """Grey, dark text on light, enlarged: what Tesseract reads best."""
    if part.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if part.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        grey = np.asarray(cv2.cvtColor(part, code), dtype=np.uint8)
    else:
        grey = part
    if float(np.median(grey)) < 110:  # a dark theme: light text on dark
        grey = np.asarray(255 - grey, dtype=np.uint8)
    enlarged = cv2.resize(grey, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(enlarged, dtype=np.uint8)


def _lines(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into runs on one line, split where the gap is wider than a space
    (two buttons side by side are two runs)."""
    runs: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.left)):
        for run in runs:
            last = run[-1]
            height = max(last.bottom - last.top, word.bottom - word.top, 1)
            same_line = min(last.bottom, word.bottom) - max(last.top, word.top) > height // 3
            if same_line and 0 <= word.left - last.right <= height * 1.1:
                run.append(word)
                break
        else:
            runs.append([word])
    return runs


def _pick(runs: list[list[_Word]], x: int, y: int) -> Words | None:
    best: tuple[float, list[_Word]] | None = None
    for run in runs:
        left, right = min(w.left for w in run), max(w.right for w in run)
        top, bottom = min(w.top for w in run), max(w.bottom for w in run)
        dx = max(left - x, 0, x - right)
        dy = max(top - y, 0, y - bottom)
        distance = float(np.hypot(dx, dy))
        if best is None or distance < best[0]:
            best = (distance, run)
    if best is None or best[0] > NEAR:
        return None
    distance, run = best
    text = " ".join(word.text for word in run[:MAX_WORDS])
    if not any(ch.isalnum() for ch in text):
        return None
    return Words(text, on=distance <= 6)
