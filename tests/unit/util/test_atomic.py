"""Atomic output: a file appears whole at its name, or nothing appears (both code paths)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baton.util.atomic import AtomicOutput


@pytest.fixture(params=["nameless", "named-temp"])
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test with Linux's O_TMPFILE and with the portable hidden-file fallback."""
    if request.param == "named-temp":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return str(request.param)


def test_commit_replaces_the_target_with_normal_permissions(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    target.write_bytes(b"old")
    with AtomicOutput(target) as output:
        output.file.write(b"new package")
        assert target.read_bytes() == b"old"  # nothing visible until commit
        output.commit()
    assert target.read_bytes() == b"new package"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.zip"]


def test_leaving_without_commit_leaves_nothing(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "package.zip"
    with pytest.raises(RuntimeError), AtomicOutput(target) as output:
        output.file.write(b"half a package")
        raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []
