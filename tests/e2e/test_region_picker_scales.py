"""The area picker on every mix of monitor scales and layouts, exact to the pixel.

Each layout is its own Xvfb with monitors made by ``xrandr --setmonitor`` and Qt told
their scales by ``QT_SCREEN_SCALE_FACTORS``. The desktop is covered with grey noise (every
pixel its own value), the picker runs in its own process as in the app, xdotool drags in
physical pixels, and then:

- while the picker is up, the screen shows the frozen noise (dimmed), not a black layer,
  and the dragged area in full brightness;
- the picked area is exactly the dragged one;
- a lossless recording of that area matches the noise pixel for pixel (a shift of one
  pixel would not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from Xlib import X, display

from baton.capture.platform.screens import Region, list_monitors
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.sources import ScreenSource
from baton.capture.recording.video_settings import VideoSettings
from helpers.xvfb import XDisplay, start_xvfb

pytestmark = [pytest.mark.display, pytest.mark.slow]

DIMMED = 1 - 110 / 255  # region_picker.DIM

PICKER = """
import json, sys
from PySide6.QtWidgets import QApplication
from baton.capture.platform.screens import list_monitors
from baton.ui.recording.region_picker import RegionPicker
app = QApplication(sys.argv)
monitors = list_monitors()
picker = RegionPicker([(m.name, m.region) for m in monitors])
def picked(region):
    print(json.dumps([region.left, region.top, region.width, region.height]), flush=True)
    app.quit()
picker.picked.connect(picked)
picker.cancelled.connect(app.quit)
picker.show()
picker.activateWindow()
print("ready", len(picker.shades), flush=True)
app.exec()
"""


@dataclass(frozen=True)
class Layout:
    """Monitors as (name, physical area, scale); the first is primary."""

    name: str
    monitors: tuple[tuple[str, Region, float], ...]
    drags: tuple[tuple[tuple[int, int], tuple[int, int]], ...]

    @property
    def size(self) -> tuple[int, int]:
        return (max(m[1].right for m in self.monitors), max(m[1].bottom for m in self.monitors))


LAYOUTS = [
    Layout("laptop 2x right of 1x",
           (("LEFT", Region(0, 0, 1920, 1080), 1.0), ("RIGHT", Region(1920, 0, 2880, 1800), 2.0)),
           (((2501, 301), (3101, 1001)), ((100, 100), (740, 580)))),
    Layout("2x primary left of 1x, across both",
           (("LEFT", Region(0, 0, 2880, 1800), 2.0), ("RIGHT", Region(2880, 0, 1920, 1080), 1.0)),
           (((2600, 201), (3240, 681)),)),
    Layout("1.5x below 1x",
           (("TOP", Region(0, 0, 1920, 1080), 1.0), ("BOTTOM", Region(0, 1080, 1920, 1200), 1.5)),
           (((301, 1181), (1501, 2001)), ((1000, 900), (1400, 1300)))),
    Layout("1.25x right of 1x, tops not aligned",
           (("LEFT", Region(0, 360, 1920, 1080), 1.0),
            ("RIGHT", Region(1920, 0, 2560, 1440), 1.25)),
           (((2003, 99), (2805, 701)),)),
]


class NoiseWall:
    """An override-redirect window over the whole desktop showing grey noise."""

    def __init__(self, width: int, height: int) -> None:
        rng = np.random.default_rng(7)
        self.grey = rng.integers(0, 256, (height, width), dtype=np.uint8)
        self.display: Any = display.Display()
        try:
            self.window = self._show(width, height)
        except BaseException:
            self.display.close()
            raise

    def _show(self, width: int, height: int) -> Any:
        screen = self.display.screen()
        pixmap = screen.root.create_pixmap(width, height, screen.root_depth)
        gc = pixmap.create_gc()
        bgrx = np.repeat(self.grey[:, :, None], 4, axis=2)
        limit = (self.display.display.info.max_request_length * 4 - 64) // (width * 4)
        for top in range(0, height, limit):
            rows = bgrx[top:top + limit]
            pixmap.put_image(gc, 0, top, width, len(rows), X.ZPixmap, 24, 0, rows.tobytes())
        window = screen.root.create_window(
            0, 0, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixmap=pixmap, override_redirect=True,
        )
        window.map()
        self.display.sync()
        return window

    def close(self) -> None:
        self.window.destroy()
        self.display.close()


@pytest.fixture(params=LAYOUTS, ids=[layout.name for layout in LAYOUTS])
def desktop(request: pytest.FixtureRequest) -> Iterator[tuple[Layout, XDisplay, NoiseWall]]:
    layout: Layout = request.param
    width, height = layout.size
    process, xvfb = start_xvfb(width, height)
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = xvfb.name
    wall: NoiseWall | None = None
    try:
        env = xvfb.env()
        subprocess.run(["xrandr", "--delmonitor", "screen"], env=env, check=False,
                       capture_output=True, timeout=10)
        for number, (name, area, _scale) in enumerate(layout.monitors):
            geometry = f"{area.width}/300x{area.height}/200+{area.left}+{area.top}"
            star = "*" if number == 0 else ""
            output = "screen" if number == 0 else "none"
            subprocess.run(["xrandr", "--setmonitor", star + name, geometry, output], env=env,
                           check=True, capture_output=True, timeout=10)
        wall = NoiseWall(width, height)
        yield layout, xvfb, wall
    finally:
        if wall is not None:
            wall.close()
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        process.terminate()
        process.wait(timeout=10)


def grab(xvfb: XDisplay, area: Region) -> np.ndarray[Any, Any]:
    import mss

    with mss.MSS(display=xvfb.name) as sct:
        shot = sct.grab(area.as_mss())
        return np.asarray(shot, dtype=np.uint8)[:, :, 0]  # grey: any channel


def crop(grey: np.ndarray[Any, Any], area: Region) -> np.ndarray[Any, Any]:
    return grey[area.top:area.bottom, area.left:area.right]


def xdotool(xvfb: XDisplay, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=xvfb.env(), check=True, timeout=10)


def start_picker(layout: Layout, xvfb: XDisplay) -> subprocess.Popen[str]:
    env = xvfb.env()
    env["QT_QPA_PLATFORM"] = "xcb"
    env["QT_SCREEN_SCALE_FACTORS"] = ";".join(f"{name}={scale}"
                                              for name, _area, scale in layout.monitors)
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    picker = subprocess.Popen([sys.executable, "-c", PICKER], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert picker.stdout is not None
    line = picker.stdout.readline()
    assert line.startswith("ready"), picker.stderr.read() if picker.stderr else line
    assert int(line.split()[1]) == len(layout.monitors)  # one window per screen
    return picker


def wait_for_shades(xvfb: XDisplay, layout: Layout, wall: NoiseWall) -> None:
    """Until every screen shows the dimmed noise (the picker's windows are painted)."""
    deadline = time.monotonic() + 40  # (a busy machine starts Qt slowly)
    while True:
        ready = True
        for _name, area, _scale in layout.monitors:
            probe = Region(area.left + 50, area.top + area.height - 60, 200, 40)
            shown = grab(xvfb, probe).astype(int)
            expected = crop(wall.grey, probe).astype(int) * DIMMED
            ready &= bool(np.abs(shown - expected).max() <= 2)
        if ready:
            return
        assert time.monotonic() < deadline, "the picker did not cover every screen"
        time.sleep(0.1)


def test_a_dragged_area_is_exact_on_every_scale_and_layout(
    desktop: tuple[Layout, XDisplay, NoiseWall], tmp_path: Path
) -> None:
    layout, xvfb, wall = desktop
    monitors = list_monitors(xvfb.name)
    assert [m.name for m in monitors] == [name for name, _a, _s in sorted(
        layout.monitors, key=lambda item: (item[1].left, item[1].top))]  # left to right
    for (x1, y1), (x2, y2) in layout.drags:
        picker = start_picker(layout, xvfb)
        try:
            wait_for_shades(xvfb, layout, wall)
            xdotool(xvfb, "mousemove", str(x1), str(y1))
            xdotool(xvfb, "mousedown", "1")
            xdotool(xvfb, "mousemove", str((x1 + x2) // 2), str((y1 + y2) // 2))
            xdotool(xvfb, "mousemove", str(x2), str(y2))
            expected = Region(x1, y1, x2 - x1, y2 - y1)
            # While dragging: the area shows the frozen picture undimmed, pixel for pixel.
            inner = Region(x1 + 2, y1 + 2, expected.width - 4, expected.height - 4)
            deadline = time.monotonic() + 20
            while not np.array_equal(grab(xvfb, inner), crop(wall.grey, inner)):
                assert time.monotonic() < deadline, "the dragged area is not shown as it is"
                time.sleep(0.05)
            xdotool(xvfb, "mouseup", "1")
            out, _err = picker.communicate(timeout=20)
        finally:
            if picker.poll() is None:
                picker.kill()
            picker.communicate()  # (closes the pipes)
        assert json.loads(out.strip().splitlines()[-1]) == [
            expected.left, expected.top, expected.width, expected.height]
        check_recording(xvfb, wall, expected, tmp_path / f"area-{x1}-{y1}.mp4")


def check_recording(xvfb: XDisplay, wall: NoiseWall, area: Region, out: Path) -> None:
    """Record ``area`` losslessly and compare the video with the noise under it."""
    area = area.even()
    source = ScreenSource(area, xvfb.name)
    recorder = Recorder(source, out, VideoSettings(area.width, area.height, 10, "ultrafast", 0))
    recorder.start()
    time.sleep(0.4)
    recorder.stop()
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")[:, :, 1]
    assert frame.shape == (area.height, area.width)
    truth = crop(wall.grey, area).astype(int)
    assert np.abs(frame.astype(int) - truth).max() <= 3  # yuv rounding only
    shifted = crop(wall.grey, Region(area.left + 1, area.top, area.width, area.height))
    assert np.abs(frame.astype(int) - shifted.astype(int)).mean() > 40  # one pixel off
