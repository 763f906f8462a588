"""A package export killed mid-way (SIGKILL, as by a crash or power cut) leaves no zip."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from baton.core.media import MediaStore
from helpers.images import png_bytes

CHILD = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtGui import QGuiApplication
from baton.core.media import MediaStore
from baton.handoff.package import build_package

app = QGuiApplication([])
media, snapshot, out = MediaStore(Path(sys.argv[1])), json.loads(sys.argv[2]), Path(sys.argv[3])
pause_at = sys.argv[4]

def progress(fraction, label):
    if label == pause_at and fraction > 0:
        print("working", flush=True)
        time.sleep(0.02)  # slow the export down so the parent can kill it half-way

build_package(snapshot, media, out, progress=progress)
print("finished", flush=True)
"""


def fake_mp4(size: int) -> bytes:
    """MP4 boxes with the index first (so it is packed as is) and ``size`` bytes of media."""
    ftyp = (16).to_bytes(4, "big") + b"ftypisom" + b"\0\0\0\0"
    moov = (8).to_bytes(4, "big") + b"moov"
    mdat = (size + 8).to_bytes(4, "big") + b"mdat"
    return ftyp + moov + mdat + bytes(size)


def run_child(
    tmp_path: Path,
    video_bytes: int,
    pause_at: str = "Packing the video",
    steps: list[dict[str, object]] | None = None,
) -> tuple[subprocess.Popen[str], Path, Path]:
    media = MediaStore(tmp_path / "media")
    key = media.put_bytes(fake_mp4(video_bytes), "mp4") if video_bytes else None
    snapshot = {
        "process_id": 1,
        "title": "Month-end close",
        "version": 2,
        "recording": key,
        "steps": steps or [{"position": 1, "title": "Open the ledger"}],
    }
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "month-end.zip"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(media.root), json.dumps(snapshot), str(target),
         pause_at],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    return child, out_dir, target


def kill_when_working(child: subprocess.Popen[str]) -> None:
    with child:
        try:
            assert child.stdout is not None
            assert child.stderr is not None
            line = child.stdout.readline()
            assert line.strip() == "working", child.stderr.read()
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_killed_export_leaves_no_zip_and_no_litter(tmp_path: Path) -> None:
    child, out_dir, target = run_child(tmp_path, 40 << 20)
    kill_when_working(child)
    assert not target.exists()
    assert list(out_dir.iterdir()) == []  # the half-written zip never had a name


def test_an_export_killed_while_preparing_leaves_the_library_as_it_was(tmp_path: Path) -> None:
    import numpy as np

    media = MediaStore(tmp_path / "media")
    noise = np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    shot = media.put_bytes(png_bytes(noise), "png")
    steps = [{"position": n, "title": f"Step {n}", "screenshot": shot} for n in range(1, 20)]
    # No video: progress then comes only from steps painted into the PDF, so the kill lands
    # while the checklist is half-written.
    child, out_dir, target = run_child(tmp_path, 0, "Preparing screenshots and checklist", steps)
    kill_when_working(child)
    assert list(out_dir.iterdir()) == []
    assert media.prepared_indexes() == []  # nothing indexed as prepared
    stored = {media.path(key) for key in media.keys()}
    for key in media.keys():
        media.verify(key)  # whatever got a media key is whole (cleanup collects what is unused)
    litter = [p for p in media.root.rglob("*") if p.is_file() and p.suffix != ".lock"]
    assert set(litter) == stored  # no scratch or half-written file left in the library


def test_the_same_export_left_alone_finishes(tmp_path: Path) -> None:
    child, out_dir, target = run_child(tmp_path, 1 << 20)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    assert stdout.strip().endswith("finished")
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert "video/walkthrough.mp4" in archive.namelist()
    assert [p.name for p in out_dir.iterdir()] == ["month-end.zip"]


def test_two_processes_write_the_same_bytes(tmp_path: Path) -> None:
    """Reproducible across runs, not just within one: hash seeds and clocks differ."""
    import cv2
    import numpy as np

    media = MediaStore(tmp_path / "media")
    image = np.zeros((300, 400, 3), np.uint8)
    cv2.putText(image, "Ledger", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    key = media.put_bytes(png_bytes(image), "png")
    marks = [
        {"kind": "text", "x": 10, "y": 10, "text": "Click here"},
        {"kind": "marker", "x": 200, "y": 200, "n": 2},
    ]
    snapshot = {
        "process_id": 4,
        "title": "Month-end close",
        "summary": "Ünïcode ✓",
        "version": 3,
        "recording": media.put_bytes(fake_mp4(1000), "mp4"),
        "steps": [
            {
                "position": 1,
                "title": "Open the ledger",
                "instruction": "Bold **and** long " * 40,
                "caution": "Careful",
                "screenshot": key,
                "annotations": marks,
                "redactions": [{"x": 5, "y": 250, "w": 100, "h": 30}],
                "video_time": 0.0,
            },
            {"position": 2, "title": "Close it", "screenshot": key, "click": [30, 40]},
        ],
    }
    outputs = []
    for run in range(2):
        target = tmp_path / f"run{run}.zip"
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(media.root), json.dumps(snapshot), str(target), "-"],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", TZ=("UTC", "Asia/Kolkata")[run]),
        )
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
