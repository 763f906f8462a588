"""Declared settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.settings import Settings


def test_defaults_saving_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"recording.fps": "fast", "from.a.newer.baton": 1}))
    settings = Settings(path)
    assert settings.get("recording.fps") == 30
    settings.set("recording.fps", 15)
    assert Settings(path).get("recording.fps") == 15
    assert json.loads(path.read_text())["from.a.newer.baton"] == 1
    with pytest.raises(ValueError):
        settings.set("recording.fps", 7)
    with pytest.raises(TypeError):
        settings.set("recording.show_keys", "yes")


def test_a_corrupt_settings_file_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert Settings(path).get("recording.quality") == "balanced"
