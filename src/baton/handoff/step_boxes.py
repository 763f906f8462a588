"""Boxes drawn on a step's screenshot, carried over onto the recording it came from.

A step captured while recording has a screenshot of the whole desktop (or a crop of it
around the click, scaled down on very large desktops), while the recording may show one
monitor or a region; a step made from a video has the video's own picture. Rather than
trust that bookkeeping, the screenshot is found in the video frame shown at the step's
moment: at scale 1 first, else at a range of scales, coarsely on small grey pictures and
then exactly. If it is not there, the screenshot is not from this take and nothing is
carried over (the caller says so): a box is never put somewhere it might not cover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from baton.core.media import MediaStore
from baton.core.redactions import Box, VideoRedactions
from baton.core.steps import StepRow
from baton.errors import UserError

Image = npt.NDArray[np.uint8]

COARSE_WIDTH = 480
"""Width of the small picture the first search runs on."""
SCALES = tuple(float(s) for s in np.geomspace(1.0, 0.25, 31))
MATCH = 0.8
"""Least normalised correlation to accept a place (a wrong place scores far lower)."""
UNIQUE = 0.05
"""How much better the place must score than any other (else the screen repeats itself)."""
SAME = 12.0
"""Largest mean grey difference between the screenshot and the video where it is found
(the recorder draws the pointer and click rings; the screenshot has its step marker)."""
MARGIN = 2
"""Video pixels added around each carried-over box: covering a little more is safe."""


@dataclass(frozen=True)
class Placement:
    """Where a screenshot lies on the video: its pixel (sx, sy) shows the video's pixel
    (left + sx / scale, top + sy / scale)."""

    left: float
    top: float
    scale: float

    def to_video(self, box: Sequence[float], size: tuple[int, int]) -> Box:
        """A screenshot box in video pixels, widened by ``MARGIN`` and cut at the edges."""
        x, y, w, h = box
        left = math.floor(self.left + x / self.scale) - MARGIN
        top = math.floor(self.top + y / self.scale) - MARGIN
        right = math.ceil(self.left + (x + w) / self.scale) + MARGIN
        bottom = math.ceil(self.top + (y + h) / self.scale) + MARGIN
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, size[0]), min(bottom, size[1])
        return (left, top, max(right - left, 0), max(bottom - top, 0))


def frame_at(video: Path, seconds: float) -> Image:
    """The BGR picture a video shows at a moment (the last frame starting at or before it).

    Raises:
        UserError: the video cannot be read.
    """
    import av

    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            assert stream.time_base is not None
            target = max(0.0, seconds)
            container.seek(int(target / stream.time_base), stream=stream, backward=True,
                           any_frame=False)
            shown: Any = None
            for frame in container.decode(stream):
                if shown is not None and float(frame.time or 0.0) > target + 1e-6:
                    break
                shown = frame
            if shown is None:
                raise UserError(f"{video.name} has no picture at {seconds:.1f} s.")
            return np.asarray(shown.to_ndarray(format="bgr24"), dtype=np.uint8)
    except (av.error.FFmpegError, IndexError) as error:
        raise UserError(f"{video.name} is not a video Baton can read.") from error


def _grey(image: Image) -> Image:
    if image.ndim == 3:
        return np.asarray(cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return image


def _difference(shot: Image, frame: Image, place: Placement) -> float:
    """Mean grey difference between the screenshot and the video where it is placed."""
    height, width = shot.shape[:2]
    left, top = round(place.left), round(place.top)
    right = left + round(width / place.scale)
    bottom = top + round(height / place.scale)
    if left < 0 or top < 0 or right > frame.shape[1] or bottom > frame.shape[0]:
        return math.inf
    part: Any = frame[top:bottom, left:right]
    if part.shape[:2] != shot.shape[:2]:
        part = cv2.resize(part, (width, height), interpolation=cv2.INTER_AREA)
    return float(cv2.absdiff(part, shot).mean())


def place_screenshot(screenshot: Image, frame: Image) -> Placement | None:
    """Find ``screenshot`` (BGR) in the video ``frame`` (BGR); None when it is not there."""
    shot, picture = _grey(screenshot), _grey(frame)
    if shot.shape == picture.shape and _difference(shot, picture, Placement(0, 0, 1)) < SAME:
        return Placement(0.0, 0.0, 1.0)
    coarse = min(1.0, COARSE_WIDTH / picture.shape[1])
    small = cv2.resize(picture, None, fx=coarse, fy=coarse, interpolation=cv2.INTER_AREA)
    best: tuple[float, Placement] | None = None
    runner_up = -1.0
    # A crop often spans the recorded monitor's full width or height: try those scales too.
    fits = {shot.shape[1] / picture.shape[1], shot.shape[0] / picture.shape[0]}
    scales = sorted(set(SCALES) | {f for f in fits if SCALES[-1] <= f <= 1.0}, reverse=True)
    for scale in scales:
        # The screenshot's size in the video is its own divided by its scale.
        width = round(shot.shape[1] / scale * coarse)
        height = round(shot.shape[0] / scale * coarse)
        if width > small.shape[1] + 1 or height > small.shape[0] + 1 or min(width, height) < 8:
            continue
        width, height = min(width, small.shape[1]), min(height, small.shape[0])
        template = cv2.resize(shot, (width, height), interpolation=cv2.INTER_AREA)
        scores = cv2.matchTemplate(small, template, cv2.TM_CCOEFF_NORMED)
        _low, score, _where, (x, y) = cv2.minMaxLoc(scores)
        if best is None or score > best[0]:
            best = (score, Placement(x / coarse, y / coarse, scale))
            runner_up = _second_peak(scores, (x, y), (width, height))
        if scale == 1.0 and score > 0.95:
            break  # a crop at full size, by far the usual case
    if best is None or best[0] < MATCH or best[0] - runner_up < UNIQUE:
        return None  # not there, or there twice (a plain or repeating screen): unsure
    place = _refined(shot, picture, best[1], round(1 / coarse) + 1)
    return place if _difference(shot, picture, place) < SAME else None


def _second_peak(scores: Any, best: tuple[int, int], size: tuple[int, int]) -> float:
    """The best score away from the best place (by half the template each way)."""
    masked = np.array(scores, dtype=np.float32)
    x, y = best
    reach_x, reach_y = max(size[0] // 2, 1), max(size[1] // 2, 1)
    masked[max(y - reach_y, 0):y + reach_y + 1, max(x - reach_x, 0):x + reach_x + 1] = -1.0
    return float(masked.max()) if masked.size else -1.0


def _refined(shot: Image, picture: Image, rough: Placement, reach: int) -> Placement:
    """The exact position near a coarse one, at full size."""
    template = shot if rough.scale == 1.0 else cv2.resize(
        shot, (round(shot.shape[1] / rough.scale), round(shot.shape[0] / rough.scale)),
        interpolation=cv2.INTER_AREA)
    left, top = max(round(rough.left) - reach, 0), max(round(rough.top) - reach, 0)
    right = min(round(rough.left) + template.shape[1] + reach, picture.shape[1])
    bottom = min(round(rough.top) + template.shape[0] + reach, picture.shape[0])
    window = picture[top:bottom, left:right]
    if window.shape[0] < template.shape[0] or window.shape[1] < template.shape[1]:
        return rough
    scores = cv2.matchTemplate(window, template, cv2.TM_SQDIFF)
    _low, _high, (x, y), _where = cv2.minMaxLoc(scores)
    return Placement(float(left + x), float(top + y), rough.scale)


def carried_over(
    media: MediaStore,
    recording: str,
    screenshot: str,
    moment: float,
    boxes: Sequence[dict[str, Any]],
) -> list[Box]:
    """A step's redaction boxes (screenshot pixels) in the recording's pixels.

    Args:
        media: the media store holding both.
        recording: the recording's media key.
        screenshot: the step screenshot's media key (what the boxes were drawn on).
        moment: the step's time in the recording, in seconds.
        boxes: the step's redaction boxes ``{"x", "y", "w", "h"}``.

    Raises:
        UserError: the screenshot is not a picture from this recording (at that moment), or
            either file cannot be read.
    """
    if not boxes:
        return []
    shot = cv2.imdecode(np.frombuffer(media.read_bytes(screenshot, verify=False), np.uint8),
                        cv2.IMREAD_COLOR)
    if shot is None:
        raise UserError("The step's screenshot is not a readable image.")
    frame = frame_at(media.path(recording), moment)
    place = place_screenshot(np.asarray(shot, dtype=np.uint8), frame)
    if place is None:
        raise UserError("This screenshot is not in the recording at the step's moment, so its "
                        "boxes cannot be carried over to the video; draw them on the video "
                        "instead.")
    size = (frame.shape[1], frame.shape[0])
    carried = [place.to_video((b["x"], b["y"], b["w"], b["h"]), size) for b in boxes]
    return [box for box in carried if box[2] > 0 and box[3] > 0]


def step_video_boxes(
    step: StepRow, redactions: VideoRedactions, media: MediaStore
) -> list[Box] | None:
    """A step's redaction boxes as they fall on its process's recording.

    Returns:
        The boxes in the recording's pixels, or None when the step is not from a recording
        (no recording, no moment in it, or no screenshot): its boxes hide the screenshot only.

    Raises:
        UserError: the screenshot is not the recording's picture at the step's moment.
    """
    recording = redactions.recording(step.process_id)
    if (recording is None or recording.media is None or step.video_time is None
            or step.screenshot is None):
        return None
    boxes = [dict(box) for box in step.redactions]
    return carried_over(media, recording.media, step.screenshot, step.video_time, boxes)
