"""Recordings made by Baton's own encoder, for tests that need a take with distinct screens
(imported as ``takes``)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.video_settings import VideoSettings


def scene_take(folder: Path, size: tuple[int, int] = (320, 240), scenes: int = 3,
               seconds_each: int = 2, fps: int = 10) -> Path:
    """A take of ``scenes`` screens full of numbers, each on for ``seconds_each``; like the
    recorder, it writes a frame only every half second while nothing changes."""
    width, height = size
    partial = folder / "take.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(width, height, fps, "ultrafast", 20))
    rng = np.random.default_rng(5)
    for scene in range(scenes):
        image = np.full((height, width, 3), 60 + 70 * (scene % 3), np.uint8)
        for row in range(height // 40):
            text = " ".join(str(int(v)) for v in rng.integers(100, 999, 3))
            cv2.putText(image, text, (8, 30 + row * 36), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (10, 10, 10) if scene % 3 else (250, 250, 250), 2)
        bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
        first = scene * seconds_each * fps
        for tick in range(first, first + seconds_each * fps, fps // 2):
            writer.write_frame(bgra, tick)
    writer.close()
    return remux_faststart(partial, folder / "take.mp4")
