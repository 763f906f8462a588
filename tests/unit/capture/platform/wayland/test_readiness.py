"""What the Wayland checks say about PipeWire's socket (the rest runs on sway, e2e)."""

from __future__ import annotations

from pathlib import Path

from baton.capture.platform.wayland.readiness import NO_PIPEWIRE, check_pipewire


def test_pipewire_is_found_by_its_socket(tmp_path: Path) -> None:
    assert check_pipewire({"XDG_RUNTIME_DIR": str(tmp_path)}).detail == NO_PIPEWIRE
    (tmp_path / "pipewire-0").touch()
    found = check_pipewire({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert found.ok
    assert found.detail == str(tmp_path / "pipewire-0")
    (tmp_path / "elsewhere").touch()
    assert check_pipewire({"PIPEWIRE_REMOTE": str(tmp_path / "elsewhere")}).ok
    assert not check_pipewire({}).ok
