"""Fitting a package in a size budget: what has to shrink, and by how much.

The video gives way first (re-encoded at the bitrate that fits, ``video.fit_to_budget``).
When the pictures and checklist alone are too big, or leave the video less than a
watchable bitrate, the pictures must shrink too: the owner is asked first
(``PackageTooLarge`` says by how much, and ``--shrink`` or the app's question agrees), then
the sharpest common scale that fits is chosen (``shrink.SCALES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from baton.errors import UserError
from baton.handoff.shrink import SCALES, Saving
from baton.handoff.video import AUDIO_KBPS, CONTAINER_OVERHEAD, MIN_VIDEO_KBPS, VideoInfo


def megabytes(size: float) -> str:
    """``25.0 MB``; small sizes keep two decimals (``0.02 MB``)."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e6:.2f} MB"


@dataclass(frozen=True)
class Sizes:
    """Bytes of a package's parts as prepared."""

    fixed: int  # texts, manifest, zip headers
    pictures: int
    pdf: int
    video: int
    video_info: VideoInfo | None

    @property
    def total(self) -> int:
        return self.fixed + self.pictures + self.pdf + self.video

    def smallest_video(self) -> int:
        """The fewest bytes the video can take and still be watchable (0: no video)."""
        info = self.video_info
        if info is None or self.video == 0:
            return 0
        audio = AUDIO_KBPS * 1000 * info.duration if info.has_audio else 0.0
        bits = MIN_VIDEO_KBPS * 1000 * info.duration + audio
        return min(self.video, int(bits / 8 / CONTAINER_OVERHEAD) + 1)


@dataclass(frozen=True)
class Plan:
    """How an export meets its budget: pictures scaled by ``scale`` (1.0: as prepared);
    the video re-encoded to ``video_room`` bytes (None: copied as it is)."""

    scale: float
    video_room: int | None


class PackageTooLarge(UserError):
    """The budget can be met only with smaller pictures (or not at all).

    ``scale`` is the factor that would fit (None: none would); the message says so, and
    the caller says how to agree (``--shrink``, or the app's question).
    """

    def __init__(self, message: str, scale: float | None) -> None:
        super().__init__(message)
        self.scale = scale


def plan(
    sizes: Sizes, budget: int, shrink: bool, keeps: Callable[[float], Saving]
) -> Plan:
    """Decide what shrinks to fit ``budget``.

    Args:
        sizes: the parts as prepared.
        budget: the most bytes the zip may have.
        shrink: the owner agreed to smaller pictures.
        keeps: the share of the pictures' and the PDF's bytes left at a scale (measured
            on a sample).

    Raises:
        PackageTooLarge: smaller pictures are needed and ``shrink`` is False, or nothing
            fits.
    """
    if sizes.total <= budget:
        return Plan(1.0, None)
    others = sizes.fixed + sizes.pictures + sizes.pdf
    if others + sizes.smallest_video() <= budget:
        return Plan(1.0, budget - others)
    needed = sizes.fixed + sizes.pictures + sizes.pdf + sizes.smallest_video()
    for scale in SCALES:
        # The PDF shows the same pictures: it shrinks with them.
        pictures = _shrunk(sizes, keeps(scale))
        if sizes.fixed + pictures + sizes.smallest_video() <= budget:
            if not shrink:
                raise PackageTooLarge(
                    f"The package needs at least {megabytes(needed)}, more than the "
                    f"{megabytes(budget)} budget, even with the video shrunk. It fits with "
                    f"the pictures at {scale:.0%} of their size.", scale)
            room = budget - sizes.fixed - pictures
            return Plan(scale, room if sizes.video > room else None)
    smallest = SCALES[-1]
    least = sizes.fixed + _shrunk(sizes, keeps(smallest))
    least += sizes.smallest_video()
    raise PackageTooLarge(
        f"The package cannot be made to fit {megabytes(budget)}: even with the pictures at "
        f"{smallest:.0%} and the video at its smallest it needs {megabytes(least)}; raise "
        "the budget.", None)


def _shrunk(sizes: Sizes, kept: Saving) -> int:
    return int(sizes.pictures * kept.pictures + sizes.pdf * kept.pdf)
