"""Step capture's pure parts: titles, typing per field, password privacy, marker, crop."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Region
from baton.capture.steps.events import Describer, FrameRing, StepEvent, StepJob
from baton.capture.steps.render import Crop, crop_for, cut
from baton.capture.steps.shots import store_screenshots
from baton.capture.steps.titles import HIDDEN, looks_secret, shortcut_label
from baton.core.media import MediaStore

INVOICES = WindowInfo(1, "Invoices — Test", Region(0, 0, 400, 300), "app")
NOTES = WindowInfo(2, "Notes", Region(500, 0, 400, 300), "app")
PASSWORD = WindowInfo(3, "Password", Region(0, 400, 400, 300), "app")
BATON = WindowInfo(4, "Baton", Region(1000, 400, 400, 300), "baton")


class Windows:
    """Window lookups from a fixed list; the focus is set by the test."""

    def __init__(self) -> None:
        self.focus: WindowInfo | None = INVOICES

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        for window in (INVOICES, NOTES, PASSWORD, BATON):
            region = window.region
            if region.left <= x < region.right and region.top <= y < region.bottom:
                return window
        return None

    def focused_window(self) -> WindowInfo | None:
        return self.focus


class Script:
    """Feeds a Describer events and collects the titles of the jobs it emits."""

    def __init__(self, **options: object) -> None:
        self.windows = Windows()
        self.jobs: list[StepJob] = []
        self.describer = Describer(self.windows, self.jobs.append, **options)  # type: ignore[arg-type]
        self.t = 0.0

    def click(self, x: int, y: int, button: str = "left") -> None:
        self.t += 1
        self.describer.describe(StepEvent("click", self.t, None, None, x, y, button))

    def type(self, text: str) -> None:
        for char in text:
            self.t += 0.1
            self.describer.describe(StepEvent("text", self.t, None, self.t, value=char))

    def key(self, label: str) -> None:
        self.t += 0.1
        self.describer.describe(StepEvent("key", self.t, None, None, value=label))

    @property
    def titles(self) -> list[str]:
        """The titles as saved: what was learned about each step applied (as the save
        thread does)."""
        for job in self.jobs:
            if job.later is not None:
                job.later.result(timeout=5)(job.wording)
        return [job.title for job in self.jobs]


def test_clicks_are_titled_with_the_window_under_the_pointer() -> None:
    script = Script()
    script.click(10, 10)
    script.click(600, 10, "right")
    script.click(1900, 1000)
    assert script.titles == ['Click in "Invoices — Test"', 'Right-click in "Notes"', "Click"]
    assert script.jobs[0].click == (10, 10)
    assert script.jobs[0].window_title == "Invoices — Test"


def test_typing_is_one_step_per_field() -> None:
    script = Script(keep_typing_in={"app"})
    script.click(10, 10)
    script.type("INV")
    script.key("Space")
    script.type("42x")
    script.key("Backspace")
    script.key("Tab")
    script.type("March")
    script.key("Enter")
    script.key("Enter")
    script.windows.focus = NOTES
    script.type("paid")
    script.windows.focus = INVOICES  # focus moved: a new field
    script.type("ok")
    script.key("Ctrl+S")
    script.click(10, 10)
    assert script.titles == [
        'Click in "Invoices — Test"',
        'Type "INV 42" in "Invoices — Test"',
        'Type "March" in "Invoices — Test", then press Enter',
        'Press Enter in "Invoices — Test"',
        'Type "paid" in "Notes"',
        'Type "ok" in "Invoices — Test"',
        'Press Ctrl+S in "Invoices — Test"',
        'Click in "Invoices — Test"',
    ]
    typed = script.jobs[1]
    assert typed.click is None
    assert typed.centre == (10, 10)
    assert typed.video_time == pytest.approx(1.1)  # when typing began


def test_typing_where_the_field_is_unknown_is_withheld() -> None:
    script = Script(keep_typing_in={"other-app"})
    script.click(10, 10)
    script.type("Maria")
    script.key("Enter")
    assert script.titles[1] == 'Type in "Invoices — Test", then press Enter'
    assert "Maria" not in repr(script.jobs[1].wording)


def test_erased_typing_and_editing_keys_make_no_step() -> None:
    script = Script()
    script.type("ab")
    script.key("Backspace")
    script.key("Backspace")
    script.key("Left")
    script.key("Tab")
    script.key("Shift")
    assert script.titles == []


def test_passwords_are_never_kept() -> None:
    script = Script()
    script.windows.focus = PASSWORD
    script.type("hunter2")
    script.key("Enter")
    script.windows.focus = None  # nothing tells where typing goes: keep nothing either
    script.type("s3cret")
    script.windows.focus = WindowInfo(1, "Invoices — Test", INVOICES.region, "pinentry-qt")
    script.type("z9z9")
    script.describer.flush(None, 99.0)
    assert script.titles == [
        f'Type {HIDDEN} in "Password", then press Enter',
        f"Type {HIDDEN}",
        f'Type {HIDDEN} in "Invoices — Test"',
    ]
    assert not any(secret in repr(script.jobs) for secret in ("hunter2", "s3cret", "z9z9"))


def test_a_window_that_turns_into_a_password_prompt_hides_what_was_typed() -> None:
    script = Script(keep_typing_in={"app"})
    script.type("user")
    script.windows.focus = WindowInfo(1, "Enter password", INVOICES.region, "app")
    script.type("pw")
    script.key("Tab")
    # Same window (same id), now titled as a prompt: the whole field is hidden.
    assert script.titles == [f'Type {HIDDEN} in "Invoices — Test"']


def test_own_windows_and_the_shortcut_make_no_step() -> None:
    script = Script(skip_window=lambda window: window is not None and window.app == "baton",
                    ignore_keys={"Ctrl+Shift+S"})
    script.click(1100, 500)
    script.windows.focus = BATON
    script.type("search")
    script.key("Ctrl+Shift+S")
    script.key("Enter")
    assert script.titles == []


@pytest.mark.parametrize(
    ("title", "app", "secret"),
    [
        ("Invoices — Mozilla Firefox", "firefox", False),
        ("Pinned tabs", "firefox", False),
        ("Blog in progress", "gedit", False),
        ("Password", "app", True),
        ("Enter PIN", "app", True),
        ("Unlock keyring", "gcr", True),
        ("Sign in – Google Accounts — Mozilla Firefox", "firefox", True),
        ("Login", "app", True),
        ("Enter passphrase", "app", True),
        ("Authenticate", "polkit-gnome-authentication-agent-1", True),
        ("", "pinentry-gtk-2", True),
    ],
)
def test_what_looks_like_a_password_prompt(title: str, app: str, secret: bool) -> None:
    assert looks_secret(WindowInfo(9, title, Region(0, 0, 1, 1), app)) is secret


def test_shortcut_labels_match_what_the_input_hook_reports() -> None:
    assert shortcut_label("<ctrl>+<alt>+s") == "Ctrl+Alt+S"
    assert shortcut_label("<shift>+<ctrl>+<f9>") == "Ctrl+Shift+F9"


def test_long_titles_are_cut() -> None:
    script = Script()
    script.windows.focus = WindowInfo(9, "x" * 300, Region(0, 0, 1, 1))
    script.key("Ctrl+S")
    assert len(script.titles[0]) < 120
    assert script.titles[0].endswith('…"')


def test_ring_gives_the_frame_grabbed_just_before() -> None:
    ring = FrameRing(3)
    frames = [np.full((2, 2, 4), value, np.uint8) for value in range(5)]
    assert ring.before(1.0) is None
    for t, frame in enumerate(frames):
        ring.add(float(t), frame)
    assert ring.before(3.5) is frames[3]
    assert ring.before(4.0) is frames[4]
    assert ring.before(0.5) is frames[2]  # older than the ring: the oldest kept
    assert ring.newest() is frames[4]


@pytest.mark.parametrize(
    ("size", "point", "expected"),
    [
        ((1280, 720), (5, 5), Crop(0, 0, 1280, 720)),
        ((1600, 900), (5, 5), Crop(0, 0, 1600, 900)),
        ((1920, 1080), (960, 540), Crop(320, 180, 1280, 720)),
        ((1920, 1080), (10, 1070), Crop(0, 360, 1280, 720)),
        ((1920, 1080), (1919, 0), Crop(640, 0, 1280, 720)),
        ((3840, 2160), (3000, 100), Crop(1920, 0, 1920, 1080, 2 / 3)),
    ],
)
def test_crop_around_the_click(
    size: tuple[int, int], point: tuple[int, int], expected: Crop
) -> None:
    assert crop_for(*size, *point) == expected


def test_the_click_follows_the_crop_of_a_large_screen(tmp_path: Path) -> None:
    """A 4K frame is cropped and scaled to 1280x720; the click comes back in the crop's
    pixels, on the very spot that was clicked (a dot painted there)."""
    frame = np.full((2160, 3840, 4), 255, np.uint8)
    cv2.circle(frame, (3000, 100), 9, (0, 0, 200, 255), -1)
    media = MediaStore(tmp_path / "media")
    with ThreadPoolExecutor(1) as encoder:
        shot, full, click = store_screenshots(frame, Region(0, 0, 3840, 2160), (3000, 100),
                                              None, (1280, 720), [], encoder, media)
    picture = cv2.imdecode(np.frombuffer(media.read_bytes(shot), np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == (720, 1280, 3)
    assert shot != full
    assert click == (round((3000 - 1920) * 2 / 3), round(100 * 2 / 3))
    assert tuple(picture[click[1], click[0]]) == (0, 0, 200)
    assert np.array_equal(cut(frame[:, :, :3].copy(), crop_for(3840, 2160, 3000, 100)),
                          picture)


class Clicks(Script):
    """Clicks at chosen times (seconds), to tell double-clicks from two clicks."""

    def click_at(self, t: float, x: int, y: int, button: str = "left") -> None:
        self.t = t
        self.describer.describe(StepEvent("click", t, None, None, x, y, button))


def test_a_double_click_retitles_its_step_instead_of_making_two() -> None:
    script = Clicks()
    script.click_at(1.0, 10, 10)
    script.click_at(1.3, 12, 11)  # within the interval and a few pixels
    assert script.titles == ['Click in "Invoices — Test"', 'Double-click in "Invoices — Test"']
    first, again = script.jobs
    assert not first.retitles_previous
    assert again.retitles_previous
    assert again.click == (10, 10)
    assert again.frame is None


def test_a_triple_click_then_a_fourth_click() -> None:
    script = Clicks()
    for t in (1.0, 1.2, 1.4, 1.6):
        script.click_at(t, 600, 10)
    assert script.titles == [
        'Click in "Notes"',
        'Double-click in "Notes"',
        'Triple-click in "Notes"',
        'Click in "Notes"',  # a fourth click is a new click
    ]
    assert [job.retitles_previous for job in script.jobs] == [False, True, True, False]


@pytest.mark.parametrize(
    "second",
    [
        (1.6, 10, 10, "left"),  # too slow
        (1.2, 30, 10, "left"),  # too far
        (1.2, 10, 10, "right"),  # another button
    ],
)
def test_two_clicks_that_are_not_a_double_click(second: tuple[float, int, int, str]) -> None:
    script = Clicks()
    script.click_at(1.0, 10, 10)
    script.click_at(*second)
    assert [job.retitles_previous for job in script.jobs] == [False, False]


def test_a_key_between_two_clicks_makes_them_two_steps() -> None:
    script = Clicks()
    script.click_at(1.0, 10, 10)
    script.describer.describe(StepEvent("key", 1.1, None, None, value="Ctrl+C"))
    script.click_at(1.2, 10, 10)
    assert [job.retitles_previous for job in script.jobs] == [False, False, False]


def test_a_double_click_in_a_skipped_window_makes_no_step() -> None:
    script = Clicks(skip_window=lambda window: window is BATON)
    x, y = BATON.region.left + 5, BATON.region.top + 5
    script.click_at(1.0, x, y)
    script.click_at(1.2, x, y)
    assert script.jobs == []
