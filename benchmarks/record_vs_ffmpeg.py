"""Baton's screen recorder against ``ffmpeg -f x11grab`` on the same Xvfb screen.

Starts its own 1920x1080 Xvfb, keeps it busy with a scrolling-terminal animation and a
moving window, records it with Baton (ultrafast, crf 23, 30 fps) and then with ffmpeg
(same preset and crf), and prints one JSON document: CPU seconds, peak and sampled RSS,
file sizes, dropped frames, durations and the ratios. It then records calm content (a
static page with a ticking clock) with Baton's Balanced preset to report MB per minute.

    .venv/bin/python benchmarks/record_vs_ffmpeg.py [--seconds 60] [--out DIR]

The machine is shared: run it when it is quiet, and compare only numbers from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import xvfb

WIDTH, HEIGHT, FPS = 1920, 1080, 30
# The animation runs a little slower than capture so each grab sees at most one scroll
# step; at exactly 30 Hz the phase between the two clocks decides whether a frame moved
# one line or two, and file sizes swing 2-4x from run to run for both tools.
ANIMATION_HZ = 24
ROOT = Path(__file__).resolve().parent.parent


# -- the screen content (runs as a child process: --animate busy|calm) ------------------

def animate(mode: str, hz: int = ANIMATION_HZ) -> None:
    """Draw until killed: ``busy`` scrolls text every frame and moves a window; ``calm``
    shows a static page whose clock changes once a second."""
    from Xlib import X, display

    screen_display: Any = display.Display()
    screen = screen_display.screen()
    root = screen.root
    window = root.create_window(0, 0, WIDTH, HEIGHT, 0, screen.root_depth, X.InputOutput,
                                X.CopyFromParent, background_pixel=screen.black_pixel,
                                override_redirect=True)
    window.map()
    text = window.create_gc(foreground=0x33DD55, background=0x101010)
    box = window.create_gc(foreground=0x3366CC)
    blank = window.create_gc(foreground=0x101010)
    rng = random.Random(7)
    words = ["build", "test", "ok", "error:", "GET", "/api/v1/orders", "200", "ms", "INFO",
             "deploy", "commit", "a3f9e1", "warning", "retry", "user=42", "queue", "done"]
    line_height = 14

    def line() -> str:
        return " ".join(rng.choice(words) for _ in range(40))[:250]

    window.fill_rectangle(blank, 0, 0, WIDTH, HEIGHT)
    for row in range(HEIGHT // line_height):
        window.image_text(text, 4, (row + 1) * line_height - 3, line())
    screen_display.sync()
    frame = 0
    started = time.monotonic()
    x, y, dx, dy = 200, 150, 9, 6
    while True:
        if mode == "busy":
            window.copy_area(text, window, 0, line_height, WIDTH, HEIGHT - line_height, 0, 0)
            window.fill_rectangle(blank, 0, HEIGHT - line_height, WIDTH, line_height)
            window.image_text(text, 4, HEIGHT - 3, line())
            x, y = x + dx, y + dy
            if not 0 < x < WIDTH - 520:
                dx = -dx
            if not 0 < y < HEIGHT - 360:
                dy = -dy
            window.fill_rectangle(box, x, y, 500, 340)
            window.image_text(text, x + 20, y + 40, f"frame {frame}")
        elif frame % hz == 0:
            window.fill_rectangle(blank, WIDTH - 300, 10, 280, 20)
            window.image_text(text, WIDTH - 290, 25, time.strftime("%H:%M:%S"))
        screen_display.sync()
        frame += 1
        delay = started + frame / hz - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:  # fell behind (the recorder starting up): never catch up in a burst
            started -= delay


# -- measuring ----------------------------------------------------------------------------

def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """A WIDTHxHEIGHT Xvfb with RECORD (the same server the tests use)."""
    server, display = xvfb.start_xvfb(WIDTH, HEIGHT)
    return server, display.name


def run_measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command``; return its CPU seconds, peak RSS and RSS samples (MB) over time."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    samples: list[float] = []
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        try:
            status_text = Path(f"/proc/{process.pid}/status").read_text()
            rss_kb = next(int(line.split()[1]) for line in status_text.splitlines()
                          if line.startswith("VmRSS:"))
            samples.append(round(rss_kb / 1024, 1))
        except (OSError, StopIteration):
            pass
        time.sleep(1.0)
    wall = time.monotonic() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{command[0]} failed ({code}): {stderr[-2000:]}")
    quarter = samples[len(samples) // 4] if samples else 0.0
    return {
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rss_mb_at_25pct": quarter,
        "rss_mb_at_end": samples[-1] if samples else 0.0,
        "wall_seconds": round(wall, 2),
        "stdout": stdout,
    }


def probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=codec_name,width,height,nb_read_packets:format=duration",
         "-of", "json", str(path)], capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    stream = data["streams"][0]
    return {
        "codec": stream["codec_name"],
        "size": f"{stream['width']}x{stream['height']}",
        "frames": int(stream["nb_read_packets"]),
        "duration": round(float(data["format"]["duration"]), 3),
        "size_mb": round(path.stat().st_size / 1e6, 2),
    }


def record_baton(out: Path, seconds: float, env: dict[str, str], *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "baton.capture.recording.recorder_main", str(out), "--seconds",
               str(seconds), "--fps", str(FPS), "--monitor", "1", "--no-input", *extra]
    measured = run_measured(command, env)
    stats = json.loads(measured.pop("stdout"))
    return {**measured, **probe(out), "dropped_frames": stats["frames_dropped"],
            "unchanged_frames_not_encoded": stats["frames_unchanged"],
            "recorded_seconds": stats["duration"]}


def record_ffmpeg(out: Path, seconds: float, display: str, env: dict[str, str]) -> dict[str, Any]:
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "x11grab",
               "-framerate", str(FPS), "-video_size", f"{WIDTH}x{HEIGHT}", "-i", display,
               "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23",
               "-pix_fmt", "yuv420p", str(out)]
    measured = run_measured(command, env)
    measured.pop("stdout")
    info = probe(out)
    expected = round(seconds * FPS)
    return {**measured, **info, "dropped_frames": max(0, expected - info["frames"])}


def with_animation(mode: str, hz: int, env: dict[str, str], work: Any) -> Any:
    helper = subprocess.Popen([sys.executable, __file__, "--animate", mode, "--busy-hz",
                               str(hz)], env=env)
    try:
        time.sleep(1.5)  # let it draw the first page
        if helper.poll() is not None:
            raise SystemExit("the screen animation did not start")
        return work()
    finally:
        helper.terminate()
        helper.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=None, help="keep the videos here")
    parser.add_argument("--busy-hz", type=int, default=ANIMATION_HZ,
                        help="scroll steps per second on the busy screen (30: every frame "
                             "changes, so Baton cannot skip any)")
    parser.add_argument("--animate", choices=("busy", "calm"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.animate:
        animate(args.animate, args.busy_hz)
        return
    for tool in ("Xvfb", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="baton-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    server, display = start_xvfb()
    env = dict(os.environ, DISPLAY=display, PYTHONPATH=str(ROOT / "src"))
    env.pop("QT_QPA_PLATFORM", None)
    seconds = args.seconds
    try:
        baton, ffmpeg = with_animation("busy", args.busy_hz, env, lambda: (
            record_baton(out_dir / "baton-busy.mp4", seconds, env, "--x264-preset",
                         "ultrafast", "--crf", "23"),
            record_ffmpeg(out_dir / "ffmpeg-busy.mp4", seconds, display, env),
        ))
        calm, calm_ffmpeg = with_animation("calm", args.busy_hz, env, lambda: (
            record_baton(out_dir / "baton-calm-balanced.mp4", seconds, env,
                         "--quality", "balanced"),
            record_ffmpeg(out_dir / "ffmpeg-calm.mp4", seconds, display, env),
        ))
    finally:
        server.terminate()
        server.wait(10)
    minutes = seconds / 60
    report = {
        "benchmark": "record_vs_ffmpeg",
        "screen": f"{WIDTH}x{HEIGHT}@{FPS} Xvfb",
        "busy_scroll_hz": args.busy_hz,
        "seconds": seconds,
        "cpu_count": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "busy": {"baton_ultrafast_crf23": baton, "ffmpeg_ultrafast_crf23": ffmpeg},
        "calm": {"baton_balanced": calm, "ffmpeg_ultrafast_crf23": calm_ffmpeg},
        "ratios": {
            "busy_cpu_baton_over_ffmpeg": round(baton["cpu_seconds"] / ffmpeg["cpu_seconds"], 3),
            "busy_size_baton_over_ffmpeg": round(baton["size_mb"] / ffmpeg["size_mb"], 3),
            "busy_peak_rss_baton_over_ffmpeg": round(
                baton["peak_rss_mb"] / ffmpeg["peak_rss_mb"], 3),
            "calm_cpu_baton_balanced_over_ffmpeg": round(
                calm["cpu_seconds"] / calm_ffmpeg["cpu_seconds"], 3),
        },
        "targets": {
            "busy_dropped_frames": baton["dropped_frames"],
            "busy_duration_error_frames": round(abs(baton["duration"] - seconds) * FPS, 2),
            "busy_cpu_ratio_at_most_0.8": baton["cpu_seconds"] <= 0.8 * ffmpeg["cpu_seconds"],
            "peak_rss_under_250mb": baton["peak_rss_mb"] < 250,
            "busy_size_ratio_at_most_1.1": baton["size_mb"] <= 1.1 * ffmpeg["size_mb"],
            "calm_balanced_mb_per_minute": round(calm["size_mb"] / minutes, 2),
            "calm_balanced_at_most_15_mb_per_minute": calm["size_mb"] / minutes <= 15,
        },
        "children_rusage_note": "CPU = user+sys of each recorder process from os.wait4",
        "output_dir": str(out_dir),
        "self_cpu_seconds": round(resource.getrusage(resource.RUSAGE_SELF).ru_utime, 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
