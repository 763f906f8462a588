"""PDF pictures sized for print and stored the way that suits them: the checklist is never
larger than the step pictures it shows."""

from __future__ import annotations

import re
import tempfile
from typing import Any

import cv2
import numpy as np
import pytest

from baton.handoff.checklist import ChecklistHeader, PdfPicture, reduce_for_pdf, write_pdf
from baton.handoff.manifest import StepEntry
from baton.handoff.pdf_pictures import print_factor
from baton.util.images import encode_png
from helpers.images import ui_screenshot

HEADER = ChecklistHeader("Invoices", "", 1, None, "1" * 32)


def pdf_of(images: list[np.ndarray[Any, Any]]) -> bytes:
    steps = []
    for number, image in enumerate(images, start=1):
        entry = StepEntry(number, f"Step {number}", "", "", f"steps/{number:03d}.png", None,
                          None, [])
        height, width = image.shape[:2]
        steps.append((entry, PdfPicture(reduce_for_pdf(image), (width, height), None)))
    with tempfile.TemporaryFile() as handle:
        write_pdf(handle, HEADER, steps)
        handle.seek(0)
        return handle.read()


def image_filters(pdf: bytes) -> list[str]:
    found = re.findall(rb"/Subtype /Image.*?/Filter /(\w+)", pdf, re.S)
    return [name.decode() for name in found]


@pytest.mark.parametrize(("size", "factor"), [
    ((1280, 720), 1), ((1920, 1080), 2), ((2560, 1440), 2), ((3840, 2160), 4),
    ((1280, 4000), 5),  # tall: it is printed a little over half a page high
])
def test_pictures_are_shrunk_toward_their_printed_size(size: tuple[int, int], factor: int) -> None:
    assert print_factor(*size) == factor


def test_the_pdf_is_no_larger_than_the_screenshots_it_shows(qapp: Any) -> None:
    images = [ui_screenshot(seed) for seed in range(4)]
    images += [ui_screenshot(9, 1920, 1080), ui_screenshot(10, 1280, 1600)]
    pngs = sum(len(encode_png(image)) for image in images)

    pdf = pdf_of(images)

    assert len(pdf) <= pngs, f"PDF {len(pdf)} bytes, pictures {pngs}"
    assert image_filters(pdf) == ["FlateDecode"] * len(images)  # exact, and smaller than JPEG


def test_photographs_are_stored_as_jpeg(qapp: Any) -> None:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    photo = cv2.cvtColor(cv2.GaussianBlur(noise, (0, 0), 3), cv2.COLOR_BGR2BGRA)

    pdf = pdf_of([photo, ui_screenshot(1)])

    assert image_filters(pdf) == ["DCTDecode", "FlateDecode"]
    assert len(pdf) <= len(encode_png(photo)) + len(encode_png(ui_screenshot(1)))
