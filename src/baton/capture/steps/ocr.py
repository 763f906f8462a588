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
themes is inverted so the engine always sees dark on light, and underlines and field
borders are whitened.
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

STRIP = (360, 80)
"""Width and height (screen pixels) of the area read around a click."""
CAPTION_STRIP = (560, 56, 22)
"""How far left, up and down (screen pixels) a field's caption is looked for."""
SCALE = 2
LINE = 30
"""Pixels a horizontal line must run to be taken for an underline or a border."""
EDGE = 17
"""Pixels a vertical line must run to be taken for the side of a button or field (taller
than the letters of UI text)."""
MIN_CONFIDENCE = 45.0
NEAR = 36
"""How far (screen pixels) a line may be from the click and still name it ("near")."""
MAX_WORDS = 8
EDGE_MARKS = "‘’'\"`|[](){}—–-_.,:;!©®"
"""Marks read from borders and boxes at the ends of the words (a field's edge as ‘)."""
CAPTION_ABOVE = 40
"""How far above a click (screen pixels) a field's caption may be."""
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
            self._api: Any = tesserocr.PyTessBaseAPI(
                path=folder, lang="eng", psm=tesserocr.PSM.SPARSE_TEXT,
                variables={"debug_file": os.devnull})  # no diagnostics on stderr
        except RuntimeError as error:
            raise OcrUnavailable(f"the OCR engine did not start ({error})") from None

    def words_at(self, frame: Image, x: int, y: int) -> Words | None:
        """The words at (or nearest to) frame pixel ``x, y``; None when none are legible.

        First a small strip around the click; when nothing is under or right by it (a
        click into an empty field), a wider strip to its left and just above, where a
        field's caption is.
        """
        runs = self._runs(frame, x - STRIP[0] // 2, y - STRIP[1] // 2, *STRIP)
        found = _pick(runs, x, y, captions=False)
        if found is not None:
            return found
        width, above, below = CAPTION_STRIP
        wider = self._runs(frame, x - width, y - above, width + STRIP[0] // 2, above + below)
        return _pick(runs + wider, x, y, captions=True)

    def _runs(self, frame: Image, left: int, top: int, width: int,
              height: int) -> list[list[_Word]]:
        frame_h, frame_w = frame.shape[:2]
        left, top = min(max(0, left), max(0, frame_w - 1)), min(max(0, top), max(0, frame_h - 1))
        part = frame[top:top + height, left:left + width]
        if part.size == 0:
            return []
        words = self._read(_prepare(part))
        return _lines([_Word(w.text, w.left // SCALE + left, w.top // SCALE + top,
                             w.right // SCALE + left, w.bottom // SCALE + top) for w in words])

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
    # Underlines (links) and field borders: long thin horizontal lines join the letters
    # above them into shapes Tesseract cannot read; whiten them.
    ink = np.asarray(grey < 215, dtype=np.uint8)  # light grey borders too
    grey = grey.copy()
    for size in ((LINE, 1), (1, EDGE)):  # underlines and borders; the sides of buttons
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, size))
        grey[lines.astype(bool)] = 255
    enlarged = cv2.resize(grey, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(enlarged, dtype=np.uint8)


def _lines(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into runs on one line, split where the gap is wider than a space
    (two buttons side by side are two runs)."""
    runs: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: w.left):  # each run grows to the right
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


def _pick(runs: list[list[_Word]], x: int, y: int, *, captions: bool) -> Words | None:
    """The run under the click or nearest to it; else (``captions``), for a click in an
    empty field, its caption: the nearest run to the left on the same line, or above."""
    boxes = [(_box(run), run) for run in runs
             if any(ch.isalnum() for word in run for ch in word.text)]
    best: tuple[float, list[_Word]] | None = None
    for (left, top, right, bottom), run in boxes:
        distance = float(np.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom)))
        if best is None or distance < best[0]:
            best = (distance, run)
    if best is not None and best[0] <= NEAR:
        return _words(best[1], on=best[0] <= 6)
    if not captions:
        return None
    beside = [(x - right, run) for (left, top, right, bottom), run in boxes
              if right <= x and top - 6 <= y <= bottom + 6]
    above = [(y - bottom, run) for (left, top, right, bottom), run in boxes
             if bottom <= y and y - bottom <= CAPTION_ABOVE and left <= x]
    for candidates in (beside, above):
        if candidates:
            return _words(min(candidates, key=lambda pair: pair[0])[1], on=False)
    return None


def _box(run: list[_Word]) -> tuple[int, int, int, int]:
    return (min(w.left for w in run), min(w.top for w in run), max(w.right for w in run),
            max(w.bottom for w in run))


def _words(run: list[_Word], on: bool) -> Words | None:
    # Radio and check boxes read as "©" or "O": drop marks without letters at the ends.
    while run and not any(ch.isalnum() for ch in run[0].text):
        run = run[1:]
    while run and not any(ch.isalnum() for ch in run[-1].text):
        run = run[:-1]
    text = " ".join(word.text for word in run[:MAX_WORDS]).strip(EDGE_MARKS)
    if not any(ch.isalnum() for ch in text):
        return None
    return Words(text, on=on)
