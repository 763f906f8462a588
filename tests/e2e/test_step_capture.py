"""Step capture on a real X server: real windows, real clicks and typing through xdotool."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from sqlalchemy import inspect, select, text

from baton.capture.platform.input import PynputHook
from baton.capture.platform.screens import Region
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.sources import ScreenSource
from baton.capture.recording.video_settings import VideoSettings
from baton.capture.steps.annotation import CLICK_COLOR
from baton.capture.steps.live import open_step_capture
from baton.capture.steps.render import crop_for
from baton.capture.steps.sink import SavedStep
from baton.core.db import open_database, sqlite_url
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.models import Step
from baton.core.steps import Steps
from helpers.xvfb import wait_for_window

pytestmark = [pytest.mark.display, pytest.mark.slow]

INVOICES = "Invoices — Test"
INVOICE_NUMBER = "INV-2024-042"
SECRET = "Hunter2-Secret!"
# A window with one text field at (20, 80) 360x30 inside ("password": a password field), or
# ("button") no field and a background that turns green when pressed.
WINDOW_PROGRAM = """
import sys
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
app = QApplication([])
title, x, y, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

class Window(QWidget):
    def mousePressEvent(self, event):
        if mode == "button":
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.Window, QColor(0, 200, 0))
            self.setPalette(palette)
            self.setAutoFillBackground(True)

window = Window()
window.setWindowTitle(title)
window.setGeometry(x, y, 400, 200)
if mode != "button":
    field = QLineEdit(window)
    field.setGeometry(20, 80, 360, 30)
    if mode == "password":
        field.setEchoMode(QLineEdit.EchoMode.Password)
    field.textChanged.connect(
        lambda value: print(len(value) if mode == "password" else value, flush=True))
window.show()
app.exec()
"""
GREEN_BGR = (0, 200, 0)


class QtWindow:
    """A real Qt window in its own process, with its X id."""

    def __init__(self, display: Any, title: str, x: int, y: int, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WINDOW_PROGRAM, title, str(x), str(y), mode],
            env=display.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.window_id = wait_for_window(display, title)
        self.field = (x + 200, y + 95)  # the middle of the text field, on screen

    def close(self) -> str:
        """Close the window; returns the field's last text (a password: its length)."""
        self.process.terminate()
        output, _ = self.process.communicate(timeout=10)
        return output.strip().splitlines()[-1] if output.strip() else ""


@pytest.fixture
def windows(xdisplay: Any) -> Iterator[tuple[QtWindow, QtWindow, QtWindow]]:
    form = QtWindow(xdisplay, INVOICES, 100, 100, "text")
    login = QtWindow(xdisplay, "Password", 700, 100, "password")
    button = QtWindow(xdisplay, "Approve", 100, 500, "button")
    try:
        yield form, login, button
    finally:
        for window in (form, login, button):
            if window.process.poll() is None:
                window.process.kill()
            window.process.communicate(timeout=10)  # reaps it and closes its pipe


def xdotool(display: Any, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=display.env(), check=True, timeout=10)


def wait_for(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_clicks_and_typing_in_real_windows_become_steps(
    xdisplay: Any, windows: tuple[QtWindow, QtWindow, QtWindow], tmp_path: Path
) -> None:
    form, login, button = windows
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    media = MediaStore(tmp_path / "media")
    process = Library(db.sessions).add_process(ProcessDraft("Pay an invoice"))
    saved: list[SavedStep] = []
    capture = open_step_capture(Steps(db.sessions).appender(process.id), media,
                                on_step=saved.append)
    capture.start()
    try:
        time.sleep(0.3)  # a calm screen in the ring before the first click
        xdotool(xdisplay, "mousemove", *map(str, form.field), "click", "1")
        xdotool(xdisplay, "windowfocus", "--sync", form.window_id)
        xdotool(xdisplay, "type", "--delay", "30", INVOICE_NUMBER)
        time.sleep(0.3)  # the user looks at what they typed
        xdotool(xdisplay, "key", "Tab")
        xdotool(xdisplay, "mousemove", *map(str, login.field), "click", "1")
        xdotool(xdisplay, "windowfocus", "--sync", login.window_id)
        xdotool(xdisplay, "type", "--delay", "30", SECRET)
        xdotool(xdisplay, "key", "Return")
        wait_for(lambda: len(saved) >= 4)
        time.sleep(0.3)
        xdotool(xdisplay, "mousemove", *map(str, button.field), "click", "1")  # turns green
        # A double-click on the bare desktop: one step, retitled by the second click.
        xdotool(xdisplay, "mousemove", "1500", "900", "click", "--repeat", "2", "--delay", "80",
                "1")
        wait_for(lambda: len(saved) >= 7)
        after = capture.ring.newest()
    finally:
        stats = capture.stop()
    assert stats.errors == []
    assert stats.steps_saved == 6

    assert form.close() == INVOICE_NUMBER  # the typing really reached the windows
    assert login.close() == str(len(SECRET))

    with db.sessions() as session:
        steps = list(session.scalars(select(Step).order_by(Step.position)))
    assert [step.position for step in steps] == [1, 2, 3, 4, 5, 6]
    assert [step.title for step in steps] == [
        f'Click in "{INVOICES}"',
        f'Type in "{INVOICES}"',  # no accessibility here: nothing tells what the field is
        'Click in "Password"',
        'Type •••••• in "Password", then press Enter',
        'Click in "Approve"',
        "Double-click",
    ]
    assert saved[-1].step_id == saved[-2].step_id
    # The screenshot is the screen from just before the click: not yet green.
    assert after is not None
    assert tuple(after[520, 120, :3]) == GREEN_BGR
    assert tuple(decode(media, steps[4].full_screenshot)[520, 120]) != GREEN_BGR
    clicks = ((steps[0], form.field), (steps[2], login.field), (steps[4], button.field),
              (steps[5], (1500, 900)))
    for step, (x, y) in clicks:
        full = decode(media, step.full_screenshot)
        shot = decode(media, step.screenshot)
        assert full.shape == (xdisplay.height, xdisplay.width, 3)
        assert shot.shape == (720, 1280, 3)
        # The click is kept in the screenshot's pixels (it is a crop of the full frame),
        # where the editor and the package draw the marker: the same pixels are there.
        crop = crop_for(xdisplay.width, xdisplay.height, x, y)
        assert (step.click_x, step.click_y) == (x - crop.left, y - crop.top)
        assert np.array_equal(shot[y - crop.top - 20:y - crop.top + 20,
                                   x - crop.left - 20:x - crop.left + 20],
                              full[y - 20:y + 20, x - 20:x + 20])
        marker = (CLICK_COLOR.blue(), CLICK_COLOR.green(), CLICK_COLOR.red())
        assert not np.any(np.all(full == marker, axis=2))  # no marker burned in

    assert_secret_absent(db, tmp_path / "baton.db", media)
    db.close()


def decode(media: MediaStore, key: str | None) -> np.ndarray:
    assert key is not None
    return cv2.imdecode(np.frombuffer(media.read_bytes(key), np.uint8), cv2.IMREAD_COLOR)


def assert_secret_absent(db: Any, path: Path, media: MediaStore) -> None:
    """The password is in no column of any table, no database file, no media file."""
    pieces = [SECRET, SECRET[:7], SECRET[-7:]]
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        assert "step" in tables
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    assert not any(piece in str(value) for piece in pieces), table
    for file in path.parent.glob(path.name + "*"):
        assert not any(piece.encode() in file.read_bytes() for piece in pieces), file
    for key in media.keys():
        data = media.read_bytes(key)
        assert not any(piece.encode() in data for piece in pieces), key


def test_steps_made_while_recording_point_into_the_video(xdisplay: Any, tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    media = MediaStore(tmp_path / "media")
    process = Library(db.sessions).add_process(ProcessDraft("Recorded"))
    recorder = Recorder(ScreenSource(Region(0, 0, 640, 480)), tmp_path / "take.mp4",
                        VideoSettings(640, 480, 15, "ultrafast", 23), input_hook=PynputHook())
    recorder.start()
    saved: list[SavedStep] = []
    capture = open_step_capture(Steps(db.sessions).appender(process.id), media,
                                video_clock=recorder.elapsed, on_step=saved.append)
    capture.start()
    try:
        time.sleep(0.5)
        xdotool(xdisplay, "mousemove", "100", "100", "click", "1")
        time.sleep(0.7)
        xdotool(xdisplay, "mousemove", "300", "300", "click", "1")
        wait_for(lambda: len(saved) >= 2)
    finally:
        capture.stop()
        stats = recorder.stop()
    clicks = [event.t for event in recorder.events.events if event.kind == "click"]
    times = [step.video_time for step in saved]
    assert len(clicks) == 2
    assert all(t is not None for t in times)
    for step_time, click_time in zip(times, clicks, strict=True):
        assert step_time == pytest.approx(click_time, abs=0.05)
        assert 0 < step_time < stats.duration
    db.close()


def test_batons_own_windows_make_no_step_and_are_painted_over(
    xdisplay: Any, tmp_path: Path
) -> None:
    """A window of this process (as the recording bar is) on a grey backdrop: clicks on
    it and Baton's global shortcuts make no step, and screenshots show the backdrop."""
    import os

    from Xlib import X, Xatom
    from Xlib import display as xlib_display

    connection = xlib_display.Display(xdisplay.name)
    screen = connection.screen()
    backdrop = screen.root.create_window(0, 0, xdisplay.width, xdisplay.height, 0,
                                         screen.root_depth, X.InputOutput, X.CopyFromParent,
                                         background_pixel=0x808080, override_redirect=True)
    bar = screen.root.create_window(800, 20, 320, 40, 0, screen.root_depth, X.InputOutput,
                                    X.CopyFromParent, background_pixel=0xE01010,
                                    override_redirect=True)
    bar.set_wm_name("Baton - recording")
    bar.change_property(connection.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32,
                        [os.getpid()])
    backdrop.set_wm_name("Backdrop")
    backdrop.map()
    bar.map()
    connection.sync()
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    media = MediaStore(tmp_path / "media")
    process = Library(db.sessions).add_process(ProcessDraft("Own windows"))
    saved: list[SavedStep] = []
    capture = open_step_capture(Steps(db.sessions).appender(process.id), media,
                                on_step=saved.append,
                                accessibility=False, ocr=False)
    capture.start()
    try:
        time.sleep(0.3)
        xdotool(xdisplay, "mousemove", "900", "40", "click", "1")  # the bar
        xdotool(xdisplay, "key", "ctrl+alt+s")  # stop recording, from anywhere
        xdotool(xdisplay, "key", "ctrl+alt+c")  # capture on/off
        time.sleep(0.6)
        xdotool(xdisplay, "mousemove", "300", "300", "click", "1")  # the backdrop
        wait_for(lambda: len(saved) >= 1)
        time.sleep(0.5)
    finally:
        capture.stop()
        bar.destroy()
        backdrop.destroy()
        connection.close()
    with db.sessions() as session:
        steps = list(session.scalars(select(Step)))
    assert [step.title for step in steps] == ['Click in "Backdrop"']
    for key in (steps[0].full_screenshot, steps[0].screenshot):
        picture = decode(media, key)
        assert (picture[30:50, 810:1110] == (128, 128, 128)).all()  # the bar painted over
    db.close()
