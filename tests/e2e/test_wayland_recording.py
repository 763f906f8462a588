"""Recording a real Wayland desktop (headless sway) through the ScreenCast portal and PipeWire.

Baton's recorder runs as a subprocess on the desktop's environment: it must notice the
Wayland session by itself, ask the portal, read the PipeWire stream and encode it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.platform.wayland.pipewire_source import PipeWireSource
from baton.capture.platform.wayland.portal import DECLINED, MISSING, ScreenCastPortal
from baton.capture.recording.wayland import TokensInMemory, open_portal_source
from baton.errors import UserError
from helpers.sway import BACKGROUND, WaylandDesktop
from helpers.video import decode, ffprobe_duration

pytestmark = pytest.mark.wayland

SRC = Path(__file__).resolve().parents[2] / "src"
MOVER = "baton-mover"


def recorder(out: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "baton.capture.recording.recorder_main", str(out), *args],
        env={**env, "PYTHONPATH": os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(autouse=True)
def desktop_survives(sway_desktop: WaylandDesktop) -> Iterator[None]:
    """Every test leaves sway, PipeWire and the portals running (names what died if not)."""
    sway_desktop.assert_running()
    yield
    sway_desktop.assert_running()


@pytest.fixture
def moving_window(sway_desktop: WaylandDesktop) -> Iterator[Any]:
    """A terminal printing fast, moved across the desktop by sway every 0.2 s while asked."""
    client = sway_desktop.start_client(
        ["foot", "--app-id", MOVER, "sh", "-c", "while :; do date +%s.%N; sleep 0.05; done"],
        MOVER)
    sway_desktop.swaymsg(f'[app_id="{MOVER}"]', "resize", "set", "400", "300")
    moving = threading.Event()
    stop = threading.Event()

    def move() -> None:
        step = 0
        while not stop.wait(0.2):
            if moving.is_set():
                step += 1
                sway_desktop.swaymsg(f'[app_id="{MOVER}"]', "move", "position",
                                     str(40 + (step * 40) % 800), "200", check=False)

    mover = threading.Thread(target=move, daemon=True)
    sway_desktop.swaymsg(f'[app_id="{MOVER}"]', "move", "position", "40", "200")
    mover.start()
    try:
        yield moving
    finally:
        stop.set()
        mover.join(10)
        client.terminate()
        client.wait(10)


def window_left(frame: np.ndarray[Any, Any], row: int = 350) -> int:
    """The leftmost column of the dark terminal on ``row`` (the desktop is blue)."""
    dark = np.flatnonzero(frame[row, :, :].astype(int).sum(axis=1) < 120)
    assert dark.size, "no terminal on that row"
    return int(dark[0])


def picture(source: PipeWireSource, desktop: WaylandDesktop) -> np.ndarray[Any, Any]:
    """A real picture from the stream (wlr's portal sends one only when the screen changes)."""
    deadline = time.monotonic() + 30
    while source.frames_received == 0:
        assert time.monotonic() < deadline, "the stream sent no picture"
        desktop.damage()
        time.sleep(0.2)
    return source.grab()


def near(pixel: np.ndarray[Any, Any], rgb: tuple[int, int, int], tolerance: int = 16) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(rgb)) <= tolerance))


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_ten_seconds_of_the_wayland_desktop_are_recorded_through_the_portal(
    sway_desktop: WaylandDesktop, moving_window: threading.Event, tmp_path: Path,
) -> None:
    out, ready = tmp_path / "wayland.mp4", tmp_path / "ready"
    moving_window.set()
    process = recorder(out, sway_desktop.env(), "--seconds", "10", "--fps", "30", "--no-input",
                       "--ready-file", str(ready))
    stdout, stderr = process.communicate(timeout=120)
    moving_window.clear()
    assert process.returncode == 0, stderr
    assert ready.exists()

    video = decode(out)
    assert (video.codec, video.width, video.height) == ("h264", 1280, 720)
    assert 9.5 <= video.duration <= 10.5, video.duration
    assert 9.5 <= ffprobe_duration(out) <= 10.5
    # Unchanged frames are not encoded again, but one goes out at least twice a second:
    # the picture never stands still in the file for longer than that.
    gaps = np.diff([0.0, *video.times, video.duration])
    assert gaps.max() <= 0.75, gaps.max()  # 0.5 s, and a late tick or two under load
    first, middle, last = video.frames[5], video.frames[len(video.frames) // 2], video.frames[-5]
    for frame in (first, middle, last):
        assert near(frame[700, 1260], BACKGROUND), frame[700, 1260]  # the desktop's colour
        assert near(frame[20, 20], BACKGROUND), frame[20, 20]
    positions = {window_left(frame) for frame in video.frames[::15]}
    assert len(positions) >= 5, positions  # the window moved across the recording
    assert '"frames_dropped"' in stdout


def test_the_restore_token_spares_the_question_next_time(sway_desktop: WaylandDesktop) -> None:
    portal = ScreenCastPortal(sway_desktop.bus_address)
    tokens = TokensInMemory()
    asked = sway_desktop.questions_asked()
    first = open_portal_source(None, tokens, portal)
    try:
        assert picture(first, sway_desktop).shape == (720, 1280, 4)
    finally:
        first.close()
    token = tokens.load()
    assert token
    assert sway_desktop.questions_asked() == asked + 1

    again = open_portal_source(None, tokens, portal)
    try:
        bgr = picture(again, sway_desktop)[710, 1270][:3]
        assert near(bgr[::-1], BACKGROUND, 0)  # BGRx from PipeWire, exact
    finally:
        again.close()
    assert sway_desktop.questions_asked() == asked + 1  # not asked again
    assert tokens.load()  # the token handed back for next time is kept

    fresh = TokensInMemory()
    open_portal_source(None, fresh, portal).close()
    assert sway_desktop.questions_asked() == asked + 2  # without a token it asks


def test_declining_to_share_the_screen_is_one_clear_line(
    sway_desktop: WaylandDesktop, tmp_path: Path,
) -> None:
    with sway_desktop.declining():
        process = recorder(tmp_path / "no.mp4", sway_desktop.env(), "--seconds", "2",
                           "--no-input")
        _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr.strip().splitlines()[-1] == DECLINED
    assert not (tmp_path / "no.mp4").exists()


def test_a_desktop_without_the_portal_says_what_to_install(
    sway_desktop: WaylandDesktop, tmp_path: Path,
) -> None:
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        with pytest.raises(UserError) as raised:
            ScreenCastPortal(address, call_timeout=10).start()
        assert str(raised.value) == MISSING
        env = {**sway_desktop.env(), "DBUS_SESSION_BUS_ADDRESS": address}
        process = recorder(tmp_path / "no.mp4", env, "--seconds", "2", "--no-input")
        _stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 1
        assert stderr.strip().splitlines()[-1] == MISSING
    finally:
        bus.terminate()
        bus.wait(10)
        if bus.stdout is not None:
            bus.stdout.close()


def test_selftest_names_the_wayland_session_and_the_portal(
    sway_desktop: WaylandDesktop, tmp_path: Path,
) -> None:
    env = sway_desktop.env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(tmp_path), "selftest"],
        env=env, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert "ok   session: Wayland (sway) — recording through the ScreenCast portal" in lines, \
        result.stdout + result.stderr
    assert any(line.startswith("ok   GStreamer PipeWire plugin: ") for line in lines)
    assert any(line.startswith("ok   PipeWire: ") for line in lines)

    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    result = subprocess.run(
        [sys.executable, "-m", "baton", "--data-dir", str(tmp_path), "selftest"],
        env=env, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert "FAIL session: Wayland (sway) — recording needs: portal" in lines, result.stdout
    assert f"FAIL portal: {MISSING}" in lines


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.timeout(120)
def test_a_killed_recorder_leaves_no_screencast_behind(
    sway_desktop: WaylandDesktop, tmp_path: Path,
) -> None:
    # The desktop shows "sharing your screen" while the stream's reader lives: it must end
    # with Baton, even on a still screen where it writes nothing that could fail.
    ready = tmp_path / "ready"
    process = recorder(tmp_path / "killed.mp4", sway_desktop.env(), "--seconds", "60",
                       "--no-input", "--ready-file", str(ready))
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the recorder never started"
        time.sleep(0.2)
    readers = [pid for pid in children_of(process.pid)
               if "gst-launch" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
    assert readers, "no gst-launch-1.0 child"
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in readers):
        assert time.monotonic() < deadline, f"the stream's reader outlived Baton: {readers}"
        time.sleep(0.2)
