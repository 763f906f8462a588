"""A recording process killed with SIGKILL, and a display that goes away mid-recording."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from baton.capture.recording.journal import find_unfinished, partial_path, recover

pytestmark = [pytest.mark.display, pytest.mark.slow]


def start_recorder(
    out: Path, env: dict[str, str], *extra: str, watch_input: bool = False
) -> subprocess.Popen[str]:
    ready = out.with_suffix(".ready")
    no_input = [] if watch_input else ["--no-input"]
    return subprocess.Popen(
        [sys.executable, "-m", "baton.capture.recording.recorder_main", str(out), "--fps", "15",
         "--region", "0,0,320,240", *no_input, "--ready-file", str(ready), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_ready(process: subprocess.Popen[str], out: Path, timeout: float = 20.0) -> None:
    ready = out.with_suffix(".ready")
    deadline = time.monotonic() + timeout
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the recorder never started"
        time.sleep(0.05)


def test_sigkill_keeps_a_playable_file_that_recovers(
    xdisplay: Any, tmp_path: Path, probe_video: Any, probe_duration: Any
) -> None:
    out = tmp_path / "killed.mp4"
    process = start_recorder(out, dict(os.environ, DISPLAY=xdisplay.name), "--tone")
    wait_ready(process, out)
    time.sleep(2.2)  # about three seconds recorded in all
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert not out.exists()

    partial = partial_path(out)
    survived = probe_video(partial, keep_frames=False)
    assert survived.codec == "h264"
    assert survived.times[-1] >= 1.5

    unfinished = find_unfinished(tmp_path)
    assert [item.partial for item in unfinished] == [partial]
    finished = recover(unfinished[0].journal)
    assert finished == out
    assert not partial.exists()
    assert probe_duration(finished) >= 1.5
    with open(finished, "rb") as handle:
        head = handle.read(1 << 16)
    assert 0 <= head.find(b"moov") < head.find(b"mdat")
    video = probe_video(finished, keep_frames=False)
    assert video.codec == "h264"
    assert video.duration >= 1.5


def test_sigkill_keeps_the_clicks_made_before_it(xdisplay: Any, tmp_path: Path) -> None:
    from baton.capture.platform.input import events_path

    out = tmp_path / "killed.mp4"
    process = start_recorder(out, dict(os.environ, DISPLAY=xdisplay.name), watch_input=True)
    wait_ready(process, out)
    env = dict(os.environ, DISPLAY=xdisplay.name)
    for x, y in ((100, 80), (200, 150)):
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=env,
                       check=True, timeout=10)
        time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL

    finished = recover(find_unfinished(tmp_path)[0].journal)
    document = json.loads(events_path(finished).read_text())
    assert document["format"] == "baton-events"
    assert document["region"] == [0, 0, 320, 240]
    clicks = [(e["x"], e["y"]) for e in document["events"] if e["kind"] == "click"]
    assert clicks == [(100, 80), (200, 150)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "killed.mp4", "killed.mp4.events.json", "killed.ready"
    ]


def test_sigterm_stops_cleanly(xdisplay: Any, tmp_path: Path, probe_video: Any) -> None:
    out = tmp_path / "stopped.mp4"
    process = start_recorder(out, dict(os.environ, DISPLAY=xdisplay.name))
    wait_ready(process, out)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    stats = json.loads(stdout)
    assert stats["frames_captured"] + stats["frames_unchanged"] >= 15
    assert stats["error"] is None
    assert probe_video(out, keep_frames=False).duration == pytest.approx(stats["duration"],
                                                                         abs=0.07)
    assert find_unfinished(tmp_path) == []


def test_display_going_away_keeps_the_recording(tmp_path: Path, probe_video: Any) -> None:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [shutil.which("Xvfb") or "Xvfb", "-displayfd", str(write_fd), "-screen", "0",
         "320x240x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    out = tmp_path / "lost.mp4"
    try:
        process = start_recorder(out, dict(os.environ, DISPLAY=display))
        wait_ready(process, out)
    finally:
        server.terminate()
        server.wait(10)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    stats = json.loads(stdout)
    assert "display" in stats["error"], stats
    assert "saved up to 0:0" in stats["error"], stats
    assert out.exists(), (stats, stderr)
    assert probe_video(out, keep_frames=False).duration >= 1.0, stats


def test_baton_offers_to_recover_after_a_crash_and_attaches_it(
    xdisplay: Any, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
    probe_duration: Any
) -> None:
    """Killed mid-recording; the next start finds it, recovers it and attaches it."""
    from baton.services import open_services
    from baton.ui import messages
    from baton.ui.main_window import MainWindow, make_state
    from baton.ui.recording.review import ReviewChoice, ReviewDialog

    services = open_services(str(tmp_path / "library"))
    out = services.paths.recordings_dir / "recording-20261128-101500.mp4"
    out.parent.mkdir(parents=True)  # as the recording controller does
    process = start_recorder(out, dict(os.environ, DISPLAY=xdisplay.name))
    wait_ready(process, out)
    time.sleep(2.2)  # about three seconds recorded; the last one is lost with the process
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)

    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda parent, title, question, action:
                        asked.append(question) or True)
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(
        lambda cls, parent, video, duration, processes, preselected=None:
        ReviewChoice(0.0, duration, duration, None, "Recovered walkthrough")))
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.recording.attached, timeout=30_000):
            window.show()  # the window looks for unfinished recordings once it is up
        assert "closed while recording" in asked[0]
        [row] = services.library.list_processes()
        assert row.title == "Recovered walkthrough"
        assert row.has_recording
        stored = services.media.path(services.library.snapshot(row.id)["recording"])
        # A still screen: how much survives is the previous test's business; here, that the
        # recovered video is the one attached.
        assert probe_duration(stored) >= 1.0
        assert find_unfinished(services.paths.recordings_dir) == []
    finally:
        window.close()
        services.close()
