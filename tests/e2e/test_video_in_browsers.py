"""The package's video as assistants see it, in Chromium, Firefox and WebKitGTK (Safari's
engine): the screen's colours come out true, every chapter seeks straight to its screen with
keyframe-only seeking, and redaction boxes hold there too.

The package is sent from a process whose HD recording (where browsers used to assume BT.709)
shows colour patches and a different screen for each step, with boxes drawn on the video.
"""

from __future__ import annotations

import bisect
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.video_settings import VideoSettings
from baton.core.db import open_database, sqlite_url
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.redactions import VideoRedactions
from baton.handoff.package import build_package
from helpers import browsers, builders

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT, FPS = 1280, 720, 10
# The screen's own colours (RGB), each a 160x160 patch along the top.
PATCHES = {
    "SMPTE red": (208, 17, 0), "SMPTE green": (0, 159, 0), "blue": (0, 40, 200),
    "grey": (128, 128, 128), "yellow": (230, 200, 20), "white": (250, 250, 250),
    "dark": (20, 20, 30), "purple": (120, 40, 160),
}
STEPS = [2.0, 6.3, 12.34]  # each step's click: its chapter
CHANGES = [step - 0.5 for step in STEPS]  # what a step's click is on shows before it
SECONDS = 16
SECRET = (800, 400, 200, 80)  # hidden from 3.05 s to 7.5 s
CORNER = (0, 680, 120, 40)  # hidden all along
LEVEL_AT = (300, 500)  # a pixel of the grey that tells the screens apart


def patch_centre(index: int) -> tuple[int, int]:
    return (index * 160 + 80, 80)


def screen_level(seconds: float) -> int:
    return 40 + 50 * bisect.bisect_right(CHANGES, seconds + 1e-9)


def make_take(folder: Path) -> Path:
    partial = folder / "take.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(WIDTH, HEIGHT, FPS, "ultrafast", 18))
    ticks = sorted(set(range(0, SECONDS * FPS, FPS // 2)) | {round(t * FPS) for t in CHANGES})
    for tick in ticks:
        frame = np.full((HEIGHT, WIDTH, 4), 255, np.uint8)
        frame[200:, :, :3] = screen_level(tick / FPS)
        for index, (red, green, blue) in enumerate(PATCHES.values()):
            frame[:160, index * 160:(index + 1) * 160, :3] = (blue, green, red)
        x, y, w, h = SECRET
        frame[y:y + h, x:x + w, :3] = (0, 0, 230)
        frame[640:660, (tick * 8) % 1200:(tick * 8) % 1200 + 20, :3] = 250  # something moves
        writer.write_frame(frame, tick)
    writer.close()
    return remux_faststart(partial, folder / "take.mp4")


@pytest.fixture(scope="module")
def package(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The unpacked package, sent with boxes on the video and a chapter per step."""
    folder = tmp_path_factory.mktemp("video-in-browsers")
    database = open_database(sqlite_url(folder / "baton.db"))
    try:
        media = MediaStore(folder / "media")
        steps = [builders.StepSpec(f"Step {n}", video_time=t) for n, t in enumerate(STEPS, 1)]
        first = builders.seed_process(database, media, steps=steps, video=make_take(folder))
        boxes = VideoRedactions(database.sessions)
        boxes.add(first.process_id, SECRET, 3.05, 7.5)
        boxes.add(first.process_id, CORNER)
        version = Library(database.sessions).freeze_version(first.process_id)
        built = build_package(version, media, folder / "package.zip")
    finally:
        database.close()
    unpacked = folder / "unpacked"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(unpacked)  # our own, just-built package
    return unpacked


@pytest.fixture(scope="module", params=browsers.ENGINES)
def page(request: pytest.FixtureRequest, package: Path) -> Iterator[Any]:
    """The package's viewer open in one engine, over HTTP from this machine."""
    if request.param == "webkit":
        request.getfixturevalue("xdisplay")  # MiniBrowser has no headless mode
    with browsers.serve(package) as base, browsers.launch(request.param) as browser:
        browser.open(base + "index.html")
        yield browser


def test_colours_come_out_as_they_were_on_the_screen(page: Any) -> None:
    points = [patch_centre(index) for index in range(len(PATCHES))]
    shown = page.probe(0.5, False, points)
    for (name, expected), got in zip(PATCHES.items(), shown["pixels"], strict=True):
        assert np.abs(np.subtract(got, expected)).max() <= 4, (page.name, name, got, expected)


def test_each_chapter_seeks_straight_to_its_screen(page: Any) -> None:
    for chapter in STEPS:
        # Keyframes only (fastSeek) where the engine has it; Chromium seeks exactly.
        shown = page.probe(chapter, True, [LEVEL_AT])
        assert shown["time"] == pytest.approx(chapter, abs=0.002), (page.name, chapter)
        [level] = shown["pixels"]
        assert abs(level[1] - screen_level(chapter)) <= 4, (page.name, chapter, level)


def test_redaction_boxes_hold_in_the_browser(page: Any) -> None:
    secret = (SECRET[0] + SECRET[2] // 2, SECRET[1] + SECRET[3] // 2)
    corner = (CORNER[0] + 10, CORNER[1] + 10)
    for moment, hidden in ((0.0, False), (3.2, True), (7.4, True), (7.6, False), (14.0, False)):
        shown = page.probe(moment, False, [secret, corner])
        inside, edge = shown["pixels"]
        assert max(edge) <= 8, (page.name, moment)
        if hidden:
            assert max(inside) <= 8, (page.name, moment, inside)
        else:
            assert inside[0] > 200, (page.name, moment, inside)
            assert inside[1] < 30, (page.name, moment, inside)
