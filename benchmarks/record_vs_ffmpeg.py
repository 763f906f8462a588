"""Baton's screen recorder against ``ffmpeg -f x11grab`` on the same Xvfb screen.

Starts its own 1920x1080 Xvfb and, for each content (``screen_contents``: the animation, a
scrolling xterm, a Chromium page with some motion, a calm page), records ``--seconds`` at 30
fps with Baton's Balanced preset (``python -m baton.capture.recording.recorder_main``:
ultrafast, crf 26) and with ``ffmpeg -f x11grab ... libx264 -preset ultrafast -crf 26 -g 300``,
one after the other, the order alternating from content to content, the content restarted
for each. Prints one JSON document: per content, CPU seconds (user + sys from ``wait4``),
Baton's CPU per thread (capture: grab + conversion; encode: x264 + muxing; the rest:
start-up, stop, remux), peak RSS, sizes, drops, durations, ratios, and SSIM/PSNR of Baton's
video against ffmpeg's (``video_quality``), with the load average around each pair.

    .venv/bin/python benchmarks/record_vs_ffmpeg.py [--seconds 60] [--contents ...] [--out DIR]

The machine is shared: compare only numbers from one run, and read the load average.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import xvfb
from screen_contents import BUSY, CONTENTS, HEIGHT, WIDTH, showing
from video_quality import compare, probe

FPS = 30
CRF = 26
GOALS = {"busy_cpu_ratio": 0.75, "calm_cpu_ratio": 0.5, "peak_rss_mb": 160}
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def _threads(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each thread of ``pid``: {tid: (name, seconds)}."""
    found: dict[int, tuple[str, float]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def run_measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command``: CPU seconds, peak RSS, RSS over time, CPU per named thread."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    samples: list[float] = []
    peak_kb = 0  # VmHWM: wait4's ru_maxrss would include this process's own size at fork
    threads: dict[int, tuple[str, float]] = {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        threads.update(_threads(process.pid))
        try:
            fields = dict(line.split(":", 1) for line in
                          Path(f"/proc/{process.pid}/status").read_text().splitlines())
            samples.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
            peak_kb = max(peak_kb, int(fields["VmHWM"].split()[0]))
        except (OSError, KeyError, ValueError):
            pass
        time.sleep(0.25)
    wall = time.monotonic() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{command[0]} failed ({code}): {stderr[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    per_thread: dict[str, float] = {}
    for name, seconds in threads.values():
        if name.startswith("baton-"):
            per_thread[name] = round(per_thread.get(name, 0.0) + seconds, 2)
    if per_thread:  # the rest: the main thread (start-up, stop, remux) and helpers
        per_thread["other"] = round(cpu - sum(per_thread.values()), 2)
    return {
        "cpu_seconds": round(cpu, 2),
        "cpu_by_thread": per_thread,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_mb_at_25pct": samples[len(samples) // 4] if samples else 0.0,
        "rss_mb_at_end": samples[-1] if samples else 0.0,
        "wall_seconds": round(wall, 2),
        "stdout": stdout,
    }


def record_baton(out: Path, seconds: float, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "baton.capture.recording.recorder_main", str(out),
               "--seconds", str(seconds), "--fps", str(FPS), "--monitor", "1", "--no-input",
               "--quality", "balanced"]
    measured = run_measured(command, env)
    stats = json.loads(measured.pop("stdout"))
    return {**measured, **probe(out), "dropped_frames": stats["frames_dropped"],
            "dropped_late": stats["dropped_late"],
            "dropped_encoder_busy": stats["dropped_encoder_busy"],
            "worst_delay_ms": stats["worst_delay_ms"],
            "unchanged_frames_not_encoded": stats["frames_unchanged"],
            "recorded_seconds": stats["duration"]}


def record_ffmpeg(out: Path, seconds: float, display: str, env: dict[str, str]) -> dict[str, Any]:
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "x11grab",
               "-framerate", str(FPS), "-video_size", f"{WIDTH}x{HEIGHT}", "-i", display,
               "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(CRF),
               "-g", "300", "-pix_fmt", "yuv420p", str(out)]
    measured = run_measured(command, env)
    measured.pop("stdout")
    measured.pop("cpu_by_thread")
    info = probe(out)
    return {**measured, **info, "dropped_frames": max(0, round(seconds * FPS) - info["packets"])}


def measure_content(content: str, index: int, seconds: float, display: str,
                    env: dict[str, str], out_dir: Path) -> dict[str, Any]:
    """Both recorders on ``content`` (restarted for each), Baton first on even ``index``."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    results: dict[str, Any] = {}
    order = ("baton", "ffmpeg") if index % 2 == 0 else ("ffmpeg", "baton")
    for tool in order:
        out = out_dir / f"{tool}-{content}.mp4"
        with showing(content, env):
            results[tool] = (record_baton(out, seconds, env) if tool == "baton"
                             else record_ffmpeg(out, seconds, display, env))
    baton, ffmpeg = results["baton"], results["ffmpeg"]
    goal = GOALS["busy_cpu_ratio"] if content in BUSY else GOALS["calm_cpu_ratio"]
    ratio = baton["cpu_seconds"] / ffmpeg["cpu_seconds"]
    return {
        "order": list(order),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "baton_balanced": baton,
        "ffmpeg_ultrafast_crf26_g300": ffmpeg,
        "cpu_ratio": round(ratio, 3),
        "cpu_ratio_goal": goal,
        "cpu_ratio_met": ratio <= goal,
        "size_ratio": round(baton["size_mb"] / ffmpeg["size_mb"], 3),
        "peak_rss_ratio": round(baton["peak_rss_mb"] / ffmpeg["peak_rss_mb"], 3),
        "baton_duration_error_frames": round(abs(baton["duration"] - seconds) * FPS, 2),
        "baton_vs_ffmpeg_quality": compare(out_dir / f"baton-{content}.mp4",
                                           out_dir / f"ffmpeg-{content}.mp4", seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--contents", nargs="+", choices=CONTENTS, default=list(CONTENTS))
    parser.add_argument("--out", type=Path, default=None, help="keep the videos here")
    args = parser.parse_args()
    for tool in ("Xvfb", "ffmpeg", "ffprobe", "xterm", "chromium"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="baton-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    server, display = xvfb.start_xvfb(WIDTH, HEIGHT)
    env = dict(display.env(), PYTHONPATH=str(ROOT / "src"))
    try:
        contents = {content: measure_content(content, index, args.seconds, display.name,
                                             env, out_dir)
                    for index, content in enumerate(args.contents)}
    finally:
        server.terminate()
        server.wait(10)
    peak = max(c["baton_balanced"]["peak_rss_mb"] for c in contents.values())
    report = {
        "benchmark": "record_vs_ffmpeg",
        "screen": f"{WIDTH}x{HEIGHT}@{FPS} Xvfb",
        "seconds": args.seconds,
        "cpu_count": os.cpu_count(),
        "contents": contents,
        "summary": {
            "cpu_ratio": {name: c["cpu_ratio"] for name, c in contents.items()},
            "baton_peak_rss_mb": peak,
            "ffmpeg_peak_rss_mb": max(c["ffmpeg_ultrafast_crf26_g300"]["peak_rss_mb"]
                                      for c in contents.values()),
            "peak_rss_goal_met": peak <= GOALS["peak_rss_mb"],
            "baton_dropped_frames": sum(c["baton_balanced"]["dropped_frames"]
                                        for c in contents.values()),
            "ssim_mean": {name: c["baton_vs_ffmpeg_quality"].get("ssim_mean")
                          for name, c in contents.items()},
            "goals": GOALS,
        },
        "output_dir": str(out_dir),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
