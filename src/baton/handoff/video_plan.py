"""Which frames of a recording a package's video copies, and which it re-encodes (and how).

The packaged video must hide the redaction boxes over their whole stretch and start a
keyframe at every chapter, and everything else should stay a plain copy (fast, no quality
lost). Baton's recordings have no B-frames: every frame depends only on earlier ones back to
the last keyframe. So:

- A frame is put in at each cut that falls between two frames (a box's start or end, a
  chapter), showing the picture on screen at that moment: the boxes then start and end on
  the cut, and a chapter's keyframe is at its exact time.
- A box's start and a chapter are keyframes (IDR). At a box's start that also means nothing
  under the box is predicted from the frames before it, where it was still in the clear.
- A frame is re-encoded when it is new, when a box covers it, or when it must become a
  keyframe and is not one; after a re-encoded frame, every frame is re-encoded up to the
  recording's next keyframe that needs nothing (copied frames may only follow a keyframe).

Times are in the stream's time base (integer ``pts``); boxes widen outward to whole ticks.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class TimedBox:
    """A box in video pixels over ``start`` to ``end`` seconds (None: to the end)."""

    x: int
    y: int
    w: int
    h: int
    start: float = 0.0
    end: float | None = None

    @property
    def box(self) -> Box:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class PlannedFrame:
    """One frame of the packaged video.

    Attributes:
        pts: when it is shown (stream time base).
        picture: the ``pts`` of the recording's frame whose picture it shows.
        boxes: the boxes painted over it.
        keyframe: it must be a keyframe (a box starts or a chapter begins here).
        copy: copied as it is from the recording (else decoded, painted, re-encoded).
    """

    pts: int
    picture: int
    boxes: tuple[Box, ...]
    keyframe: bool
    copy: bool


@dataclass(frozen=True)
class VideoPlan:
    """The frames of the packaged video, in order, and what they need."""

    frames: tuple[PlannedFrame, ...]

    @property
    def reencoded(self) -> int:
        return sum(1 for frame in self.frames if not frame.copy)

    @property
    def all_copied(self) -> bool:
        """Nothing to re-encode: the recording's frames as they are."""
        return self.reencoded == 0 and all(f.pts == f.picture for f in self.frames)

    def runs(self) -> Iterator[tuple[PlannedFrame, ...]]:
        """The stretches of consecutive re-encoded frames (each starts a new encoder)."""
        run: list[PlannedFrame] = []
        for frame in self.frames:
            if frame.copy:
                if run:
                    yield tuple(run)
                    run = []
            else:
                run.append(frame)
        if run:
            yield tuple(run)


def plan_video(
    frames: Sequence[int],
    keyframes: Sequence[int],
    time_base: Fraction,
    end: int,
    boxes: Sequence[TimedBox],
    chapters: Sequence[float],
) -> VideoPlan:
    """Plan the packaged video.

    Args:
        frames: the recording's frame times (pts), in order.
        keyframes: the ones that are keyframes.
        time_base: seconds per pts tick.
        end: the pts just after the last frame (where the video ends).
        boxes: the redaction boxes with their stretches.
        chapters: the steps' video times in seconds.
    """
    if not frames:
        return VideoPlan(())
    first = frames[0]

    def tick(seconds: float, rounding: str) -> int:
        value = seconds / time_base
        ticks = math.floor(value + 1e-6) if rounding == "down" else math.ceil(value - 1e-6)
        return max(int(ticks), first)

    spans = []
    for box in boxes:
        start = tick(box.start, "down")
        stop = end if box.end is None else min(tick(box.end, "up"), end)
        if stop > start:
            spans.append((start, stop, box.box))
    idr_cuts = {start for start, _stop, _box in spans}
    idr_cuts |= {tick(t, "down") for t in chapters if 0 <= t and tick(t, "down") < end}
    plain_cuts = {stop for _start, stop, _box in spans if stop < end}
    source_keys = set(keyframes)
    times = sorted(set(frames) | idr_cuts | plain_cuts)
    known = set(frames)

    planned: list[PlannedFrame] = []
    reencoding = False
    for pts in times:
        picture = frames[bisect.bisect_right(frames, pts) - 1]
        painted = tuple(box for start, stop, box in spans if start <= pts < stop)
        keyframe = pts in idr_cuts
        new = pts not in known
        needs = new or bool(painted) or (keyframe and pts not in source_keys)
        if needs:
            reencoding = True
        elif pts in source_keys:
            reencoding = False  # a recording keyframe that needs nothing: copy from here
        planned.append(PlannedFrame(pts, picture, painted, keyframe, not reencoding))
    return VideoPlan(tuple(planned))
