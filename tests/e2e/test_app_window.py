"""The README's run command opens a real window on a real X server."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import mss
import numpy as np
import pytest

from helpers.xvfb import wait_for_window

ROOT = Path(__file__).resolve().parents[2]
SIDEBAR_BGR = np.array([0x3F, 0x30, 0x24])  # #24303f, the sidebar colour in style.qss


@pytest.mark.display
@pytest.mark.slow
def test_run_command_opens_the_window_and_quits_cleanly(
    xdisplay, tmp_path: Path, platformdirs_isolated: Path
) -> None:
    data_dir = tmp_path / "library"
    app = subprocess.Popen(
        [str(ROOT / "scripts" / "run"), "--data-dir", str(data_dir)],
        env=xdisplay.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        window = wait_for_window(xdisplay, "Baton", timeout=60)
        time.sleep(0.5)  # let the first paint land before grabbing the screen
        with mss.MSS(display=xdisplay.name) as grabber:
            shot = np.asarray(grabber.grab(grabber.monitors[1]))[:, :, :3]
        sidebar_pixels = np.all(np.abs(shot.astype(int) - SIDEBAR_BGR) < 6, axis=2).sum()
        assert sidebar_pixels > 100 * 300, "the sidebar is not on screen"
        # No window manager under Xvfb: focus the window, then type Ctrl+Q through XTEST.
        subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "ctrl+q"],
                       env=xdisplay.env(), check=True, timeout=10, capture_output=True)
        output, _ = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if app.stdout is not None:  # left open, a failure here turns into a ResourceWarning
            app.stdout.close()      # in whichever test runs when it is collected
    assert app.returncode == 0, output.decode(errors="replace")
    # The library folder holds only what a team shares; the user's files are their own.
    assert (data_dir / "baton.db").exists()
    assert {p.name for p in data_dir.iterdir()} <= {"baton.db", "baton.db-wal", "baton.db-shm",
                                                   "media"}
    state = platformdirs_isolated / "state_home" / "Baton"
    assert "geometry=@ByteArray" in (state / "window-state.ini").read_text()
    assert (state / "log" / "baton.log").read_text().count("opened") == 1
