"""``baton selftest`` on a machine with a display: every check runs for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.display
def test_selftest_with_a_display_grabs_the_screen(xdisplay: Any, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(tmp_path), "selftest", "--json"],
        env=xdisplay.env(), capture_output=True, text=True, timeout=120,
    )
    report = json.loads(result.stdout)
    checks = {check["name"]: check for check in report["checks"]}
    assert result.returncode == 0, result.stdout + result.stderr
    assert checks["screen grab"]["detail"] == "1 monitor(s), each grabbed below"
    assert checks["monitor 1"]["detail"].endswith("1920x1080 at 0,0, primary, scale 1; "
                                                  "grabbed 1920x1080")
    assert "platform xcb" in checks["qt"]["detail"]


@pytest.mark.display
def test_selftest_reports_a_broken_qt_platform(xdisplay: Any, tmp_path: Path) -> None:
    env = xdisplay.env()
    env["QT_QPA_PLATFORM"] = "no-such-platform"
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(tmp_path), "selftest", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    report = json.loads(result.stdout)
    qt = next(check for check in report["checks"] if check["name"] == "qt")
    assert result.returncode == 1
    assert qt["ok"] is False
    assert qt["detail"]
