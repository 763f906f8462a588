"""A size budget the pictures must shrink for: offered first, then met with smaller copies."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from baton.core.db import Database
from baton.core.media import MediaStore
from baton.core.models import ProcessVersion
from baton.handoff.budget import PackageTooLarge, Plan, Sizes, plan
from baton.handoff.package import PackageInfo
from baton.handoff.shrink import SCALES, Saving
from baton.handoff.validation import verify_package
from baton.handoff.video import VideoInfo
from helpers.builders import StepSpec, seed_process
from helpers.images import ui_screenshot
from helpers.video import noisy_mp4

Build = Callable[..., PackageInfo]


@pytest.fixture
def heavy(qapp: Any, database: Database, media: MediaStore, tmp_path: Path) -> ProcessVersion:
    """Six full-size screenshots (clicks near their far corner) and a 3 s noisy video."""
    steps = [StepSpec(f"Step {n}", image=ui_screenshot(n), click=(1200, 700), video_time=n / 2)
             for n in range(6)]
    return seed_process(database, media, steps=steps,
                        video=noisy_mp4(tmp_path / "take.mp4"))


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_pictures_shrink_only_when_the_owner_agrees(
    build: Build, heavy: ProcessVersion, out_dir: Path
) -> None:
    full = build(heavy, "full.zip")
    files = contents(full.path)
    pictures = sum(len(data) for name, data in files.items()
                   if name.startswith("steps/") or name == "checklist.pdf")
    # Even without any video the package would be too big by half its pictures.
    budget = full.size - len(files["video/walkthrough.mp4"]) - pictures // 2

    with pytest.raises(PackageTooLarge) as refused:
        build(heavy, "refused.zip", size_budget=budget)
    assert refused.value.scale is not None
    assert refused.value.scale < 1.0
    assert f"It fits with the pictures at {refused.value.scale:.0%}" in str(refused.value)
    assert not (out_dir / "refused.zip").exists()

    fitted = build(heavy, "fitted.zip", size_budget=budget, shrink=True)

    assert fitted.size <= budget
    verify_package(fitted.path)  # every file matches the manifest
    files = contents(fitted.path)
    manifest = json.loads(files["manifest.json"])
    picture = cv2.imdecode(np.frombuffer(files["steps/001.png"], np.uint8), cv2.IMREAD_COLOR)
    width = picture.shape[1]
    # The offered scale, or a smaller one when the offer (estimated on a sample) fell short.
    offered = refused.value.scale
    assert width in {round(1280 * scale) for scale in SCALES if scale <= offered}
    # The click point moved with the pixels.
    x, y = manifest["steps"][0]["click"]
    assert (x, y) == (round(1200 * width / 1280), round(700 * width / 1280))
    assert len(files["checklist.pdf"]) < len(contents(full.path)["checklist.pdf"])


def test_a_budget_the_video_alone_can_meet_shrinks_only_the_video(
    build: Build, heavy: ProcessVersion
) -> None:
    full = build(heavy, "full.zip")
    video = len(contents(full.path)["video/walkthrough.mp4"])
    fitted = build(heavy, "fitted.zip", size_budget=full.size - video // 3)
    files, before = contents(fitted.path), contents(full.path)
    assert files["steps/001.png"] == before["steps/001.png"]
    assert len(files["video/walkthrough.mp4"]) < video


INFO = VideoInfo(duration=100.0, width=1920, height=1080, fps=30.0, has_audio=False)


def keeps(scale: float) -> Saving:
    return Saving(scale * scale, scale * scale)


@pytest.mark.parametrize(("budget", "shrink", "expected"), [
    (300_000_000, False, Plan(1.0, None)),  # fits as it is
    (60_000_000, False, Plan(1.0, 19_000_000)),  # the video gives way
    (40_000_000, True, Plan(0.75, 40_000_000 - 1_000_000 - int(40_000_000 * 0.5625))),
])
def test_plans(budget: int, shrink: bool, expected: Plan) -> None:
    sizes = Sizes(1_000_000, 30_000_000, 10_000_000, 200_000_000, INFO)
    assert plan(sizes, budget, shrink, keeps) == expected


def test_plans_that_need_smaller_pictures_ask_first_and_impossible_ones_say_so() -> None:
    sizes = Sizes(1_000_000, 30_000_000, 10_000_000, 200_000_000, INFO)
    with pytest.raises(PackageTooLarge) as asked:
        plan(sizes, 20_000_000, False, keeps)
    assert asked.value.scale == 0.5
    with pytest.raises(PackageTooLarge, match="cannot be made to fit 2.0 MB") as impossible:
        plan(sizes, 2_000_000, True, keeps)
    assert impossible.value.scale is None
