"""Time from starting Baton to its window being visible, against a bare PySide6 window.

Usage: python packaging/linux/measure_startup.py [--runs 5] [--baton /usr/bin/baton]

Starts its own Xvfb, launches each program --runs times with a fresh library folder, polls
``xdotool search --onlyvisible`` every 20 ms, and prints one JSON document: the median and
every run per program, and the frozen app's median over the reference's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication(['reference'])\n"
    "window = QWidget()\n"
    "window.setWindowTitle('Reference')\n"
    "window.resize(1100, 700)\n"
    "window.show()\n"
    "app.exec()\n"
)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        return process, ":" + pipe.readline().strip()


def time_to_window(argv: list[str], title: str, env: dict[str, str], timeout: float = 30) -> float:
    started = time.monotonic()
    app = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < timeout:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                                   env=env, capture_output=True, check=False)
            if found.returncode == 0 and found.stdout.split():
                return time.monotonic() - started
            if app.poll() is not None:
                raise SystemExit(f"{argv[0]} exited with {app.returncode} before showing a window")
            time.sleep(0.02)
        raise SystemExit(f"no window {title!r} from {argv[0]} within {timeout} s")
    finally:
        app.terminate()
        app.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baton", default=shutil.which("baton") if Path("/usr/bin/baton").exists()
                        else str(ROOT / "build" / "dist" / "baton" / "baton"))
    args = parser.parse_args()
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    programs: dict[str, tuple[Callable[[str], list[str]], str]] = {
        "frozen baton": (lambda folder: [args.baton, "--data-dir", folder], "Baton"),
        "baton from the venv": (
            lambda folder: [sys.executable, "-m", "baton", "--data-dir", folder], "Baton"),
        "reference: bare PySide6 window": (lambda folder: [sys.executable, "-c", REFERENCE],
                                           "Reference"),
    }
    results: dict[str, dict[str, object]] = {}
    try:
        for run in range(args.runs + 1):  # the first round warms the disk cache and is dropped
            for name, (argv, title) in programs.items():
                with tempfile.TemporaryDirectory(prefix="baton-startup-") as folder:
                    seconds = time_to_window(argv(folder), title, env)
                if run:
                    entry = results.setdefault(name, {"runs": []})
                    runs = entry["runs"]
                    assert isinstance(runs, list)
                    runs.append(round(seconds, 3))
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    for entry in results.values():
        runs = entry["runs"]
        assert isinstance(runs, list)
        entry["median_s"] = round(statistics.median(runs), 3)
    frozen = results["frozen baton"]["median_s"]
    reference = results["reference: bare PySide6 window"]["median_s"]
    assert isinstance(frozen, float) and isinstance(reference, float)
    print(json.dumps({"baton": args.baton, "programs": results,
                      "frozen_over_reference": round(frozen / reference, 2),
                      "load_average": os.getloadavg()[0]}, indent=2))


if __name__ == "__main__":
    main()
