"""Baton's own windows (the recording bar) are left out of the video and of the clicks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from baton.capture.platform.screens import Region
from baton.capture.recording.hidden import HiddenWindows
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.sources import SyntheticSource
from baton.capture.recording.video_settings import VideoSettings

REGION = Region(100, 50, 160, 120)
BAR = Region(180, 130, 60, 30)  # on the screen; its part inside the area is 60x30 at 80,80


class Hook:
    """An input hook the test clicks through (what pynput would call)."""

    def start(self, on_click: Any, on_key: Any) -> None:
        self.click = on_click

    def stop(self) -> None:
        pass


def test_a_hidden_window_shows_what_was_under_it(tmp_path: Path, decoded: Any) -> None:
    source = SyntheticSource(REGION, color=(0, 0, 200), moving=False)  # red (BGR)
    out = tmp_path / "hidden.mp4"
    hook = Hook()
    recorder = Recorder(source, out, VideoSettings(160, 120, 15, "ultrafast", 18),
                        input_hook=hook)
    recorder.start()
    assert recorder.hide_window(BAR)  # a frame without the bar was taken in time
    source.color = (200, 0, 0)  # everything turns blue, the bar's place must stay red
    time.sleep(0.6)
    hook.click(200, 140, "left")  # on the bar: no ring, no event
    hook.click(120, 60, "left")  # elsewhere: both
    time.sleep(0.3)
    recorder.stop()

    last = decoded(out).frames[-1].astype(int)  # RGB
    bar = last[80 + 4:110 - 4, 80 + 4:140 - 4]
    rest = last[70:115, 4:60]  # (away from the ring of the click that counts)
    assert np.all(bar[:, :, 0] > 150)
    assert np.all(bar[:, :, 2] < 60)
    assert np.all(rest[:, :, 2] > 150)
    assert np.all(rest[:, :, 0] < 60)
    assert [(event.x, event.y) for event in recorder.events.events] == [(120, 60)]


def test_a_window_outside_the_area_only_drops_its_clicks() -> None:
    hidden = HiddenWindows(REGION)
    assert hidden.hide(Region(0, 0, 50, 20), timeout=0.0)
    frame = np.zeros((120, 160, 4), np.uint8)
    hidden.apply(frame)
    assert not frame.any()
    assert hidden.covers(10, 10)
    assert not hidden.covers(60, 10)
