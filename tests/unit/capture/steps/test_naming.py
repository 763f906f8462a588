"""Step names and typing privacy without a desktop: fake accessibility trees, real OCR."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest

from baton.capture.platform.accessibility import base
from baton.capture.platform.accessibility.atspi_bus import FocusLog, Node
from baton.capture.platform.accessibility.base import Element
from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Region
from baton.capture.steps.capture import StepCapture
from baton.capture.steps.masking import hide_regions
from baton.capture.steps.naming import Namer
from baton.capture.steps.ocr import Reader
from baton.capture.steps.privacy import Privacy, decide, decide_typing, parse_apps
from baton.capture.steps.sink import SavedStep
from baton.capture.steps.wording import Target, Wording
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.step_appender import StepAppender
from baton.core.steps import StepContent, StepRow

FORM = WindowInfo(1, "Sign up — Browser", Region(0, 0, 960, 1080), "Chromium", pid=10)
TERMINAL = WindowInfo(2, "Terminal", Region(960, 0, 960, 1080), "XTerm", pid=20)
NAME = Element(base.FIELD, "Full name", focused=True)
PASSWORD = Element(base.PASSWORD, "Password", focused=True)


# -- privacy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "window", "keep", "expected"),
    [
        (NAME, FORM, (), Privacy.KEEP),
        (PASSWORD, FORM, ("chromium",), Privacy.SECRET),
        (Element(base.FIELD, "One-time code"), FORM, (), Privacy.SECRET),
        (Element(base.FIELD, "PIN"), FORM, (), Privacy.SECRET),
        # A known ordinary field keeps its text even in a window titled "Sign in".
        (NAME, WindowInfo(3, "Sign in", FORM.region, "app"), (), Privacy.KEEP),
        (None, TERMINAL, (), Privacy.WITHHELD),
        (None, TERMINAL, ("xterm",), Privacy.KEEP),
        (Element(base.TERMINAL, "Terminal"), TERMINAL, (), Privacy.WITHHELD),
        (None, WindowInfo(3, "Enter passphrase", FORM.region, "xterm"), ("xterm",),
         Privacy.SECRET),
        (None, None, ("xterm",), Privacy.SECRET),
    ],
)
def test_the_field_decides_what_typing_may_say(
    field: Element | None, window: WindowInfo | None, keep: tuple[str, ...], expected: Privacy
) -> None:
    assert decide(field, window, keep) is expected


def test_typing_is_as_private_as_the_strictest_field_that_had_the_focus() -> None:
    assert decide_typing([NAME, PASSWORD], FORM) == (Privacy.SECRET, "Password")
    assert decide_typing([NAME, Element(base.OTHER)], FORM) == (Privacy.WITHHELD, "Full name")
    assert decide_typing([NAME], FORM) == (Privacy.KEEP, "Full name")
    assert decide_typing(None, TERMINAL) == (Privacy.WITHHELD, "")
    assert parse_apps(" XTerm, gnome-terminal ,,") == {"xterm", "gnome-terminal"}


# -- wording -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "button", "clicks", "title"),
    [
        (Target(base.BUTTON, "Create account"), "left", 1, 'Click "Create account"'),
        (Target(base.FIELD, "Email"), "left", 1, 'Click the "Email" field'),
        (Target(base.CHECK_BOX, "Send a copy", checked=True), "left", 1, 'Check "Send a copy"'),
        (Target(base.CHECK_BOX, "Send a copy", checked=False), "left", 1,
         'Uncheck "Send a copy"'),
        (Target(base.RADIO, "Monthly", checked=True), "left", 1, 'Select "Monthly"'),
        (Target(base.ITEM, "Monthly", container="Frequency"), "left", 1,
         'Select "Monthly" in "Frequency"'),
        (Target(base.COMBO, "Country"), "left", 1, 'Open the "Country" list'),
        (Target(base.ITEM, "Report.pdf"), "left", 2, 'Double-click "Report.pdf"'),
        (Target(base.ITEM, "Invoices"), "right", 1, 'Right-click "Invoices"'),
        (Target(base.FIELD, "Notes"), "left", 3, 'Triple-click the "Notes" field'),
        (Target(None, "Create account"), "left", 1, 'Click "Create account"'),
        (Target(None, "Save", near=True), "left", 1, 'Click near "Save"'),
        (None, "left", 1, 'Click in "Sign up — Browser"'),
        (None, "right", 2, 'Double-right-click in "Sign up — Browser"'),
    ],
)
def test_click_titles_name_the_element(
    target: Target | None, button: str, clicks: int, title: str
) -> None:
    wording = Wording("click", FORM.title, button=button, clicks=clicks, target=target)
    assert wording.title() == title


def test_the_window_is_context_when_the_step_moves_to_another() -> None:
    wording = Wording("click", FORM.title, show_window=True,
                      target=Target(base.BUTTON, "Create account"))
    assert wording.title() == 'Click "Create account" in "Sign up — Browser"'


def test_typing_titles_show_text_only_once_kept() -> None:
    wording = Wording("type", "Terminal", key="Enter")
    wording.typed("Maria Lopez")
    assert wording.title() == 'Type in "Terminal", then press Enter'  # not decided yet
    wording.decide(Privacy.KEEP, "Full name")
    assert wording.title() == 'Type "Maria Lopez" in "Full name", then press Enter'
    secret = Wording("type", "Sign up")
    secret.typed("hunter2")
    secret.decide(Privacy.SECRET, "Password")
    assert secret.title() == 'Type •••••• in "Password"'
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in repr(vars(secret))


# -- the namer -----------------------------------------------------------------------------


class FakeTree:
    """An accessibility tree from a table, optionally slow; counts the questions."""

    def __init__(self, at: dict[tuple[int, int], Element], delay: float = 0.0) -> None:
        self.at = at
        self.delay = delay
        self.focus: list[Element] | None = None
        self.asked = 0
        self.closed = False

    def element_at(self, x: int, y: int, window: WindowInfo | None,
                   timeout: float) -> Element | None:
        self.asked += 1
        time.sleep(self.delay)
        return self.at.get((x, y))

    def focused_since(self, window: WindowInfo | None, since: float, until: float,
                      timeout: float) -> list[Element] | None:
        time.sleep(self.delay)
        return self.focus

    def close(self) -> None:
        self.closed = True


class FakeReader:
    def __init__(self, words: str | None) -> None:
        self.words = words
        self.seen: list[tuple[int, int]] = []

    def words_at(self, frame: Any, x: int, y: int) -> Any:
        self.seen.append((x, y))
        return None if self.words is None else SimpleNamespace(text=self.words, on=True)

    def close(self) -> None:
        return None


def test_clicks_are_named_by_the_tree_then_by_ocr() -> None:
    tree = FakeTree({(10, 10): Element(base.BUTTON, "Create account")})
    reader = FakeReader("Cancel")
    namer = Namer(lambda: tree, lambda: reader)
    frame = np.zeros((4, 4, 4), np.uint8)
    try:
        named = namer.name_click(10, 10, time.monotonic(), FORM, frame).result(5)
        assert named == Target(base.BUTTON, "Create account")
        ocr = namer.name_click(500, 40, time.monotonic(), FORM, frame, (100, 0)).result(5)
        assert ocr == Target(None, "Cancel")
        assert reader.seen == [(400, 40)]
    finally:
        namer.close()
    assert tree.closed


def test_a_check_box_is_named_with_its_state_after_the_click() -> None:
    tree = FakeTree({(5, 5): Element(base.CHECK_BOX, "Send a copy", checked=False)})
    namer = Namer(lambda: tree)
    clicked = time.monotonic()
    # The click toggles it: the tree says so once the application has handled it.
    threading.Timer(0.05, lambda: tree.at.update(
        {(5, 5): Element(base.CHECK_BOX, "Send a copy", checked=True)})).start()
    try:
        target = namer.name_click(5, 5, clicked, FORM, None).result(5)
    finally:
        namer.close()
    assert target is not None
    assert target.checked is True
    assert tree.asked == 2


def test_typing_falls_back_to_the_clicked_field_only_where_focus_is_never_told() -> None:
    tree = FakeTree({(5, 5): NAME})
    namer = Namer(lambda: tree)
    try:
        assert namer.fields_typed_into(0.0, 1.0, FORM, (5, 5)).result(5) == [NAME]
        assert namer.fields_typed_into(0.0, 1.0, FORM, None).result(5) is None
        tree.focus = [PASSWORD]
        assert namer.fields_typed_into(0.0, 1.0, FORM, (5, 5)).result(5) == [PASSWORD]
    finally:
        namer.close()


@pytest.mark.logs_error("accessibility could not be opened")
def test_a_broken_tree_names_nothing_and_capture_goes_on() -> None:
    def broken() -> Any:
        raise RuntimeError("no bus")

    namer = Namer(broken)
    try:
        assert namer.name_click(1, 1, 0.0, FORM, None).result(5) is None
    finally:
        namer.close()


def test_focus_log_tells_what_had_the_focus_from_a_moment_on() -> None:
    now = [0.0]
    log = FocusLog(clock=lambda: now[0])

    def event(sender: str, path: str, gained: int = 1) -> SimpleNamespace:
        from jeepney import HeaderFields

        return SimpleNamespace(body=("focused", gained, 0, None),
                               header=SimpleNamespace(fields={HeaderFields.sender: sender,
                                                              HeaderFields.path: path}))

    assert log.since({":1.5"}, 0.0, 9.0) is None
    for t, path in ((1.0, "/a"), (2.0, "/b"), (3.0, "/c"), (4.0, "/d")):
        now[0] = t
        log.put_nowait(event(":1.5", path))
    log.put_nowait(event(":1.5", "/lost", gained=0))
    log.put_nowait(event(":1.9", "/other"))  # another application
    # Typing from 2.5 to 3.5: /b had the focus, /c got it meanwhile; /d came after (Tab).
    found = log.since({":1.5"}, 2.5, 3.5)
    assert found is not None
    assert [focus.node for focus in found] == [
        Node(":1.5", "/b"), Node(":1.5", "/c")]


# -- capture: names that arrive after the save --------------------------------------------


class Source:
    region = Region(0, 0, 640, 360)

    def grab(self) -> np.ndarray:
        return np.full((360, 640, 4), 200, np.uint8)

    def close(self) -> None:
        return None


class Hook:
    def start(self, on_click: Any, on_key: Any, on_text: Any = None) -> None:
        self.on_click, self.on_key, self.on_text = on_click, on_key, on_text

    def stop(self) -> None:
        return None


class Windows:
    def window_at(self, x: int, y: int) -> WindowInfo | None:
        return FORM

    def focused_window(self) -> WindowInfo | None:
        return FORM


class RecordingSink(StepAppender):
    """Keeps every title ever written, to prove what never reached the database."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.written: list[str] = []

    def add(self, steps: Any) -> list[StepRow]:
        self.written += [step.title for step in steps]
        return super().add(steps)

    def retitle(self, step_id: int, title: str) -> str:
        self.written.append(title)
        return super().retitle(step_id, title)


def test_saving_never_waits_for_a_name_and_the_title_follows(
    database: Database, tmp_path: Path
) -> None:
    process = Library(database.sessions).add_process(ProcessDraft("Sign up"))
    sink = RecordingSink(database.sessions, process.id)
    sink.add([StepContent(title="Open the page")])
    tree = FakeTree({(10, 10): Element(base.BUTTON, "Create account")}, delay=0.6)
    tree.focus = [PASSWORD]
    saved: list[SavedStep] = []
    hook = Hook()
    capture = StepCapture(Source(), hook, Windows(), MediaStore(tmp_path / "media"), sink,
                          fps=5, on_step=saved.append, namer=Namer(lambda: tree))
    capture.start()
    hook.on_click(10, 10, "left")
    for char in "Hunter2Secret":
        hook.on_text(char)
    hook.on_key("Enter")
    deadline = time.monotonic() + 10
    while len(saved) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [step.title for step in saved[:2]] == ['Click in "Sign up — Browser"',
                                                 'Type in "Sign up — Browser", then press Enter']
    assert all(step.latency is not None and step.latency < 0.5 for step in saved[:2])
    stats = capture.stop()  # waits for the names still coming
    assert stats.named_late == 2
    titles = [row.title for row in _rows(database, process.id)]
    assert titles == ["Open the page", 'Click "Create account" in "Sign up — Browser"',
                      'Type •••••• in "Password", then press Enter']
    assert not any("Hunter" in title for title in sink.written)
    assert saved[-1].title == titles[-1]


def _rows(database: Database, process_id: int) -> list[Any]:
    from baton.core.steps import Steps

    return Steps(database.sessions).list(process_id)


# -- masking and OCR ----------------------------------------------------------------------


def test_own_windows_are_painted_with_the_colour_around_them() -> None:
    image = np.full((100, 200, 3), (10, 20, 30), np.uint8)
    image[40:60, 50:150] = (0, 0, 255)  # the recording bar
    assert hide_regions(image, [Region(1050, 540, 100, 20)], (1000, 500))
    assert (image == (10, 20, 30)).all()
    assert not hide_regions(image, [Region(0, 0, 10, 10)], (1000, 500))


def _ui_strip(dark: bool = False) -> np.ndarray:
    background, ink = ((40, 40, 40), (235, 235, 235)) if dark else ((245, 245, 245), (20, 20, 20))
    image = np.full((300, 900, 4), (*background, 255), np.uint8)
    cv2.putText(image, "Create account", (100, 150), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (*ink, 255), 1, cv2.LINE_AA)
    cv2.putText(image, "Cancel", (400, 150), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (*ink, 255), 1,
                cv2.LINE_AA)
    return image


@pytest.mark.parametrize("dark", [False, True])
def test_ocr_reads_the_words_under_the_click(dark: bool) -> None:
    reader = Reader()
    try:
        frame = _ui_strip(dark)
        assert _words(reader, frame, 150, 145) == ("Create account", True)
        assert _words(reader, frame, 430, 145) == ("Cancel", True)
        assert _words(reader, frame, 200, 172) == ("Create account", False)  # just below
        assert reader.words_at(frame, 800, 280) is None
    finally:
        reader.close()


def _words(reader: Reader, frame: np.ndarray, x: int, y: int) -> tuple[str, bool] | None:
    words = reader.words_at(frame, x, y)
    return None if words is None else (words.text, words.on)
