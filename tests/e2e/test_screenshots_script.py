"""scripts/screenshots makes the README's pictures of the real window under its own Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ("library", "assistants", "handoffs", "dashboard", "answer", "step-editor", "welcome")


@pytest.mark.display
@pytest.mark.slow
def test_the_script_makes_every_screenshot_the_readme_shows(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run([str(ROOT / "scripts" / "screenshots"), "--out", str(tmp_path)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in SHOTS:
        assert f"(docs/screenshots/{name}.png)" in readme
        assert (ROOT / "docs" / "screenshots" / f"{name}.png").is_file()
        image = QImage(str(tmp_path / f"{name}.png"))
        assert not image.isNull(), name
        assert image.width() >= 400, name
    library = QImage(str(tmp_path / "library.png"))
    assert (library.width(), library.height()) == (1100, 700)
    sidebar = library.pixelColor(20, 400)  # the dark sidebar, drawn by the real stylesheet
    assert (sidebar.red(), sidebar.green(), sidebar.blue()) == (0x24, 0x30, 0x3F)
