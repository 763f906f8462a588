"""Scenes cut from a synthetic screen video with known changes (made with PyAV)."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from baton.capture.steps.from_video import (
    change_fraction,
    import_video_steps,
    iter_scenes,
    steps_from_video,
)
from baton.core.db import open_database, sqlite_url
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.steps import Steps
from baton.errors import NotFound, UserError

FPS = 30
WIDTH, HEIGHT = 320, 180
CUTS = (1.0, 2.5, 4.2)
FRAME = 1 / FPS


def screen(t: float, rng: np.random.Generator) -> np.ndarray:
    """A desktop-like picture at time ``t``: page, dialog, new page, menu; a moving pointer,
    a caret typing slowly and codec-like noise never make a cut on their own."""
    image = np.full((HEIGHT, WIDTH, 3), 235, np.uint8)
    for row in range(12, HEIGHT, 14):
        cv2.line(image, (10, row), (WIDTH - 60, row), (90, 90, 90), 2)
    if t >= CUTS[0]:  # a dialog over about a quarter of the screen
        cv2.rectangle(image, (80, 40), (240, 130), (200, 120, 40), -1)
    if t >= CUTS[1]:  # another page altogether
        image[:] = (40, 40, 40)
        cv2.rectangle(image, (20, 20), (300, 60), (230, 230, 230), -1)
    if t >= CUTS[2]:  # a menu: about 6% of the screen
        cv2.rectangle(image, (200, 70), (250, 140), (250, 250, 250), -1)
    typed = int(t * 4) % 40  # a caret moving as if typing
    cv2.line(image, (12 + typed * 4, 160), (12 + typed * 4, 172), (0, 0, 0), 1)
    pointer = (int(20 + t * 40) % WIDTH, 100)
    cv2.circle(image, pointer, 3, (0, 0, 255), -1)
    noise = rng.integers(-3, 4, image.shape, dtype=np.int16)
    return np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "walk.mp4"
    rng = np.random.default_rng(7)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "23", "preset": "ultrafast"}
        for index in range(int(6 * FPS)):
            frame = av.VideoFrame.from_ndarray(screen(index / FPS, rng), format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_cuts_where_the_screen_changes(video: Path) -> None:
    scenes = steps_from_video(video)
    times = [scene.time for scene in scenes]
    assert len(times) == 4, times
    assert times[0] == 0.0
    for found, expected in zip(times[1:], CUTS, strict=True):
        assert abs(found - expected) <= 2 * FRAME + 1e-6
    assert scenes[0].change == 1.0
    assert all(0.04 < s.change < 1.0 for s in scenes[1:])


def test_picture_is_the_scene_just_before_it_ends(video: Path) -> None:
    scenes = steps_from_video(video)
    assert scenes[0].frame.shape == (HEIGHT, WIDTH, 3)
    blue, green, red = scenes[1].frame[85, 160].astype(int)  # inside the dialog
    assert abs(blue - 200) < 25
    assert abs(green - 120) < 25
    assert abs(red - 40) < 25
    assert scenes[2].frame[100, 100].max() < 70  # the dark page, no menu yet
    assert scenes[3].frame[100, 225].min() > 220  # the menu


def test_threshold_and_min_gap(video: Path) -> None:
    coarse = [round(s.time, 2) for s in iter_scenes(video, threshold=0.5)]
    assert len(coarse) == 2
    assert abs(coarse[1] - CUTS[1]) <= 2 * FRAME
    # Changes less than 2 s after a cut (the dialog at 1.0, the menu at 4.2) join its scene.
    spaced = [s.time for s in iter_scenes(video, min_gap_s=2.0)]
    assert len(spaced) == 2
    assert abs(spaced[1] - CUTS[1]) <= 2 * FRAME


def test_change_fraction_ignores_small_noise() -> None:
    base = np.full((90, 160), 100, np.uint8)
    noisy = base + 5
    half = base.copy()
    half[:, :80] = 200
    assert change_fraction(base, noisy) == 0.0
    assert change_fraction(base, half) == pytest.approx(0.5)


def test_writes_steps_with_video_times(video: Path, tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    media = MediaStore(tmp_path / "media")
    process = Library(db.sessions).add_process(ProcessDraft("Month end"))
    progress: list[float] = []
    steps = Steps(db.sessions)
    saved = import_video_steps(steps.appender(process.id), media, video,
                               progress=progress.append)
    assert [step.position for step in saved] == [1, 2, 3, 4]
    assert progress[-1] == 1.0
    rows = steps.list(process.id)
    assert [row.title for row in rows][:2] == ["Step at 0:00", "Step at 0:01"]
    assert rows[1].video_time == pytest.approx(CUTS[0], abs=2 * FRAME)
    for row in rows:
        assert row.screenshot is not None
        assert row.screenshot in media
        image = cv2.imdecode(np.frombuffer(media.read_bytes(row.screenshot), np.uint8),
                             cv2.IMREAD_COLOR)
        assert image.shape == (HEIGHT, WIDTH, 3)
    with pytest.raises(NotFound):
        import_video_steps(steps.appender(process.id + 99), media, video)
    db.close()


def test_unreadable_videos_are_plain_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        steps_from_video(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(UserError, match="not a video"):
        steps_from_video(text)
    with pytest.raises(UserError, match="threshold"):
        steps_from_video(text, threshold=0)


def test_a_change_of_colour_alone_is_a_new_scene(tmp_path: Path) -> None:
    """Full-screen red, then a blue of the same brightness: grey pictures look alike."""
    red, blue = (60, 60, 180), (180, 100, 60)  # BGR; both about 96 grey levels
    grey = [cv2.cvtColor(np.full((1, 1, 3), c, np.uint8), cv2.COLOR_BGR2GRAY)[0, 0]
            for c in (red, blue)]
    assert abs(int(grey[0]) - int(grey[1])) < 5
    path = tmp_path / "colours.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for index in range(3 * FPS):
            colour = red if index < int(1.5 * FPS) else blue
            image = np.full((HEIGHT, WIDTH, 3), colour, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    scenes = steps_from_video(path)
    assert [round(scene.time, 1) for scene in scenes] == [0.0, 1.5]
    assert scenes[1].change > 0.9
