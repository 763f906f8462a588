"""Steps from an existing video: cut where the screen changes substantially.

Every frame is decoded (PyAV), shrunk to a small colour picture and compared with the
previous one (OpenCV): the share of pixels where any colour channel changed clearly is the
frame's *change* (grey alone misses a red screen turning blue of the same brightness).
A new scene starts where the change reaches ``threshold``, unless the last scene started
less than ``min_gap_s`` ago (an animation or a page still loading belongs to its scene).
Slow changes add up: each frame is also compared with the scene's first frame.

A scene's picture is the screen just before the next scene starts (its final state, what
the user saw before the next action), like a captured click's screenshot.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from baton.capture.steps.render import Image
from baton.capture.steps.sink import SavedStep, StepSink
from baton.core.media import MediaStore
from baton.core.steps import StepContent
from baton.errors import UserError
from baton.util.images import encode_png
from baton.util.timefmt import format_time

log = logging.getLogger("baton.capture")

DEFAULT_THRESHOLD = 0.05
"""Share of the screen (0-1) that must change for a new scene: 5% is a menu or a dialog."""
DEFAULT_MIN_GAP_S = 1.0
PIXEL_DELTA = 24
"""Levels a small-picture pixel's colour channel must move by to count as changed (not
codec noise)."""
ANALYSIS_WIDTH = 256
GUARD_FRAMES = 2
"""A scene's picture is taken this many frames before the next cut (clear of fades)."""

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class Scene:
    """A stretch of video where the screen stays about the same.

    Attributes:
        time: seconds into the video where the scene starts.
        frame: the scene's picture, BGR ``(height, width, 3)`` at the video's size.
        change: the share of the screen that changed at the cut (1.0 for the first scene).
    """

    time: float
    frame: Image
    change: float


def change_fraction(before: Image, after: Image, pixel_delta: int = PIXEL_DELTA) -> float:
    """The share of pixels (0-1) where a channel differs by more than ``pixel_delta``
    levels (grey or colour pictures)."""
    diff = cv2.absdiff(before, after)
    if diff.ndim == 3:
        diff = diff.max(axis=2)
    return float(np.count_nonzero(diff > pixel_delta)) / float(diff.size)


def iter_scenes(
    video_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    min_gap_s: float = DEFAULT_MIN_GAP_S,
    *,
    progress: Progress | None = None,
) -> Iterator[Scene]:
    """Yield the scenes of a video in order, as they are found (see the module docstring).

    Args:
        video_path: any video PyAV can decode (Baton's MP4s, screen recordings from others).
        threshold: share of the screen (0-1] that must change to start a scene.
        min_gap_s: the shortest scene, in seconds.
        progress: called now and then with the share of the video done (0-1).

    Raises:
        UserError: the file is missing, is not a video, or the settings are out of range.
    """
    if not 0.0 < threshold <= 1.0:
        raise UserError("The scene threshold must be more than 0 and at most 1 (a share of "
                        "the screen).")
    if min_gap_s < 0:
        raise UserError("The shortest scene cannot be negative.")
    container = _open(video_path)
    try:
        yield from _scenes(container, video_path, threshold, min_gap_s, progress)
    finally:
        container.close()


def steps_from_video(
    video_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    min_gap_s: float = DEFAULT_MIN_GAP_S,
) -> list[Scene]:
    """All scenes of a video (``iter_scenes`` as a list; keeps every picture in memory)."""
    return list(iter_scenes(video_path, threshold, min_gap_s))


def save_scene_steps(
    scenes: Iterable[Scene], sink: StepSink, media: MediaStore
) -> list[SavedStep]:
    """Store each scene's picture as it comes, then append all steps in one transaction.

    A failure part-way leaves no step behind (stored pictures no row refers to are removed
    by the media cleanup).

    Returns:
        The saved steps, titled ``Step at 1:05`` with ``video_time`` set.
    """
    captured: list[StepContent] = []
    for scene in scenes:
        key = media.put_bytes(encode_png(scene.frame, quick=True), "png")
        captured.append(StepContent(title=f"Step at {format_time(scene.time)}",
                                    screenshot=key, full_screenshot=key,
                                    video_time=round(scene.time, 3)))
    return [SavedStep.of(row) for row in sink.add(captured)] if captured else []


def import_video_steps(
    sink: StepSink,
    media: MediaStore,
    video_path: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_gap_s: float = DEFAULT_MIN_GAP_S,
    progress: Progress | None = None,
) -> list[SavedStep]:
    """Append one step per scene of ``video_path`` to ``sink``'s process.

    What ``baton process steps-from-video PROCESS VIDEO`` and the GUI action run.

    Raises:
        UserError: the video cannot be read, the settings are out of range, or the process
            does not exist (nothing is written then).
    """
    sink.next_position()  # a missing process fails before the video is decoded
    scenes = iter_scenes(video_path, threshold, min_gap_s, progress=progress)
    return save_scene_steps(scenes, sink, media)


def _open(video_path: Path) -> Any:
    import av

    if not video_path.is_file():
        raise UserError(f"The video {video_path} does not exist.")
    try:
        container = av.open(str(video_path))
    except (av.error.FFmpegError, OSError) as error:
        raise UserError(f"{video_path} is not a video Baton can read ({error}).") from None
    if not container.streams.video:
        container.close()
        raise UserError(f"{video_path} has no video in it.")
    return container


def _scenes(
    container: Any, video_path: Path, threshold: float, min_gap_s: float,
    progress: Progress | None,
) -> Iterator[Scene]:
    import av

    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    duration = container.duration / 1_000_000 if container.duration else 0.0
    recent: deque[Any] = deque(maxlen=GUARD_FRAMES)  # decoded frames, newest last
    previous: Image | None = None
    anchor: Image | None = None
    scene_time, scene_change, reported = 0.0, 1.0, 0.0
    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            break
        except av.error.FFmpegError as error:
            if previous is None:
                raise UserError(f"{video_path} cannot be decoded ({error}).") from None
            log.warning("video %s ends early: %s", video_path, error)  # a crash-cut file
            break
        t = max(0.0, float(frame.time or 0.0) - start)
        small = _small(frame)
        if previous is None or anchor is None:
            previous = anchor = small
            recent.append(frame)
            continue
        change = max(change_fraction(previous, small), change_fraction(anchor, small))
        previous = small
        if change >= threshold and t - scene_time >= min_gap_s:
            yield Scene(scene_time, _picture(recent), scene_change)
            scene_time, scene_change, anchor = t, change, small
            recent.clear()
        elif t - scene_time < min_gap_s:
            anchor = small  # changes right after a cut belong to the new scene
        recent.append(frame)
        if progress is not None and duration > 0 and t - reported >= 1.0:
            reported = t
            progress(min(1.0, t / duration))
    if previous is None:
        raise UserError(f"{video_path} has no pictures in it.")
    yield Scene(scene_time, _picture(recent, last=True), scene_change)
    if progress is not None:
        progress(1.0)


def _small(frame: Any) -> Image:
    width = min(ANALYSIS_WIDTH, int(frame.width))
    height = max(1, round(int(frame.height) * width / int(frame.width)))
    small = frame.reformat(width=width, height=height, format="bgr24",
                           interpolation="AREA").to_ndarray()
    return np.asarray(cv2.GaussianBlur(small, (3, 3), 0), dtype=np.uint8)


def _picture(recent: deque[Any], last: bool = False) -> Image:
    """The oldest of the last few frames (clear of the next scene's fade-in), or the last."""
    frame = recent[-1] if last else recent[0]
    return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
