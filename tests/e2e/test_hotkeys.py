"""The global stop-recording shortcut works while another program has the focus."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from baton.capture.recording.hotkeys import STOP_RECORDING, GlobalHotkey


@pytest.mark.display
def test_ctrl_alt_s_reaches_baton_from_anywhere(xdisplay: Any) -> None:
    pressed = threading.Event()
    hotkey = GlobalHotkey(STOP_RECORDING, pressed.set)
    hotkey.start()
    try:
        subprocess.run(["xdotool", "key", "ctrl+alt+s"], env=xdisplay.env(), check=True,
                       timeout=10)
        assert pressed.wait(5)
    finally:
        hotkey.stop()


def test_without_a_display_it_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    script = (
        "from baton.capture.recording.hotkeys import GlobalHotkey\n"
        "from baton.errors import UserError\n"
        "try:\n"
        "    GlobalHotkey('<ctrl>+<alt>+s', print).start()\n"
        "except UserError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    assert "Global shortcuts are not available" in result.stdout


@pytest.mark.display
def test_the_stop_shortcut_listens_only_while_recording(xdisplay: Any) -> None:
    from baton.ui.global_shortcuts import GlobalShortcuts

    stopped, toggled = threading.Event(), threading.Event()
    said: list[str] = []
    shortcuts = GlobalShortcuts(stopped.set, toggled.set)

    def press(keys: str) -> None:
        subprocess.run(["xdotool", "key", keys], env=xdisplay.env(), check=True, timeout=10)

    try:
        shortcuts.listen_for_step_capture()
        press("ctrl+alt+s")
        press("ctrl+alt+c")
        assert toggled.wait(5)
        assert not stopped.is_set()
        shortcuts.recording(True, said.append)
        press("ctrl+alt+s")
        assert stopped.wait(5)
        assert said == []
        stopped.clear()
        shortcuts.recording(False, said.append)
        press("ctrl+alt+s")
        toggled.clear()
        press("ctrl+alt+c")  # delivered after the stop key would have been
        assert toggled.wait(5)
        assert not stopped.is_set()
    finally:
        shortcuts.close()
