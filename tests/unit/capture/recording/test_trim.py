"""Trim: copy where the cut allows it, re-encode only up to the next keyframe."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.trim import trim
from baton.capture.recording.video_settings import AudioSettings, VideoSettings
from baton.errors import UserError

FPS = 10


def make_recording(folder: Path, seconds: int = 25) -> Path:
    """A Baton recording whose frame ``k`` shows grey level ``2k`` (keyframes every 10 s)."""
    partial = folder / "source.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(160, 120, FPS, "ultrafast", 23),
                              AudioSettings(48_000, 1))
    for k in range(seconds * FPS):
        frame = np.full((120, 160, 4), 255, np.uint8)
        frame[:, :, :3] = (k * 2) % 256
        frame[:8, (k * 3) % 150:(k * 3) % 150 + 8] = 255
        writer.write_frame(frame, k)
        writer.write_audio(np.full((4800, 1), 0.1, np.float32))
    writer.close()
    return remux_faststart(partial, folder / "source.mp4")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_recording(tmp_path_factory.mktemp("trim"))


def grey(frame: np.ndarray[Any, Any]) -> int:
    return int(frame[60:, :, 0].mean())


def test_cut_on_keyframe_is_a_plain_copy(recording: Path, tmp_path: Path,
                                         decoded: Any) -> None:
    result = trim(recording, tmp_path / "cut.mp4", 10.0, 17.5)
    assert result.reencoded_frames == 0
    assert result.copied_frames == 75
    video = decoded(result.path)
    assert video.codec == "h264"
    assert len(video.frames) == 75
    assert video.duration == pytest.approx(7.5, abs=0.11)
    assert grey(video.frames[0]) == pytest.approx(200, abs=4)
    assert video.audio_codec == "aac"
    assert video.audio_duration == pytest.approx(7.5, abs=0.1)


def test_cut_between_keyframes_reencodes_only_the_head(recording: Path, tmp_path: Path,
                                                        decoded: Any) -> None:
    result = trim(recording, tmp_path / "cut.mp4", 3.0, 14.5)
    # From the frame on screen at 3.0 s up to the keyframe at 10.0 s (the AAC encoder's
    # 21 ms priming delays every frame after the first by that much, hence 71, not 70).
    assert result.reencoded_frames == 71
    assert result.copied_frames == 45
    assert result.duration == pytest.approx(11.5, abs=0.15)
    video = decoded(result.path)
    assert len(video.frames) == 116
    assert video.duration == pytest.approx(11.5, abs=0.15)
    levels = [grey(frame) for frame in video.frames]
    assert levels[0] == pytest.approx(58, abs=4)
    assert levels[71] == pytest.approx(200, abs=4)  # the copied part follows seamlessly
    steps = np.diff(levels[:90])  # (grey wraps to 0 at frame 128)
    assert np.all((steps >= 0) & (steps <= 4))


def test_foreign_video_is_reencoded_over_the_range(tmp_path: Path, decoded: Any) -> None:
    # scripts/test installs Debian's ffmpeg; without it this must fail, not pass silently.
    assert shutil.which("ffmpeg"), "ffmpeg is missing: run scripts/test as root once"
    source = tmp_path / "foreign.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=10", "-t", "6", "-c:v", "libx264", "-g", "20",
                    "-pix_fmt", "yuv420p", str(source)], check=True, timeout=60)
    result = trim(source, tmp_path / "cut.mp4", 1.0, 4.0)
    video = decoded(result.path, keep_frames=False)
    assert result.reencoded_frames == 30
    assert video.duration == pytest.approx(3.0, abs=0.11)


@pytest.mark.parametrize(("start", "end"), [(5.0, 5.0), (-1.0, 2.0), (30.0, 40.0)])
def test_bad_ranges_are_refused(recording: Path, tmp_path: Path, start: float,
                                end: float) -> None:
    with pytest.raises(UserError, match="Cannot trim"):
        trim(recording, tmp_path / "cut.mp4", start, end)
    assert not (tmp_path / "cut.mp4").exists()
