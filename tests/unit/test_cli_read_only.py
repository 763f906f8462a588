"""Libraries that cannot be written, and commands that need no library at all.

A read-only disk is a real read-only bind mount in a private mount namespace (``unshare``),
and a read-only ``baton.db`` is a file the command's user cannot write (the command runs
as ``nobody``), so SQLite, the folders and the log file meet what a user would have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.cli import main
from baton.core.library import ProcessDraft
from baton.services import open_services

SRC = Path(__file__).resolve().parents[2] / "src"
READ_ONLY_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


@pytest.fixture
def library() -> Iterator[Path]:
    """A library with one process, in a folder every user may read (not pytest's 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="baton-ro-"))
    folder.chmod(0o755)
    services = open_services(str(folder / "library"))
    try:
        services.library.add_process(ProcessDraft("Send invoices", summary="Mondays"))
    finally:
        services.close()
    yield folder / "library"
    shutil.rmtree(folder)


def baton(
    *argv: str, wrap: list[str] | None = None, user_home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), QT_QPA_PLATFORM="offscreen")
    if user_home is not None:  # another user's own folders (settings, log) are their own
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[name] = str(user_home / name.lower())
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "baton", *argv],
        capture_output=True, text=True, env=env, timeout=120,
    )


def on_read_only_disk(folder: Path) -> list[str]:
    """Run the command with ``folder`` mounted read-only (as root, or in a user namespace)."""
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *user, "--mount", "--propagation", "private", "sh", "-c",
            READ_ONLY_MOUNT, "sh", str(folder)]


def test_list_and_show_work_on_a_read_only_disk(library: Path) -> None:
    wrap = on_read_only_disk(library)
    listed = baton("--data-dir", str(library), "process", "list", wrap=wrap)
    assert listed.returncode == 0, listed.stderr
    assert "Send invoices" in listed.stdout
    assert listed.stderr == ""
    shown = baton("--data-dir", str(library), "process", "show", "Send invoices", "--json",
                  wrap=wrap)
    assert shown.returncode == 0, shown.stderr
    assert '"summary": "Mondays"' in shown.stdout


@pytest.mark.parametrize(
    "argv",
    [["process", "add", "Payroll"], ["assistant", "add", "Ana"]],
)
def test_writes_on_a_read_only_disk_say_so_in_one_line(library: Path, argv: list[str]) -> None:
    result = baton("--data-dir", str(library), *argv, wrap=on_read_only_disk(library))
    assert result.returncode == 1
    assert result.stderr.startswith("baton: This library is read-only")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_read_only_database_file_is_shown_and_never_written(library: Path) -> None:
    """baton.db belongs to root and cannot be written by ``nobody``; its folder can."""
    if os.geteuid() != 0:
        pytest.fail("this test switches to the user nobody, which needs root")
    for path in [library, *library.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o644)
    database = library / "baton.db"
    database.chmod(0o444)
    before = database.read_bytes()
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    home = library.parent / "nobody-home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    listed = baton("--data-dir", str(library), "process", "list", wrap=nobody, user_home=home)
    assert listed.returncode == 0, listed.stderr
    assert "Send invoices" in listed.stdout
    added = baton("--data-dir", str(library), "process", "add", "Payroll", wrap=nobody,
                  user_home=home)
    assert added.returncode == 1
    assert "read-only" in added.stderr
    assert len(added.stderr.splitlines()) == 1
    assert database.read_bytes() == before


def test_verify_needs_no_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not the --data-dir given, nor the default folder, is created or opened."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("BATON_DATA_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x05\x06" + bytes(18))
    assert main(["--data-dir", str(tmp_path / "nowhere"), "package", "verify", str(bad)]) == 1
    assert main(["package", "verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("baton: ") == 2
    assert len(err.splitlines()) == 2
    assert not (tmp_path / "nowhere").exists()
    assert list(home.iterdir()) == []
