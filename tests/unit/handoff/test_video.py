"""The package's video: fast-start detection, probing, and shrinking to a size budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from baton.errors import UserError
from baton.handoff.video import fit_to_budget, probe, starts_fast


def boxes(*kinds: bytes) -> bytes:
    return b"".join((16).to_bytes(4, "big") + kind + bytes(8) for kind in kinds)


@pytest.mark.parametrize(
    ("layout", "fast"),
    [
        ((b"ftyp", b"moov", b"mdat"), True),
        ((b"ftyp", b"mdat", b"moov"), False),
        ((b"ftyp", b"moov", b"moof", b"mdat"), True),  # fragmented, index first
        ((b"ftyp", b"free"), False),
    ],
)
def test_starts_fast(tmp_path: Path, layout: tuple[bytes, ...], fast: bool) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(boxes(*layout))
    assert starts_fast(path) is fast


def test_probe_refuses_what_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"just some text, not a video" * 100)
    with pytest.raises(UserError, match="not a video"):
        probe(path)


def noisy_with_sound(path: Path) -> Path:
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        video: Any = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "10"}
        audio: Any = out.add_stream("aac", rate=48000)
        for index in range(30):
            frame = av.VideoFrame.from_ndarray(
                rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), format="bgr24"
            )
            frame.pts = index
            out.mux(video.encode(frame))
        for start in range(0, 3 * 48000, 1024):
            t = (np.arange(1024) + start) / 48000
            wave = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
            sound = av.AudioFrame.from_ndarray(wave, format="flt", layout="mono")
            sound.sample_rate, sound.pts = 48000, start
            out.mux(audio.encode(sound))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    return path


def test_fit_to_budget_keeps_the_sound_and_the_length(tmp_path: Path) -> None:
    source = noisy_with_sound(tmp_path / "noisy.mp4")
    assert source.stat().st_size > 1_000_000
    target = tmp_path / "small.mp4"
    seen: list[float] = []
    fit_to_budget(source, 150_000, target, progress=seen.append, check_cancel=lambda: None)
    info = probe(target)
    assert target.stat().st_size <= 150_000
    assert info.has_audio
    assert info.duration == pytest.approx(3.0, abs=0.2)
    assert starts_fast(target)
    assert seen[-1] == 1.0


def test_a_budget_too_small_to_watch_is_refused(tmp_path: Path) -> None:
    source = noisy_with_sound(tmp_path / "noisy.mp4")
    with pytest.raises(UserError, match="too little to watch"):
        fit_to_budget(
            source,
            20_000,
            tmp_path / "tiny.mp4",
            progress=lambda f: None,
            check_cancel=lambda: None,
        )
