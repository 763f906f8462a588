"""Preparing a version's video (redactions burned in, chapter keyframes, colour tags) for a
10-minute 1080p take, against ffmpeg doing the same job; then seeking to each chapter in
Chromium, in the prepared video and in the recording as it was.

    .venv/bin/python benchmarks/video_prepare.py [--minutes 10] [--no-browser]

The take is made once with Baton's own encoder (Balanced: ultrafast, crf 26, 30 fps,
keyframes every 10 s of recording time) and cached in ``benchmarks/out/video-cache``. Like
a real recording it has frames only when the screen changes: every 30 s, 6 s of scrolling
(every frame new), 10 s of typing (a character every 0.2 s) and 14 s of stillness (a frame
every half second). 20 steps fall in the typing, away from the recording's keyframes.
Boxes: a token in a corner over the whole take, a panel over 20 s of scrolling, and a step's
box over 60 s.

Baton prepares the version in a child process (time, CPU and peak RSS from ``os.wait4``;
RSS is also sampled as it goes, to show whether it grows). The reference is ffmpeg
re-encoding the whole take with the same boxes (``drawbox``), keyframes at the chapters
(``-force_key_frames``) and the same x264 settings, also as a child process. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "out" / "video-cache"
WIDTH, HEIGHT, FPS = 1920, 1080, 30
CYCLE, SCROLL, TYPING = 30, 6, 10  # seconds
BOXES = [  # x, y, w, h, start, end (None: to the end)
    (1500, 20, 360, 40, 0.0, None),
    (200, 300, 700, 400, 60.0, 80.0),
    (1000, 600, 500, 120, 120.0, 180.0),
]


def chapters(minutes: float) -> list[float]:
    """A step in each typing stretch, 6.5-9.2 s after the recording's keyframe at the
    cycle's start: the whole scroll burst lies between (what seeking there must decode)."""
    return [round(k * CYCLE + 6.5 + (k % 4) * 0.9, 3) for k in range(int(minutes * 60 / CYCLE))]


def make_take(minutes: float) -> Path:
    """The take (made once): Baton's encoder, frames only when the screen changes."""
    import cv2
    import numpy as np

    from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
    from baton.capture.recording.video_settings import VideoSettings

    CACHE.mkdir(parents=True, exist_ok=True)
    take = CACHE / f"take-{minutes:g}min.mp4"
    if take.exists():
        return take
    page = np.full((HEIGHT * 2, WIDTH, 3), 245, np.uint8)
    for line in range(HEIGHT * 2 // 28):
        words = " ".join(f"item-{(line * 7 + k) % 997:03d}" for k in range(12))
        cv2.putText(page, words, (40, 26 + line * 28), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (30, 30, 30), 1, cv2.LINE_AA)
    cv2.rectangle(page, (0, 0), (WIDTH, 60), (120, 70, 20), -1)
    partial = take.with_suffix(".recording.mp4")
    writer = FragmentedWriter(partial, VideoSettings.for_quality(WIDTH, HEIGHT, FPS,
                                                                 "balanced"))
    ticks = int(minutes * 60 * FPS)
    scroll, typed, written = 0, 0, 0
    print(f"making a {minutes:g}-minute 1080p take once...", file=sys.stderr)
    for tick in range(ticks):
        second = (tick / FPS) % CYCLE
        changed = True
        if second < SCROLL:
            scroll = (scroll + 3) % HEIGHT
        elif second < SCROLL + TYPING and tick % (FPS // 5) == 0:
            typed += 1
        else:
            changed = False
        if not changed and tick % (FPS // 2):
            continue  # nothing changed: the recorder writes a frame every half second
        frame = page[scroll:scroll + HEIGHT].copy()
        cv2.putText(frame, "x" * (typed % 80), (40, HEIGHT - 60), cv2.FONT_HERSHEY_SIMPLEX,
                    0.9, (0, 0, 160), 2)
        cv2.putText(frame, f"token {tick // (FPS * 60):04d}-SECRET", (1510, 50),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2)
        writer.write_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA), tick)
        written += 1
    writer.close()
    remux_faststart(partial, take)
    partial.unlink()
    print(f"{written} frames written of {ticks}", file=sys.stderr)
    return take


CHILD = r"""
import json, sys, time
from pathlib import Path
from baton.handoff.video_plan import TimedBox
from baton.handoff.video_redaction import make_package_video

def rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
boxes, chapters = json.loads(sys.argv[3]), json.loads(sys.argv[4])
samples, marks = [], [0.1 * k for k in range(1, 10)]
def progress(fraction):
    while marks and fraction >= marks[0]:
        samples.append([round(marks.pop(0), 1), rss()])
started = time.monotonic()
made = make_package_video(src, dst, [TimedBox(*b) for b in boxes], chapters, progress=progress)
print(json.dumps({"seconds": time.monotonic() - started, "rss_mb_by_progress": samples,
                  "copied_frames": made.copied_frames,
                  "reencoded_frames": made.reencoded_frames, "stitched": made.stitched}))
"""


def run_measured(command: list[str],
                 env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None
    assert child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command[0]} failed: {err.decode()[-2000:]}")
    return {
        "wall_seconds": round(time.monotonic() - started, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }, out.decode()


def ffmpeg_reference(take: Path, out: Path, marks: list[float]) -> dict[str, Any]:
    draws = []
    for x, y, w, h, start, end in BOXES:
        until = f"lt(t,{end})" if end is not None else "1"
        draws.append(f"drawbox=x={x}:y={y}:w={w}:h={h}:color=black:t=fill"
                     f":enable='gte(t,{start})*{until}'")
    keys = ",".join(f"{t:.3f}" for t in marks)
    # passthrough: the same frames as the take (no duplicates to fill a constant rate).
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(take), "-fps_mode", "passthrough",
               "-vf", ",".join(draws),
               "-force_key_frames", keys, "-c:v", "libx264", "-preset", "ultrafast",
               "-crf", "26", "-x264-params", "bframes=0:keyint=300", "-threads", "2",
               "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "smpte170m",
               "-c:a", "copy", "-movflags", "+faststart", str(out)]
    measured, _ = run_measured(command)
    return measured


def seek_times(folder: Path, videos: dict[str, Path], marks: list[float]) -> dict[str, Any]:
    """Milliseconds from asking to seek to the picture ready, per chapter, in Chromium, with
    the whole video loaded first (so what is measured is finding and decoding the frame)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import browsers  # the tests' harness: Chromium over HTTP, with byte ranges

    results: dict[str, Any] = {}
    for name, video in videos.items():
        page = folder / f"{name}.html"
        # The whole file is fetched into a blob first: Chromium buffers only a little ahead,
        # and what is measured should be finding and decoding the frame, not fetching it.
        page.write_text('<!doctype html><video muted></video><script>fetch("' + video.name +
                        '").then(r => r.blob()).then(b => { document.querySelector("video")'
                        '.src = URL.createObjectURL(b); });</script>')
        with browsers.serve(folder) as base, browsers.launch("chromium") as chromium:
            chromium.open(base + page.name)
            chromium.wait_loaded()
            chromium.probe(1.0, False, [(10, 10)])  # warm up the decoder
            times = []
            for moment in marks:
                times.append(round(chromium.probe(moment, False, [(10, 10)])["ms"], 1))
        ordered = sorted(times)
        results[name] = {"per_chapter_ms": times, "median_ms": ordered[len(ordered) // 2],
                         "max_ms": ordered[-1]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium seeks")
    args = parser.parse_args()
    take = make_take(args.minutes)
    marks = chapters(args.minutes)
    boxes = [[x, y, w, h, start, end] for x, y, w, h, start, end in BOXES]
    with tempfile.TemporaryDirectory(prefix="baton-video-bench-", dir=CACHE) as scratch:
        folder = Path(scratch)
        prepared = folder / "prepared.mp4"
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        baton, out = run_measured([sys.executable, "-c", CHILD, str(take), str(prepared),
                                   json.dumps(boxes), json.dumps(marks)], env)
        baton.update(json.loads(out))
        # The same without the box over the whole take: only the stretches from each cut to
        # the next keyframe are re-encoded.
        partial, out = run_measured([sys.executable, "-c", CHILD, str(take),
                                     str(folder / "stretches.mp4"), json.dumps(boxes[1:]),
                                     json.dumps(marks)], env)
        partial.update(json.loads(out))
        reference = ffmpeg_reference(take, folder / "ffmpeg.mp4", marks)
        document: dict[str, Any] = {
            "take": {"minutes": args.minutes, "size": f"{WIDTH}x{HEIGHT}", "fps": FPS,
                     "bytes": take.stat().st_size, "chapters": len(marks), "boxes": len(BOXES)},
            "baton_prepare": baton,
            "baton_prepare_without_the_whole_take_box": partial,
            "ffmpeg_reencode_with_drawbox": reference,
            "ratio_wall_baton_to_ffmpeg": round(baton["wall_seconds"]
                                                / reference["wall_seconds"], 2),
            "ratio_cpu_baton_to_ffmpeg": round(baton["cpu_seconds"]
                                               / reference["cpu_seconds"], 2),
            "prepared_bytes": prepared.stat().st_size,
            "load_average": os.getloadavg(),
        }
        if not args.no_browser:
            shutil.copy(take, folder / "recording.mp4")
            document["chromium_seek"] = seek_times(
                folder, {"prepared": prepared, "recording_as_it_was": folder / "recording.mp4"},
                marks)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
