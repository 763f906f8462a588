"""A version's video as packed: the recording checked, then made into the package's video.

The package's video has the version's redaction boxes burned in, a keyframe at every chapter
and its colours tagged (``baton.handoff.video_redaction``). When the recording already is
all that, it goes in as it is (remuxed to start fast if its index is at the end).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from baton.core.media import CorruptMedia, MediaStore


def prepare_video(
    media: MediaStore,
    key: str,
    redactions: Any,
    chapters: Sequence[float],
    *,
    advance: Callable[[int], None],
    check_cancel: Callable[[], None],
) -> tuple[str, str, int, int]:
    """Check the recording ``key`` and store the package's video made from it.

    Args:
        media: the media store (the recording is read from it, the video written to it).
        key: the recording's media key.
        redactions: the version snapshot's ``video_redactions`` (None when there are none).
        chapters: the steps' video times in seconds.
        advance: called with units of work done; about three times the recording's size in
            all (checking it, making the video, reading that for its checksums).
        check_cancel: called often; raise from it to stop.

    Returns:
        The video's media key, SHA-256, size and CRC-32.

    Raises:
        CorruptMedia: the recording is missing or damaged.
        UserError: the redactions are malformed or the recording cannot be decoded.
    """
    from baton.capture.recording.encoder import remux_faststart
    from baton.handoff.preparation import checksums
    from baton.handoff.video import starts_fast
    from baton.handoff.video_redaction import as_timed_boxes, make_package_video

    path = media.path(key)
    if not path.is_file():
        raise CorruptMedia(f"The process's recording is missing from the library: {path}")
    total = path.stat().st_size
    with path.open("rb") as handle:
        sha256, size, crc = checksums(handle, advance, check_cancel)
    if sha256 != key.split(".", 1)[0]:
        raise CorruptMedia(f"The process's recording is damaged (its content changed): {path}")
    boxes = as_timed_boxes(redactions)
    done = 0

    def made_progress(fraction: float) -> None:
        nonlocal done
        units = int(fraction * total)
        advance(units - done)
        done = units

    with tempfile.TemporaryDirectory(prefix="baton-video-") as scratch:
        out = Path(scratch) / "walkthrough.mp4"
        made = make_package_video(path, out, boxes, chapters, progress=made_progress,
                                  check_cancel=check_cancel)
        made_progress(1.0)
        if made is None:
            if starts_fast(path):
                advance(total)
                return key, sha256, size, crc
            remux_faststart(path, out)
        key = media.put_file(out, "mp4")
    path = media.path(key)
    scale = total / max(path.stat().st_size, 1)  # its reading counts as the recording's size
    with path.open("rb") as handle:
        sha256, size, crc = checksums(handle, lambda n: advance(round(n * scale)), check_cancel)
    if sha256 != key.split(".", 1)[0]:
        raise CorruptMedia(f"The package's video in the library is damaged: {path}; delete it "
                           "and export again.")
    return key, sha256, size, crc
