"""The command line contract: output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from baton.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_process_and_assistant_round_trip(capsys: pytest.CaptureFixture[str], data_dir: Path):
    base = ("--data-dir", str(data_dir))
    code, out, _ = run(capsys, *base, "process", "add", "Pay invoices", "--minutes", "30",
                       "--runs-per-week", "2", "--audience", "customer-facing")
    assert code == 0
    assert "Added process 1: Pay invoices" in out
    code, out, _ = run(capsys, *base, "process", "list", "--json")
    [process] = json.loads(out)
    assert (process["title"], process["audience"], process["hours_per_week"]) == (
        "Pay invoices", "customer-facing", 1.0)
    code, out, _ = run(capsys, *base, "process", "show", "Pay invoices", "--json")
    assert code == 0
    assert json.loads(out)["steps"] == []
    code, out, _ = run(capsys, *base, "assistant", "add", "Ana", "--arrangement", "offshore",
                       "--started-on", "2026-01-05", "--json")
    assert code == 0
    assert json.loads(out)["started_on"] == "2026-01-05"
    code, out, _ = run(capsys, *base, "assistant", "list")
    assert "offshore" in out
    assert "Ana" in out


def test_empty_lists_say_what_to_do(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "process", "list")
    assert code == 0
    assert "baton process add" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("process", "add"), "required: title"),
        (("process", "add", "x", "--minutes", "lots"), "invalid int value"),
        (("assistant", "add", "Ana", "--started-on", "soon"), "not a date"),
        (("process", "frobnicate"), "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, argv: tuple[str, ...], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(data_dir), *argv])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_is_one_line_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    base = ("--data-dir", str(data_dir))
    code, _, err = run(capsys, *base, "process", "add", "  ")
    assert code == 1
    assert err == "baton: A process needs a title.\n"
    code, _, err = run(capsys, *base, "process", "show", "nope")
    assert code == 1
    assert err == "baton: No process with id or title 'nope'.\n"
    code, out, _ = run(capsys, *base, "process", "list", "--json")
    assert json.loads(out) == []


def test_a_corrupt_database_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    (data_dir / "baton.db").write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "--data-dir", str(data_dir), "process", "list")
    assert code == 1
    assert err.startswith("baton: Cannot open the database")
    assert len(err.strip().splitlines()) == 1


def test_a_newer_database_is_refused(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    assert run(capsys, "--data-dir", str(data_dir), "process", "list")[0] == 0
    with sqlite3.connect(data_dir / "baton.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "process", "list")
    assert code == 1
    assert "newer version of Baton" in err


def test_database_url_option_and_environment(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "team.db"
    code, _, _ = run(capsys, "--data-dir", str(data_dir), "--database-url",
                     f"sqlite:///{other}", "process", "add", "Shared")
    assert code == 0
    assert other.exists()
    assert not (data_dir / "baton.db").exists()
    monkeypatch.setenv("BATON_DATABASE_URL", f"sqlite:///{other}")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "process", "list")
    assert "Shared" in out
    code, _, err = run(capsys, "--data-dir", str(data_dir), "--database-url",
                       "postgresql://nobody@127.0.0.1:1/none", "process", "list")
    assert code == 1
    assert err.startswith("baton: Cannot reach the team library")
    assert len(err.strip().splitlines()) == 1


def test_selftest_json(capsys: pytest.CaptureFixture[str], data_dir: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "selftest", "--json")
    report = json.loads(out)
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 0
    assert report["ok"] is True
    assert set(checks) == {"qt", "database", "media store", "encoder", "session", "screen grab"}
    assert checks["session"]["detail"] == "none"
    assert "libx264" in checks["encoder"]["detail"]
    assert checks["screen grab"]["detail"] == "skipped: no display"


def test_the_installed_command_runs(data_dir: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "baton", "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.strip().startswith("baton 0.")
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(data_dir), "assistant", "list"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0
    assert "No assistants yet" in result.stdout


def test_steps_capture_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("--data-dir", str(data_dir))
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "steps", "capture", "Anything", "--seconds", "-1"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    code, _, err = run(capsys, *base, "steps", "capture", "No such process", "--seconds", "1")
    assert code == 1
    assert err.startswith("baton: ")
    assert err.count("\n") == 1
    run(capsys, *base, "process", "add", "Sign up")
    monkeypatch.delenv("DISPLAY", raising=False)
    code, _, err = run(capsys, *base, "steps", "capture", "Sign up", "--seconds", "1")
    assert code == 1
    assert "display" in err.lower()
    assert err.count("\n") == 1
