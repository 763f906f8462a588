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


def test_applications_whose_typing_is_kept_are_a_text_setting(tmp_path: Path) -> None:
    from baton.capture.steps.privacy import parse_apps

    settings = Settings(tmp_path / "settings.json")
    assert settings.get("steps.keep_typing_in") == ""  # nothing kept where unknown
    settings.set("steps.keep_typing_in", "XTerm, gnome-terminal")
    reloaded = Settings(tmp_path / "settings.json")
    assert parse_apps(reloaded.get("steps.keep_typing_in")) == {"xterm", "gnome-terminal"}
