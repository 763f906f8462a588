"""``baton record --process`` under Xvfb, and ``baton process steps-from-video``."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest


def baton(env: dict[str, str], data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "baton", "--data-dir", str(data_dir), *argv],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.display
@pytest.mark.slow
def test_record_attaches_the_video_to_the_process(xdisplay: Any, tmp_path: Path) -> None:
    env = xdisplay.env()
    assert baton(env, tmp_path, "process", "add", "Pay invoices").returncode == 0
    out = tmp_path / "take.mp4"
    result = baton(env, tmp_path, "record", str(out), "--seconds", "2", "--fps", "10",
                   "--region", "0,0,640,360", "--process", "Pay invoices", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["process_id"] == 1
    assert stats["frames_dropped"] == 0
    # A still screen: most frames repeat the one before and are not encoded again.
    assert stats["frames_captured"] + stats["frames_unchanged"] >= 15
    assert stats["duration"] == pytest.approx(2.0, abs=0.3)
    shown = json.loads(baton(env, tmp_path, "process", "show", "1", "--json").stdout)
    assert shown["has_recording"] is True
    assert shown["recording"].endswith(".mp4")
    stored = tmp_path / "media" / shown["recording"][:2] / shown["recording"]
    assert stored.read_bytes() == out.read_bytes()


def make_video(path: Path, colours: list[tuple[int, int, int]], seconds_each: float) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.time_base = Fraction(1, 10)
        index = 0
        for colour in colours:
            for _ in range(int(seconds_each * 10)):
                frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), colour, np.uint8),
                                                   format="rgb24")
                frame.pts = index
                index += 1
                container.mux(stream.encode(frame))
        container.mux(stream.encode())


def test_steps_from_video_command(tmp_path: Path) -> None:
    video = tmp_path / "walkthrough.mp4"
    make_video(video, [(20, 20, 20), (200, 30, 30), (30, 200, 30)], seconds_each=2)
    env = dict(__import__("os").environ)
    assert baton(env, tmp_path, "process", "add", "Ship orders").returncode == 0
    result = baton(env, tmp_path, "process", "steps-from-video", "Ship orders", str(video),
                   "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["steps_added"] == 3
    steps = json.loads(baton(env, tmp_path, "process", "show", "Ship orders", "--json").stdout)[
        "steps"]
    times = [step["video_time"] for step in steps]
    assert times[0] == pytest.approx(0, abs=0.2)
    assert times[1] == pytest.approx(2, abs=0.3)
    assert times[2] == pytest.approx(4, abs=0.3)
    bad = baton(env, tmp_path, "process", "steps-from-video", "Ship orders", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert "is not a file" in bad.stderr
