"""StepCapture end to end without an X server: a painted source, a scripted input hook."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.input import ClickHandler, KeyHandler, TextHandler
from baton.capture.platform.screens import Region
from baton.capture.steps.capture import StepCapture
from baton.capture.steps.sink import SavedStep
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.steps import StepContent, StepRow, Steps
from baton.errors import NotFound, UserError
from helpers.images import png_pixels

FULL_HD = Region(0, 0, 1920, 1080)
FORM = WindowInfo(1, "Invoices — Test", Region(0, 0, 960, 1080), "app")
LOGIN = WindowInfo(2, "Password", Region(960, 0, 960, 1080), "app")


class PaintedSource:
    """Frames of one flat colour the test changes (BGR), as the screen would show it."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.color = (200, 200, 200)
        self.closed = False

    def grab(self) -> np.ndarray:
        frame = np.empty((self.region.height, self.region.width, 4), np.uint8)
        frame[:, :] = (*self.color, 255)
        return frame

    def close(self) -> None:
        self.closed = True


class ScriptedHook:
    """Stands in for PynputHook: the test calls the callbacks as input threads would."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.on_click: ClickHandler | None = None
        self.on_key: KeyHandler | None = None
        self.on_text: TextHandler | None = None

    def start(self, on_click: ClickHandler, on_key: KeyHandler,
              on_text: TextHandler | None = None) -> None:
        if self.fail:
            raise UserError("Cannot watch the mouse and keyboard: no display is reachable.")
        self.on_click, self.on_key, self.on_text = on_click, on_key, on_text

    def click(self, x: int, y: int) -> None:
        assert self.on_click is not None
        self.on_click(x, y, "left")

    def type(self, text: str) -> None:
        assert self.on_text is not None
        assert self.on_key is not None
        for char in text:
            self.on_text(char)
            self.on_key(None)

    def key(self, label: str) -> None:
        assert self.on_key is not None
        self.on_key(label)

    def stop(self) -> None:
        self.on_click = self.on_key = self.on_text = None


class Windows:
    def __init__(self) -> None:
        self.focus: WindowInfo | None = FORM

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        return FORM if x < 960 else LOGIN

    def focused_window(self) -> WindowInfo | None:
        return self.focus


@pytest.fixture
def process_id(database: Database) -> int:
    return Library(database.sessions).add_process(ProcessDraft("Invoices")).id


def capture_for(database: Database, media: MediaStore, process_id: int, **options: Any) -> tuple[
    StepCapture, PaintedSource, ScriptedHook, Windows, list[SavedStep]
]:
    source, hook, windows = PaintedSource(options.pop("region", FULL_HD)), ScriptedHook(), Windows()
    saved: list[SavedStep] = []
    capture = StepCapture(source, hook, windows, media,
                          Steps(database.sessions).appender(process_id),
                          fps=options.pop("fps", 0.2), on_step=saved.append, **options)
    return capture, source, hook, windows, saved


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def png(media: MediaStore, key: str | None) -> np.ndarray:
    assert key is not None
    return png_pixels(media.read_bytes(key))


def rows(database: Database, process_id: int) -> list[StepRow]:
    return Steps(database.sessions).list(process_id)


def test_clicks_and_typing_become_steps(
    database: Database, media: MediaStore, process_id: int
) -> None:
    existing = Steps(database.sessions).appender(process_id)
    existing.add([StepContent("Open the invoices folder")])
    capture, source, hook, _windows, saved = capture_for(
        database, media, process_id, video_clock=lambda: 12.5, keep_typing_in={"app"}
    )
    capture.start()
    source.color = (0, 90, 0)  # the click's effect: must not be in its screenshot
    hook.click(300, 200)
    hook.type("INV 42")
    hook.key("Enter")
    wait_for(lambda: len(saved) == 2)
    stats = capture.stop()

    assert stats.steps_saved == 2
    assert stats.clicks == 1
    assert stats.errors == []
    steps = rows(database, process_id)
    assert [s.title for s in steps] == [
        "Open the invoices folder",
        'Click in "Invoices — Test"',
        'Type "INV 42" in "Invoices — Test", then press Enter',
    ]
    click = steps[1]
    assert (click.position, click.click_x, click.click_y) == (2, 300, 200)
    assert click.video_time == 12.5
    assert click.window_title == "Invoices — Test"
    full, shot = png(media, click.full_screenshot), png(media, click.screenshot)
    assert full.shape == (1080, 1920, 3)
    assert shot.shape == (720, 1280, 3)
    assert tuple(full[900, 1500]) == (200, 200, 200)  # the frame from before the click
    # No marker is burned in (the editor and package draw it with the step's number now).
    assert (full == (200, 200, 200)).all()
    assert tuple(shot[200, 300]) == (200, 200, 200)  # the crop starts at 0,0: same point
    assert steps[2].click_x is None
    assert steps[2].screenshot is not None
    assert all(step.latency is not None and step.latency < 5 for step in saved)
    assert source.closed
    # Each append marked the process changed, as the step editor's service does.
    assert Library(database.sessions).get(process_id).row_version == 4


def test_a_double_click_is_one_step_titled_as_such(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, _source, hook, _windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360)
    )
    capture.start()
    hook.click(100, 100)
    hook.click(101, 100)  # at once: a double-click
    wait_for(lambda: len(saved) == 2)
    stats = capture.stop()
    assert [s.title for s in rows(database, process_id)] == ['Double-click in "Invoices — Test"']
    assert stats.steps_saved == 1
    assert stats.clicks == 2
    assert saved[0].step_id == saved[1].step_id
    assert saved[1].title.startswith("Double-click")
    assert saved[1].screenshot == saved[0].screenshot  # the screen before the first click


def test_password_typing_leaves_no_trace(
    database: Database, media: MediaStore, process_id: int, tmp_path: Path
) -> None:
    capture, _source, hook, windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360)
    )
    capture.start()
    windows.focus = LOGIN
    hook.type("Hunter2Secret")
    hook.click(50, 50)
    wait_for(lambda: len(saved) == 2)
    capture.stop()
    assert saved[0].title == 'Type •••••• in "Password"'
    assert b"Hunter2Secret" not in (tmp_path / "baton.db").read_bytes()
    for key in media.keys():
        assert b"Hunter2Secret" not in media.read_bytes(key)


def test_pause_skip_and_ignored_keys(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, _source, hook, _windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360),
        skip_window=lambda window: window is LOGIN, ignore_keys={"Ctrl+Shift+S"},
    )
    capture.start()
    capture.pause()
    hook.click(10, 10)
    capture.resume()
    hook.click(1500, 10)  # in a skipped window
    hook.key("Ctrl+Shift+S")
    hook.click(20, 20)
    wait_for(lambda: len(saved) == 1)
    stats = capture.stop()
    assert [s.title for s in saved] == ['Click in "Invoices — Test"']
    assert stats.clicks == 2  # the paused click is not counted either way
    assert saved[0].position == 1


def test_a_failing_save_is_reported_and_capture_goes_on(
    database: Database, media: MediaStore, process_id: int
) -> None:
    errors: list[UserError] = []
    capture, _source, hook, _windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360), on_error=errors.append
    )
    capture.start()
    Library(database.sessions).delete_process(process_id)
    hook.click(10, 10)
    wait_for(lambda: errors)
    stats = capture.stop()
    assert isinstance(errors[0], NotFound)
    assert stats.steps_failed == 1
    assert saved == []


def test_start_refuses_a_missing_process_or_input(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, source, _hook, _windows, _saved = capture_for(database, media, process_id + 5)
    with pytest.raises(NotFound):
        capture.start()
    assert source.closed

    source = PaintedSource(Region(0, 0, 64, 64))
    capture = StepCapture(source, ScriptedHook(fail=True), Windows(), media,
                          Steps(database.sessions).appender(process_id))
    with pytest.raises(UserError, match="Cannot watch"):
        capture.start()
    assert source.closed
    assert not [t for t in threading.enumerate() if t.name.startswith("baton-step")]


def test_clicks_without_a_place_are_steps_in_the_focused_window(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, _source, hook, windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360)
    )
    capture.start()
    assert hook.on_click is not None
    windows.focus = LOGIN
    hook.on_click(None, None, "left")  # the kernel's input devices on Wayland
    wait_for(lambda: len(saved) == 1)
    hook.on_click(None, None, "left")  # at once: a double-click
    wait_for(lambda: len(saved) == 2)
    windows.focus = FORM
    hook.on_click(None, None, "right")
    wait_for(lambda: len(saved) == 3)
    capture.stop()
    steps = rows(database, process_id)
    assert [s.title for s in steps] == ['Double-click in "Password"',
                                        'Right-click in "Invoices — Test"']
    assert [s.window_title for s in steps] == ["Password", "Invoices — Test"]
    assert all(s.click_x is None and s.full_screenshot is not None for s in steps)


def test_take_step_shows_the_screen_after_it_was_asked(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, source, hook, windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360), fps=20
    )
    source.color = (0, 0, 200)  # a window of Baton's, say, before it hid
    capture.start()
    wait_for(lambda: capture.stats.frames_grabbed >= 2)
    source.color = (0, 150, 0)  # hidden now: the owner's window shows
    taken = threading.Event()
    assert capture.take_step(taken.set)
    wait_for(taken.is_set)
    assert len(saved) == 1  # told once the step is saved
    capture.pause()
    late = threading.Event()
    assert not capture.take_step(late.set)  # paused: no step, but the caller is told
    assert late.is_set()
    capture.stop()
    [step] = rows(database, process_id)
    assert step.title == 'Step in "Invoices — Test"'
    assert step.window_title == "Invoices — Test"
    assert (png(media, step.full_screenshot) == (0, 150, 0)).all()
    assert capture.stats.clicks == capture.stats.keys == 0


def test_the_take_step_key_takes_a_step_or_asks_the_window_to(
    database: Database, media: MediaStore, process_id: int
) -> None:
    capture, _source, hook, _windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360), take_step_key="Ctrl+Alt+P"
    )
    capture.start()
    hook.key("Ctrl+Alt+P")
    wait_for(lambda: len(saved) == 1)
    capture.stop()
    assert [s.title for s in rows(database, process_id)] == ['Step in "Invoices — Test"']

    asked: list[bool] = []
    capture, _source, hook, _windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360), take_step_key="Ctrl+Alt+P",
        on_take_step_key=lambda: asked.append(True))
    capture.start()
    hook.key("Ctrl+Alt+P")
    capture.stop()
    assert asked == [True]
    assert saved == []


def test_a_step_taken_while_baton_has_the_focus_is_of_the_window_before(
    database: Database, media: MediaStore, process_id: int
) -> None:
    """Clicking Take step on Wayland focuses Baton's bar: the step is of the window the
    owner was in, as the compositor's focus order tells."""
    bar = WindowInfo(9, "Baton — capturing steps", Region(0, 0, 300, 30), "baton")
    capture, _source, _hook, windows, saved = capture_for(
        database, media, process_id, region=Region(0, 0, 640, 360),
        skip_window=lambda window: window is not None and window.window_id == bar.window_id)
    windows.focus = bar
    windows.recently_focused = lambda: [bar, LOGIN, FORM]  # type: ignore[attr-defined]
    capture.start()
    capture.take_step()
    wait_for(lambda: len(saved) == 1)
    capture.stop()
    assert saved[0].title == 'Step in "Password"'


class PicturesOnChange(PaintedSource):
    """As the portal's PipeWire stream: ``grab`` gives the last picture it was sent."""

    frames_received = 1

    def deliver(self, color: tuple[int, int, int]) -> None:
        self.color = color
        self.frames_received += 1


@pytest.mark.parametrize(("pictures", "delay"), [(1, 0.2), (0, 1.0)])
def test_take_step_waits_for_the_picture_of_a_source_sent_only_changes(
    database: Database, media: MediaStore, process_id: int, pictures: int, delay: float
) -> None:
    """The next picture is awaited briefly; the first one (none came yet: wlr's portal
    sends it on the first change) longer."""
    source, hook, windows = PicturesOnChange(Region(0, 0, 640, 360)), ScriptedHook(), Windows()
    source.frames_received = pictures
    saved: list[SavedStep] = []
    capture = StepCapture(source, hook, windows, media,
                          Steps(database.sessions).appender(process_id), fps=20,
                          on_step=saved.append)
    source.color = (0, 0, 200)  # Baton's bar, before the compositor sent the hidden screen
    capture.start()
    wait_for(lambda: capture.stats.frames_grabbed >= 2)
    capture.take_step()
    time.sleep(delay)  # several grabs meanwhile, all of the old picture
    source.deliver((0, 150, 0))
    wait_for(lambda: len(saved) == 1)
    capture.stop()
    [step] = rows(database, process_id)
    assert (png(media, step.full_screenshot) == (0, 150, 0)).all()
