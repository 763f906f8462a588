"""Atomic output: a file appears whole at its name, or nothing appears (both code paths)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baton.core.models import ProcessVersion
from baton.errors import UserError
from baton.handoff.atomic import AtomicOutput
from baton.handoff.package import PackageInfo

Build = Callable[..., PackageInfo]


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


def test_a_full_disk_is_one_plain_sentence_and_leaves_nothing(
    build: Build, version: ProcessVersion, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.handoff import zipwriter

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipwriter.ReproducibleZip, "add_file", full)
    with pytest.raises(UserError, match="The disk is full: free some space in"):
        build(version)
    assert list(out_dir.iterdir()) == []
