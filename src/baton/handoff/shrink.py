"""Smaller step pictures (and the PDF that shows them) for one export under a size budget.

The prepared pictures stay as they are in the library; an export that must fit a budget
gets copies scaled by a common factor, with click points and the listed marks scaled alike
(the manifest describes the pictures it ships with), and a PDF painted from those copies.
Redactions are already burned in, so a smaller copy can only blur a box's edge, never
reveal what is under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from baton.core.media import MediaStore
from baton.handoff.checklist import ChecklistHeader, PdfPicture, reduce_for_pdf, write_pdf
from baton.handoff.manifest import StepEntry
from baton.handoff.preparation import checksums
from baton.handoff.prepared import PreparedShot
from baton.handoff.screenshots import Image, decode_image
from baton.util.images import encode_png

SCALES = (0.75, 0.5, 0.35, 0.25)
"""The factors tried, largest first: the package keeps the sharpest pictures that fit."""
SAMPLE = 12
"""Pictures encoded to estimate how much a factor saves."""


@dataclass(frozen=True)
class ShrunkFile:
    """A file made for this export only, with what the zip needs to store it."""

    path: Path
    sha256: str
    size: int
    crc32: int


@dataclass(frozen=True)
class ShrunkShot:
    name: str
    file: ShrunkFile
    width: int
    height: int
    click: tuple[int, int] | None


def scaled(image: Image, scale: float) -> Image:
    """``image`` scaled by ``scale`` (area averaging: text stays as legible as it can)."""
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


@dataclass(frozen=True)
class Saving:
    """The share of bytes left at a scale: of the packed pictures (which may have been
    stored less tightly compressed than Baton writes), and of the PDF's (Baton's own)."""

    pictures: float
    pdf: float


def saving(shots: list[PreparedShot], media: MediaStore, scale: float) -> Saving:
    """How much a scale saves, measured on a sample of the pictures."""
    if not shots:
        return Saving(1.0, 1.0)
    step = max(1, len(shots) // SAMPLE)
    sample = shots[::step][:SAMPLE]
    stored = rewritten = after = 0
    for shot in sample:
        data = media.read_bytes(shot.file.media_key)
        image = decode_image(data, what=shot.name)
        stored += len(data)
        rewritten += len(encode_png(image))
        after += len(encode_png(scaled(image, scale)))
    return Saving(after / max(1, stored), after / max(1, rewritten))


def scale_marks(marks: list[Any], scale: float) -> list[Any]:
    """Listed marks (``core/marks.py`` schema) in the scaled picture's pixels."""
    keys = ("x", "y", "w", "h", "x1", "y1", "x2", "y2")
    scaled_marks = []
    for mark in marks:
        if isinstance(mark, Mapping):
            mark = {key: max(0, round(value * scale)) if key in keys and isinstance(value, int)
                    else value for key, value in mark.items()}
        scaled_marks.append(mark)
    return scaled_marks


def shrink_pictures(
    steps: tuple[StepEntry, ...],
    shots: Mapping[int, PreparedShot],
    media: MediaStore,
    scale: float,
    folder: Path,
    header: ChecklistHeader,
    *,
    check_cancel: Callable[[], None],
    progress: Callable[[float], None],
) -> tuple[dict[int, ShrunkShot], ShrunkFile, tuple[StepEntry, ...]]:
    """Write the scaled pictures and their PDF into ``folder``.

    Returns:
        The scaled pictures by step position, the PDF, and the steps as the manifest
        lists them with these pictures (clicks and marks scaled).
    """
    made: dict[int, ShrunkShot] = {}
    listed: list[StepEntry] = []

    def pictures() -> Iterator[tuple[StepEntry, PdfPicture | None]]:
        for index, step in enumerate(steps):
            check_cancel()
            progress(index / max(1, len(steps)))
            shot = shots.get(step.position)
            if shot is None:
                listed.append(step)
                yield step, None
                continue
            image = scaled(decode_image(media.read_bytes(shot.file.media_key), what=shot.name),
                           scale)
            height, width = image.shape[:2]
            click = None
            if shot.click is not None:
                click = (min(width - 1, round(shot.click[0] * scale)),
                         min(height - 1, round(shot.click[1] * scale)))
            path = folder / f"{step.position}.png"
            path.write_bytes(encode_png(image))
            made[step.position] = ShrunkShot(shot.name, _stored(path, check_cancel), width,
                                             height, click)
            entry = replace(step, click=click, annotations=scale_marks(step.annotations, scale))
            listed.append(entry)
            yield entry, PdfPicture(reduce_for_pdf(image), (width, height), click)

    pdf_path = folder / "checklist.pdf"
    with pdf_path.open("w+b") as handle:
        write_pdf(handle, header, pictures(), check_cancel=check_cancel)
    progress(1.0)
    return made, _stored(pdf_path, check_cancel), tuple(listed)


def _stored(path: Path, check_cancel: Callable[[], None]) -> ShrunkFile:
    with path.open("rb") as handle:
        sha256, size, crc = checksums(handle, lambda _n: None, check_cancel)
    return ShrunkFile(path, sha256, size, crc)

