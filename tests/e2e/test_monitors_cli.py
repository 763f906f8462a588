"""``baton record --list-monitors``, ``baton selftest`` and ``--region`` rounding on a real
two-monitor X display (monitors made with ``xrandr --setmonitor``)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.xvfb import XDisplay, start_xvfb

pytestmark = [pytest.mark.display, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_monitors() -> Iterator[XDisplay]:
    """RandR lists the laptop (primary, right) before the monitor on its left."""
    process, xvfb = start_xvfb(4800, 1800)
    try:
        for name, geometry, output in (("*eDP-1", "2880/300x1800/190+1920+0", "screen"),
                                       ("DP-1", "1920/500x1080/280+0+0", "none")):
            subprocess.run(["xrandr", "--setmonitor", name, geometry, output], env=xvfb.env(),
                           check=True, capture_output=True, timeout=10)
        yield xvfb
    finally:
        process.terminate()
        process.wait(timeout=10)


def baton(xvfb: XDisplay, data: Path, *argv: str, scales: str = "2;1"
          ) -> subprocess.CompletedProcess[str]:
    env = xvfb.env()
    env["QT_SCREEN_SCALE_FACTORS"] = scales  # Qt's order: the primary first
    return subprocess.run([sys.executable, "-m", "baton", "--data-dir", str(data), *argv],
                          env=env, capture_output=True, text=True, timeout=120)


def test_monitors_are_listed_left_to_right_with_primary_position_size_and_scale(
    two_monitors: XDisplay, tmp_path: Path
) -> None:
    result = baton(two_monitors, tmp_path, "record", "--list-monitors", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["monitors"] == [
        {"index": 1, "name": "DP-1", "primary": False, "left": 0, "top": 0,
         "width": 1920, "height": 1080, "scale": 1.0},
        {"index": 2, "name": "eDP-1", "primary": True, "left": 1920, "top": 0,
         "width": 2880, "height": 1800, "scale": 2.0},
    ]
    text = baton(two_monitors, tmp_path, "record", "--list-monitors", scales="eDP-1=1.5")
    assert text.stdout.splitlines() == [
        "1  DP-1 1920x1080 at 0,0, scale 1",
        "2  eDP-1 2880x1800 at 1920,0, primary, scale 1.5",
    ]


def test_selftest_grabs_every_monitor(two_monitors: XDisplay, tmp_path: Path) -> None:
    result = baton(two_monitors, tmp_path, "selftest", "--json")
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["screen grab"]["detail"] == "2 monitor(s), each grabbed below"
    assert checks["monitor 1"] == {"name": "monitor 1", "ok": True, "detail":
                                   "DP-1 1920x1080 at 0,0, scale 1; grabbed 1920x1080"}
    assert checks["monitor 2"]["detail"] == (
        "eDP-1 2880x1800 at 1920,0, primary, scale 2; grabbed 2880x1800")


def test_a_region_rounded_to_even_sides_says_so(two_monitors: XDisplay, tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    result = baton(two_monitors, tmp_path, "record", str(out), "--seconds", "0.5",
                   "--region", "1930,10,301,201", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert (stats["width"], stats["height"]) == (300, 200)
    assert "The area 301x201 was recorded as 300x200: video needs an even width and height." \
        in stats["warnings"]
    even = baton(two_monitors, tmp_path, "record", str(out), "--seconds", "0.5",
                 "--monitor", "2", "--json")
    assert json.loads(even.stdout)["warnings"] == []
    assert json.loads(even.stdout)["width"] == 2880
    missing = baton(two_monitors, tmp_path, "record")
    assert missing.returncode != 0
    assert "Say where to write the recording" in missing.stderr
