"""Handoff package export and verify against ``cp`` and ``sha256sum`` of the same files.

Builds (once, cached in ``benchmarks/out/export-cache/``) 50 step screenshots at 1920x1080
and a 10-minute 1080p H.264 recording, puts them in a fresh library as one process (every
fifth step with redaction boxes) and freezes version 1. Then it times, side by side:

* the first export of that version, which prepares it (burns the redactions in, paints
  the PDF, reads every byte once to check it and to find the zip's CRC-32s);
* every later export (to the next assistant, or again; and what the app's send dialog
  leaves to do, since it prepares while the owner fills it in) against ``cp`` of the
  package's media files, and against ``cp`` followed by ``sync`` of the copies (an export
  is on disk when it returns: it fsyncs before the zip gets its name);
* ``verify_package`` of the zip against ``sha256sum`` of the unpacked files;
* peak RSS of a child that exports, against one that only starts up, and of a first export
  with a 30-second video against one with the 10-minute video (memory must stay flat).

Prints one JSON document with the timings and ratios (targets: export within 2x ``cp``,
verify within 2x ``sha256sum``).

    .venv/bin/python benchmarks/export.py [--repeat 5] [--minutes 10]

The machine is shared: run it when it is quiet, and compare only numbers from one run.
The later exports and ``cp`` both run with the media in the page cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CACHE = OUT / "export-cache"
WIDTH, HEIGHT, FPS, STEPS = 1920, 1080, 30, 50


def screen(seed: int) -> Any:
    """A desktop-like 1080p frame: window chrome, a sidebar, rows of text, a chart."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    image = np.full((HEIGHT, WIDTH, 3), 245, np.uint8)
    cv2.rectangle(image, (0, 0), (WIDTH, 40), (60, 60, 60), -1)
    cv2.rectangle(image, (0, 40), (300, HEIGHT), (230, 225, 220), -1)
    for row in range(40):
        y = 80 + row * 24
        words = " ".join(f"{rng.integers(10000, 99999)}" for _ in range(int(rng.integers(3, 14))))
        cv2.putText(
            image,
            f"Invoice {seed}-{row}  {words}",
            (330, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (40, 40, 40),
            1,
            cv2.LINE_AA,
        )
        cv2.putText(
            image,
            f"Menu {row}",
            (20, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (80, 80, 80),
            1,
            cv2.LINE_AA,
        )
    points = np.cumsum(rng.integers(-8, 9, 60)) + 900
    for x in range(59):
        cv2.line(
            image,
            (1300 + x * 10, int(points[x])),
            (1310 + x * 10, int(points[x + 1])),
            (200, 90, 30),
            2,
            cv2.LINE_AA,
        )
    return image


def make_media(minutes: float) -> tuple[list[Path], Path]:
    """The 50 screenshots and the recording (made once, then reused)."""
    import av
    import cv2
    import numpy as np

    CACHE.mkdir(parents=True, exist_ok=True)
    shots = []
    for index in range(STEPS):
        path = CACHE / f"step-{index:03d}.png"
        if not path.exists():
            cv2.imwrite(str(path), screen(index))
        shots.append(path)
    video = CACHE / f"recording-{minutes:g}min.mp4"
    if video.exists():
        return shots, video
    partial = video.with_suffix(".partial.mp4")
    base = np.vstack([screen(100), screen(101)])  # twice as tall: scrolled through
    frames = int(minutes * 60 * FPS)
    print(f"making a {minutes:g}-minute 1080p recording once ({frames} frames)...", file=sys.stderr)
    with av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream: Any = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = Fraction(1, FPS)
        stream.options = {"preset": "ultrafast", "crf": "23", "g": str(FPS * 2)}
        for index in range(frames):
            offset = (index * 2) % HEIGHT  # a slow scroll, like reading down a page
            frame = base[offset : offset + HEIGHT].copy()
            x, y = 400 + (index * 7) % 1200, 300 + (index * 3) % 500
            cv2.circle(frame, (x, y), 12, (0, 0, 255), 3)  # the pointer moving about
            yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)
            picture = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            picture.pts = index
            out.mux(stream.encode(picture))
        out.mux(stream.encode(None))
    partial.replace(video)
    return shots, video


def make_library(folder: Path, shots: list[Path], video: Path) -> None:
    """A fresh library in ``folder`` with one process: 50 steps and the recording."""
    from baton.core.db import open_database, sqlite_url
    from baton.core.library import Library, ProcessDraft
    from baton.core.media import MediaStore
    from baton.core.models import Process, Recording, RecordingState, Step

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    database = open_database(sqlite_url(folder / "baton.db"))
    media = MediaStore(folder / "media")
    library = Library(database.sessions)
    row = library.add_process(ProcessDraft(title="Month-end close"))
    with database.sessions.begin() as session:
        for index, path in enumerate(shots):
            boxes = [{"x": 330, "y": 60, "w": 600, "h": 60}] if index % 5 == 0 else []
            session.add(
                Step(
                    process_id=row.id,
                    position=index + 1,
                    title=f"Step {index + 1}",
                    instruction="Open the ledger and check the totals.\nThen save.",
                    screenshot=media.put_file(path),
                    click_x=500,
                    click_y=300,
                    video_time=index * 10.0,
                    redactions=boxes,
                    annotations=[],
                )
            )
        recording = Recording(
            media=media.put_file(video),
            duration=0.0,
            size=0,
            fps=FPS,
            width=WIDTH,
            height=HEIGHT,
            has_audio=False,
            state=RecordingState.COMPLETE,
            created_at=datetime(2026, 1, 1),
        )
        session.add(recording)
        session.flush()
        process = session.get(Process, row.id)
        assert process is not None
        process.recording_id = recording.id
    library.freeze_version(row.id)
    database.close()


def child(action: str, folder: Path, target: Path) -> None:
    """Run in a child process: start up (``idle``) or export, then report time and RSS."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from baton.core.db import open_database, sqlite_url
    from baton.core.library import Library
    from baton.core.media import MediaStore
    from baton.handoff.package import build_package

    app = QGuiApplication([])
    database = open_database(sqlite_url(folder / "baton.db"))
    library = Library(database.sessions)
    version = library.versions(library.list_processes()[0].id)[-1]
    seconds, cpu = 0.0, 0.0
    if action == "export":
        start, cpu_start = time.perf_counter(), time.process_time()
        build_package(version, MediaStore(folder / "media"), target, handoff_id=1, assistant="Ana",
                      receipt_key="0" * 64)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    database.close()
    del app
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": round(peak, 1)}))


def run_child(action: str, folder: Path, target: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", action, str(folder), str(target)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def package_media(library: Path, package: Path) -> list[Path]:
    """The media-store files an export copied into ``package`` (what ``cp`` copies)."""
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    wanted = {item["sha256"] for item in manifest["files"]}
    return sorted(
        p
        for p in (library / "media").rglob("*")
        if p.is_file() and p.name.split(".", 1)[0] in wanted
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--child", nargs=3, metavar=("ACTION", "LIBRARY", "TARGET"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    sys.path.insert(0, str(ROOT / "src"))
    from baton.handoff.validation import verify_package

    shots, video = make_media(args.minutes)
    work = OUT / "export-run"
    folder = work / "library"
    make_library(folder, shots, video)
    copies, target = work / "cp", work / "package.zip"
    first = run_child("export", folder, target)  # prepares version 1
    media_files = package_media(folder, target)
    exports, cpus, cps, syncs, verifies, sums = [], [], [], [], [], []
    rss = 0.0
    for round_number in range(args.repeat + 1):  # round 0 warms the page cache, not counted
        shutil.rmtree(copies, ignore_errors=True)
        copies.mkdir(parents=True)
        target.unlink(missing_ok=True)
        cp_seconds = timed(["cp", *map(str, media_files), str(copies)])
        sync_seconds = timed(["sync", *map(str, copies.iterdir())])
        export = run_child("export", folder, target)
        unpacked = work / "unpacked"
        shutil.rmtree(unpacked, ignore_errors=True)
        with zipfile.ZipFile(target) as archive:
            archive.extractall(unpacked)
        files = sorted(str(p) for p in unpacked.rglob("*") if p.is_file())
        sum_seconds = timed(["sha256sum", *files])
        start = time.perf_counter()
        verify_package(target)
        verify_seconds = time.perf_counter() - start
        if round_number:
            cps.append(cp_seconds)
            syncs.append(cp_seconds + sync_seconds)
            exports.append(export["seconds"])
            cpus.append(export["cpu_seconds"])
            sums.append(sum_seconds)
            verifies.append(verify_seconds)
            rss = max(rss, export["peak_rss_mb"])
    idle = run_child("idle", folder, target)
    # Memory must not grow with the video: a first export with a 30-second video.
    short_shots, short_video = make_media(0.5)
    make_library(work / "library-short", short_shots, short_video)
    short = run_child("export", work / "library-short", work / "short.zip")
    package_mb = target.stat().st_size / 1e6
    shutil.rmtree(work)  # about 1 GB of copies; the generated media stay in the cache
    export_s, cp_s = statistics.median(exports), statistics.median(cps)
    cp_sync_s = statistics.median(syncs)
    verify_s, sum_s = statistics.median(verifies), statistics.median(sums)
    print(
        json.dumps(
            {
                "screenshots": STEPS,
                "screenshot_size": f"{WIDTH}x{HEIGHT}",
                "redacted_screenshots": STEPS // 5,
                "video_minutes": args.minutes,
                "video_mb": round(video.stat().st_size / 1e6, 1),
                "package_mb": round(package_mb, 1),
                "repeats": args.repeat,
                "export_seconds": round(export_s, 3),
                "cp_seconds": round(cp_s, 3),
                "export_vs_cp": round(export_s / cp_s, 2),
                "cp_then_sync_seconds": round(cp_sync_s, 3),
                "export_vs_cp_then_sync": round(export_s / cp_sync_s, 2),
                "export_cpu_seconds": round(statistics.median(cpus), 3),
                "first_export_seconds": round(first["seconds"], 3),
                "first_export_vs_cp": round(first["seconds"] / cp_s, 2),
                "first_export_cpu_seconds": round(first["cpu_seconds"], 3),
                "verify_seconds": round(verify_s, 3),
                "sha256sum_seconds": round(sum_s, 3),
                "verify_vs_sha256sum": round(verify_s / sum_s, 2),
                "startup_peak_rss_mb": idle["peak_rss_mb"],
                "export_peak_rss_mb": rss,
                "export_extra_rss_mb": round(rss - idle["peak_rss_mb"], 1),
                "first_export_peak_rss_mb": first["peak_rss_mb"],
                "first_export_peak_rss_mb_with_30s_video": short["peak_rss_mb"],
                # Flat: the 10-minute video costs no more memory than a 30-second one.
                "memory_flat": first["peak_rss_mb"] <= short["peak_rss_mb"] * 1.1,
                "targets_met": export_s <= 2 * cp_s
                and verify_s <= 2 * sum_s
                and first["peak_rss_mb"] <= short["peak_rss_mb"] * 1.1,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
