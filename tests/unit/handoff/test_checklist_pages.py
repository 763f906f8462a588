"""The printed checklist, checked the way a reader sees it: pages rendered by poppler.

Every step's heading is on the same page as its picture; ``- `` lines print as bullets and
``**bold**`` as bold; emoji print in a font that has them, or as their name.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from baton.handoff.checklist import ChecklistHeader, PdfPicture, reduce_for_pdf, write_pdf
from baton.handoff.manifest import StepEntry

# Saturated, far-apart colours: each step's screenshot is one of them, so a rendered page
# shows which pictures it holds.
COLOURS = [(230, 40, 40), (40, 170, 60), (40, 70, 220), (230, 200, 30), (200, 40, 200),
           (30, 200, 210), (240, 130, 20), (120, 60, 20), (90, 30, 170), (20, 20, 120),
           (150, 220, 90), (250, 150, 190)]
LONG = "\n".join(f"- check item {n} of the list before going on" for n in range(1, 9))


def tool(name: str) -> str:
    found = shutil.which(name)
    # scripts/test installs poppler-utils; without it this test fails, never skips.
    assert found, f"{name} is missing: apt-get install poppler-utils (scripts/test does)"
    return found


def twelve_steps() -> list[tuple[StepEntry, PdfPicture]]:
    steps = []
    for index, rgb in enumerate(COLOURS):
        number = index + 1
        tall = number % 4 == 0  # a portrait screenshot now and then
        height, width = (1200, 800) if tall else (1080, 1920)
        image = np.zeros((height, width, 4), np.uint8)
        image[..., 0], image[..., 1], image[..., 2], image[..., 3] = rgb[2], rgb[1], rgb[0], 255
        instruction = LONG if number % 3 == 0 else f"Do the **{number}th** thing."
        entry = StepEntry(number, f"Heading{number:02d} of the step", instruction,
                          "Careful here." if number % 5 == 0 else "", None, None, None, [])
        steps.append((entry, PdfPicture(reduce_for_pdf(image), (width, height), None)))
    return steps


def pages_of(pdf: Path, folder: Path) -> list[np.ndarray[Any, Any]]:
    subprocess.run([tool("pdftoppm"), "-r", "20", "-png", str(pdf), str(folder / "page")],
                   check=True, timeout=60)
    import cv2

    return [cv2.imread(str(path))[:, :, ::-1] for path in sorted(folder.glob("page-*.png"))]


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run([tool("pdftotext"), "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, timeout=60, capture_output=True, text=True).stdout


def write(tmp_path: Path, steps: list[tuple[StepEntry, PdfPicture | None]]) -> Path:
    pdf = tmp_path / "checklist.pdf"
    with pdf.open("w+b") as handle:
        write_pdf(handle, ChecklistHeader("Monthly invoices", "Every first Monday.", 3, "Ana",
                                          "2" * 32), steps)
    return pdf


def test_no_heading_is_on_another_page_than_its_picture(qapp: Any, tmp_path: Path) -> None:
    pdf = write(tmp_path, list(twelve_steps()))
    pages = pages_of(pdf, tmp_path)
    assert len(pages) > 4  # the test means something only when steps break across pages
    heading_page: dict[int, int] = {}
    picture_page: dict[int, int] = {}
    for page_number, page in enumerate(pages, start=1):
        text = page_text(pdf, page_number)
        for index, rgb in enumerate(COLOURS):
            number = index + 1
            if f"Heading{number:02d}" in text:
                heading_page[number] = page_number
            close = np.all(np.abs(page.astype(int) - np.array(rgb)) < 20, axis=2).sum()
            if close > 40:
                picture_page.setdefault(number, page_number)
    assert sorted(heading_page) == sorted(picture_page) == list(range(1, 13))
    assert heading_page == picture_page
    assert len(set(heading_page.values())) > 3


def test_a_step_taller_than_a_page_puts_its_picture_under_its_heading(
    qapp: Any, tmp_path: Path
) -> None:
    [(entry, picture)] = twelve_steps()[:1]
    very_long = "\n".join(f"Line {n} of a very long instruction." for n in range(120))
    entry = StepEntry(1, "Heading01 of the step", very_long, "", None, None, None, [])
    pdf = write(tmp_path, [(StepEntry(9, "Short first", "", "", None, None, None, []), None),
                           (entry, picture)])
    pages = pages_of(pdf, tmp_path)
    red = [np.all(np.abs(page.astype(int) - np.array(COLOURS[0])) < 20, axis=2).sum()
           for page in pages]
    heading = next(n for n in range(1, len(pages) + 1) if "Heading01" in page_text(pdf, n))
    assert red[heading - 1] > 40
    assert len(pages) >= 3


def test_bullets_bold_and_emoji_print(qapp: Any, tmp_path: Path) -> None:
    instruction = ("Pick the customer:\n- type the **opening** letters\n- ask before adding one\n"
                   "✅ Done when it shows **Sent** \U0001FAE0")
    pdf = write(tmp_path, [(StepEntry(1, "Send it ⚠️", instruction, "Check twice ⚠️", None,
                                      None, None, []), None)])
    text = page_text(pdf, 1)
    assert "• type the opening letters" in text
    assert "• ask before adding one" in text
    assert "- type" not in text
    assert "**" not in text
    assert "✅ Done when it shows Sent" in text
    assert "Send it ⚠" in text
    assert "[melting face]" in text  # newer than every font here: named, not a box
    fonts = subprocess.run([tool("pdffonts"), str(pdf)], check=True, timeout=60,
                           capture_output=True, text=True).stdout
    assert "Symbola" in fonts
    assert "Bold" in fonts
