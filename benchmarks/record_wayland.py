"""Recording a Wayland desktop: Baton (portal + PipeWire) against ``wf-recorder`` on sway.

Starts the test suite's headless sway at 1920x1080 (tests/helpers/sway.py), keeps it busy
with a terminal printing fast and a second window moved by sway ten times a second, then
records it in turns with Baton's recorder (``recorder_main``: portal, gst-launch-1.0 reading
PipeWire, x264 ultrafast crf 23 at 30 fps) and with ``wf-recorder`` (wlroots screencopy
straight into libx264 ultrafast crf 23; it writes a frame per screen change, no fixed rate).

Prints one JSON document: per run the recorder's CPU seconds (its whole process tree: Baton's
includes gst-launch-1.0), the desktop's own CPU seconds in the same time (sway, and for Baton
also the portal backend and PipeWire, which wf-recorder does not use), frames, drops and
sizes, and the Baton / wf-recorder ratios from the same run.

    .venv/bin/python benchmarks/record_wayland.py [--seconds 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers.sway import WaylandDesktop

sys.path.insert(0, str(Path(__file__).resolve().parent))
from video_quality import probe

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT, FPS = 1920, 1080, 30
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def desktop_pids(desktop: WaylandDesktop, names: tuple[str, ...]) -> list[int]:
    return [process.pid for name, process in desktop.processes() if name in names]


def measured(command: list[str], env: dict[str, str], desktop: WaylandDesktop,
             helpers: tuple[str, ...], seconds: float | None) -> dict[str, Any]:
    """Run ``command`` (interrupted after ``seconds`` if given); CPU of it and the desktop."""
    pids = desktop_pids(desktop, helpers)
    before = cpu_of(pids)
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if seconds is not None:
        time.sleep(seconds)
        process.send_signal(signal.SIGINT)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, -signal.SIGINT):
        raise SystemExit(f"{command[0]} failed: {stderr[-2000:]}")
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "desktop_cpu_seconds": round(cpu_of(pids) - before, 2),
            "desktop_processes": list(helpers), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "wall_seconds": round(wall, 2), "stdout": stdout}


def record_baton(desktop: WaylandDesktop, out: Path, seconds: float) -> dict[str, Any]:
    env = desktop.env()
    env["PYTHONPATH"] = str(ROOT / "src")
    run = measured([sys.executable, "-m", "baton.capture.recording.recorder_main", str(out),
                    "--seconds", str(seconds), "--fps", str(FPS), "--no-input",
                    "--x264-preset", "ultrafast", "--crf", "23"], env, desktop,
                   ("sway", "xdg-desktop-portal-wlr", "pipewire", "wireplumber"), None)
    stats = json.loads(run.pop("stdout"))
    return {**run, **probe(out), "dropped_frames": stats["frames_dropped"],
            "unchanged_frames_not_encoded": stats["frames_unchanged"]}


def record_wf(desktop: WaylandDesktop, out: Path, seconds: float) -> dict[str, Any]:
    run = measured(["wf-recorder", "-o", "HEADLESS-1", "-c", "libx264", "-p", "preset=ultrafast",
                    "-p", "crf=23", "-x", "yuv420p", "-f", str(out)], desktop.env(), desktop,
                   ("sway",), seconds)
    run.pop("stdout")
    return {**run, **probe(out)}


def keep_busy(desktop: WaylandDesktop, stop: threading.Event) -> None:
    desktop.swaymsg('[app_id="bench-text"]', "resize", "set", "1400", "900")
    desktop.swaymsg('[app_id="bench-text"]', "move", "position", "0", "0")
    desktop.swaymsg('[app_id="bench-box"]', "resize", "set", "400", "300")
    step = 0
    while not stop.wait(0.1):
        step += 1
        desktop.swaymsg('[app_id="bench-box"]', "move", "position", str((step * 37) % 1500),
                        str(200 + (step * 23) % 700), check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    desktop = WaylandDesktop(WIDTH, HEIGHT).start()
    work = Path(tempfile.mkdtemp(prefix="baton-bench-wl-"))
    stop = threading.Event()
    runs: dict[str, list[dict[str, Any]]] = {"baton": [], "wf-recorder": []}
    try:
        desktop.start_client(["foot", "--app-id", "bench-text", "sh", "-c",
                              "while :; do date +%s.%N; ls -l /usr/bin | head -c 3000; "
                              "sleep 0.03; done"], "bench-text")
        desktop.start_client(["foot", "--app-id", "bench-box", "sh", "-c", "sleep 100000"],
                             "bench-box")
        mover = threading.Thread(target=keep_busy, args=(desktop, stop), daemon=True)
        mover.start()
        time.sleep(1)
        for index in range(args.rounds):  # alternating, so both see the same machine load
            runs["baton"].append(record_baton(desktop, work / f"baton{index}.mp4", args.seconds))
            runs["wf-recorder"].append(record_wf(desktop, work / f"wf{index}.mp4", args.seconds))
    finally:
        stop.set()
        desktop.stop()

    def mean(tool: str, key: str) -> float:
        return sum(float(run[key]) for run in runs[tool]) / len(runs[tool])

    baton_cpu, wf_cpu = mean("baton", "cpu_seconds"), mean("wf-recorder", "cpu_seconds")
    baton_all = baton_cpu + mean("baton", "desktop_cpu_seconds")
    wf_all = wf_cpu + mean("wf-recorder", "desktop_cpu_seconds")
    print(json.dumps({
        "content": f"{WIDTH}x{HEIGHT} sway (pixman), fast-printing terminal + window moved "
                   "10x/s",
        "seconds_per_run": args.seconds, "rounds": args.rounds, "fps": FPS, "runs": runs,
        "baton_cpu_per_second": round(baton_cpu / args.seconds, 3),
        "wf_recorder_cpu_per_second": round(wf_cpu / args.seconds, 3),
        "baton_over_wf_recorder_cpu": round(baton_cpu / wf_cpu, 2),
        "baton_over_wf_recorder_cpu_with_desktop": round(baton_all / wf_all, 2),
        "baton_dropped_frames": [run["dropped_frames"] for run in runs["baton"]],
        "note": "wf-recorder writes a frame per screen change (variable rate); Baton a constant "
                "30 fps. Desktop CPU is sway (+ portal backend, PipeWire, WirePlumber for Baton) "
                "in the same interval.",
    }, indent=2))


if __name__ == "__main__":
    main()
