"""Declared settings."""

from __future__ import annotations

import json
import subprocess
import sys
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
    with pytest.raises(ValueError, match="must be one of"):
        settings.set("recording.fps", 7)
    with pytest.raises(TypeError):
        settings.set("recording.show_keys", "yes")


def test_a_corrupt_settings_file_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert Settings(path).get("recording.quality") == "balanced"


WRITER = """
import os, sys
from pathlib import Path
if sys.argv[2] == "named-temp":
    del os.O_TMPFILE  # a network share without O_TMPFILE: temporary files have names
from baton.settings import Settings
settings = Settings(Path(sys.argv[1]))
for _ in range(150):
    settings.set("handoff.default_due_days", int(sys.argv[3]))
"""


@pytest.mark.parametrize("platform", ["nameless", "named-temp"])
def test_two_baton_processes_saving_at_once_never_share_a_temp_file(
    platform: str, tmp_path: Path
) -> None:
    # Two machines on one shared folder used to save through the same "settings.tmp": one
    # renamed the other's half-written file into place, or found it already gone.
    path = tmp_path / "settings.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), platform, str(days)],
                         stderr=subprocess.PIPE, text=True)
        for days in (3, 9)
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    assert json.loads(path.read_text())["handoff.default_due_days"] in (3, 9)
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_applications_whose_typing_is_kept_are_a_text_setting(tmp_path: Path) -> None:
    from baton.capture.steps.privacy import parse_apps

    settings = Settings(tmp_path / "settings.json")
    assert settings.get("steps.keep_typing_in") == ""  # nothing kept where unknown
    settings.set("steps.keep_typing_in", "XTerm, gnome-terminal")
    reloaded = Settings(tmp_path / "settings.json")
    assert parse_apps(reloaded.get("steps.keep_typing_in")) == {"xterm", "gnome-terminal"}
