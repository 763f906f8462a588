"""The library folder holds what a team shares; each user's own files live in their folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from baton.cli import main
from baton.paths import Paths, UserFolders, move_user_files, resolve_paths


def old_library(folder: Path) -> Path:
    """A library folder as Baton 0.1 left it, with the user's files inside."""
    (folder / "logs").mkdir(parents=True)
    (folder / "settings.json").write_text(json.dumps({"recording.fps": 15}))
    (folder / "window-state.ini").write_text("[main]\npage=2\n")
    (folder / "logs" / "baton.log").write_text("newest\n")
    (folder / "logs" / "baton.log.1").write_text("older\n")
    return folder


def test_per_user_files_are_outside_the_library(
    tmp_path: Path, platformdirs_isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = resolve_paths(tmp_path / "shared")
    assert paths.data_dir_given
    assert paths.database_file == tmp_path / "shared" / "baton.db"
    assert paths.media_dir == tmp_path / "shared" / "media"
    own = [paths.settings_file, paths.ui_state_file, paths.log_file, paths.recordings_dir,
           paths.cache_dir]
    assert all(platformdirs_isolated in path.parents for path in own), own
    assert paths.settings_file.parent != paths.ui_state_file.parent  # config vs state
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "from-env"))
    assert resolve_paths().data_dir == tmp_path / "from-env"
    monkeypatch.delenv("BATON_DATA_DIR")
    default = resolve_paths()
    assert not default.data_dir_given
    assert default.data_dir == platformdirs_isolated / "data_home" / "Baton"


def test_ensure_makes_only_the_library_folders(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "shared").ensure()
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["media"]


def test_a_chosen_library_keeps_its_files_and_each_user_gets_a_copy(tmp_path: Path) -> None:
    library = old_library(tmp_path / "shared")
    paths = resolve_paths(library)
    said = move_user_files(paths)
    assert said is not None
    assert said.startswith("copied settings.json, window-state.ini, ")
    assert json.loads(paths.settings_file.read_text()) == {"recording.fps": 15}
    assert paths.ui_state_file.read_text() == "[main]\npage=2\n"
    assert paths.log_file.read_text() == "newest\n"
    assert (paths.log_dir / "baton.log.1").read_text() == "older\n"
    assert (library / "settings.json").exists()  # a teammate may still need it
    # A second start (or a teammate's later change to the old file) changes nothing.
    (library / "settings.json").write_text(json.dumps({"recording.fps": 60}))
    assert move_user_files(paths) is None
    assert json.loads(paths.settings_file.read_text()) == {"recording.fps": 15}


def test_the_default_library_hands_its_files_over(platformdirs_isolated: Path) -> None:
    paths = resolve_paths()
    old_library(paths.data_dir)
    (paths.data_dir / "baton.db").write_bytes(b"the team's")
    said = move_user_files(paths)
    assert said is not None
    assert said.startswith("moved ")
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["baton.db"]
    assert json.loads(paths.settings_file.read_text()) == {"recording.fps": 15}
    assert (paths.log_dir / "baton.log.1").read_text() == "older\n"


def test_a_setting_already_in_the_users_folder_is_never_replaced(
    platformdirs_isolated: Path,
) -> None:
    paths = resolve_paths()
    old_library(paths.data_dir)
    paths.settings_file.parent.mkdir(parents=True)
    paths.settings_file.write_text(json.dumps({"recording.fps": 60}))
    paths.log_dir.mkdir(parents=True)
    paths.log_file.write_text("this Baton's log\n")
    said = move_user_files(paths)
    assert said is not None
    assert "settings.json" not in said
    assert "logs" not in said
    assert json.loads(paths.settings_file.read_text()) == {"recording.fps": 60}
    assert paths.log_file.read_text() == "this Baton's log\n"
    # What was not taken over stays where it was: nothing is lost.
    assert json.loads((paths.data_dir / "settings.json").read_text()) == {"recording.fps": 15}
    assert (paths.data_dir / "logs" / "baton.log.1").exists()


def test_the_first_start_takes_over_and_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = old_library(tmp_path / "shared")
    paths = resolve_paths(library)
    assert main(["--data-dir", str(library), "process", "list", "--json"]) == 0
    assert main(["--data-dir", str(library), "process", "list", "--json"]) == 0
    capsys.readouterr()
    log = paths.log_file.read_text()
    assert log.startswith("newest\n")
    assert log.count("copied settings.json, window-state.ini, logs/baton.log") == 1
    assert " INFO baton." in log.splitlines()[1]
    assert json.loads(paths.settings_file.read_text()) == {"recording.fps": 15}
    assert not (library / "logs" / "baton.log").read_text().count("INFO")


def test_unfinished_recordings_are_looked_for_where_older_batons_kept_them(
    tmp_path: Path,
) -> None:
    paths = resolve_paths(tmp_path / "shared")
    assert paths.recording_folders == (paths.recordings_dir, tmp_path / "shared" / "recordings")
    user = UserFolders(*(tmp_path / name for name in ("config", "state", "log", "cache")))
    same = Paths(tmp_path / "state", user)
    assert same.recording_folders == (tmp_path / "state" / "recordings",)


def test_a_user_folder_that_cannot_be_written_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    assert main(["--data-dir", str(tmp_path / "lib"), "process", "list"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("baton: Cannot set up your own Baton files in ")
    assert len(error.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == ["not-a-folder"]
