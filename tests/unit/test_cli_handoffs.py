"""The handoff commands end to end: send, verify, import elsewhere, receipt back, export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from baton.cli import main
from baton.core.library import ProcessDraft
from baton.core.models import Audience, ProcessStatus
from baton.core.steps import StepContent, Steps
from baton.handoff.receipt_format import canonical_content, receipt_mac
from baton.services import open_services
from helpers.images import png


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make_library(data_dir: Path) -> None:
    services = open_services(str(data_dir))
    try:
        row = services.library.add_process(ProcessDraft(
            "Send invoices", audience=Audience.CUSTOMER_FACING, status=ProcessStatus.READY))
        steps = Steps(services.database.sessions)
        for n, title in enumerate(("Open the accounts app", "Click New invoice"), start=1):
            key = services.media.put_bytes(png(40 * n, 160, 120), "png")
            steps.add(row.id, StepContent(title=title, screenshot=key, full_screenshot=key))
    finally:
        services.close()


# The PDF checklist needs a Qt application; ``qapp`` makes it the widgets kind the UI tests
# share, rather than the bare QGuiApplication the command line would start on its own.
def test_send_verify_import_and_receipt(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, qapp: object
) -> None:
    owner = tmp_path / "owner"
    make_library(owner)
    base = ("--data-dir", str(owner))
    assert run(capsys, *base, "assistant", "add", "Ana")[0] == 0
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, stderr = run(capsys, *base, "handoff", "send", "Send invoices", "--to", "Ana",
                               "--out", str(out), "--due", "2026-12-01", "--json")
    sent = json.loads(stdout)
    assert code == 0
    assert sent["version"] == 1
    assert sent["new_version"] is True
    assert "customer-facing" in stderr  # the trust ladder warns, and does not block
    package = Path(sent["package"])
    assert package.parent == out
    assert package.suffix == ".zip"
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
    assert {"index.html", "manifest.json", "checklist.md", "checklist.pdf"} <= names

    code, stdout, _ = run(capsys, *base, "package", "verify", str(package))
    assert code == 0
    assert stdout.startswith("OK: “Send invoices” v1, 2 steps")

    other = tmp_path / "assistant-library"
    code, stdout, _ = run(capsys, "--data-dir", str(other), "package", "import", str(package),
                          "--json")
    assert code == 0
    assert json.loads(stdout)["steps"] == 2

    receipt = tmp_path / "receipt.json"
    document = {
        "format": "baton-receipt", "format_version": 2, "package_id": sent["package_id"],
        "handoff_id": sent["handoff_id"], "process_id": sent["process_id"], "version": 1,
        "saved_at": "2026-11-28T10:00:00Z",
        "steps": [
            {"position": 1, "done": True, "done_at": "2026-11-28T09:00:00Z", "note": "",
             "question": ""},
            {"position": 2, "done": False, "done_at": None, "note": "",
             "question": "Which customer first?"},
        ],
    }
    with zipfile.ZipFile(package) as archive:  # the key only the assistant's package holds
        key = json.loads(archive.read("manifest.json"))["handoff"]["receipt_key"]
    document["mac"] = receipt_mac(key, canonical_content(document))
    receipt.write_text(json.dumps(document))
    code, stdout, stderr = run(capsys, *base, "receipt", "import", str(receipt), "--json")
    assert code == 0, stderr
    result = json.loads(stdout)
    assert (result["steps_done"], result["new_questions"], result["status"]) == (
        1, 1, "needs-help")

    code, _, stderr = run(capsys, *base, "receipt", "import", str(package))
    assert code == 1
    assert stderr.startswith("baton: ")
    assert len(stderr.splitlines()) == 1


def test_export_and_bad_packages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, qapp: object
) -> None:
    owner = tmp_path / "owner"
    make_library(owner)
    target = tmp_path / "invoices.zip"
    code, stdout, _ = run(capsys, "--data-dir", str(owner), "package", "export", "Send invoices",
                          "--out", str(target))
    assert code == 0
    assert target.is_file()
    assert "v1" in stdout
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, stderr = run(capsys, "--data-dir", str(owner), "package", "verify", str(bad))
    assert code == 1
    assert len(stderr.strip().splitlines()) == 1
    code, _, stderr = run(capsys, "--data-dir", str(owner), "package", "export", "Nope",
                          "--out", str(tmp_path / "x.zip"))
    assert code == 1
    assert "No process" in stderr
    assert not (tmp_path / "x.zip").exists()
    with pytest.raises(SystemExit):
        main(["--data-dir", str(owner), "package", "verify", str(tmp_path / "missing.zip")])
    assert "is not a file" in capsys.readouterr().err


def test_export_from_a_shell_without_a_display(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    owner = tmp_path / "owner"
    make_library(owner)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    target = tmp_path / "invoices.zip"
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(owner), "package", "export",
         "Send invoices", "--out", str(target)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        assert archive.read("checklist.pdf").startswith(b"%PDF")


def test_a_budget_that_needs_smaller_pictures_says_how_to_agree(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, qapp: object
) -> None:
    data = tmp_path / "owner"
    services = open_services(str(data))
    try:
        row = services.library.add_process(ProcessDraft("Scan receipts"))
        rng = np.random.default_rng(2)
        for number in range(4):  # noise: every picture needs all its bytes
            ok, png = cv2.imencode(".png", rng.integers(0, 256, (400, 640, 3), dtype=np.uint8))
            assert ok
            key = services.media.put_bytes(png.tobytes(), "png")
            Steps(services.database.sessions).add(row.id, StepContent(title=f"Receipt {number}",
                                                                      screenshot=key))
    finally:
        services.close()
    base = ("--data-dir", str(data), "package", "export", "Scan receipts", "--max-mb", "1.5")
    code, _, err = run(capsys, *base, "--out", str(tmp_path / "big.zip"))
    assert code == 1
    assert "It fits with the pictures at" in err
    assert "Add --shrink" in err
    assert not (tmp_path / "big.zip").exists()
    code, out, err = run(capsys, *base, "--out", str(tmp_path / "small.zip"), "--shrink",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["size"] <= 1_500_000
