"""From input events to step jobs: which window, what to call the step, which frame.

``Describer`` runs on one thread (step capture's describe thread) and sees the events in
the order they happened; it needs no screen and no database, so tests feed it directly.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol, TypeVar

from baton.capture.platform.accessibility.base import Element
from baton.capture.platform.base import WindowInfo
from baton.capture.platform.input import InputKind
from baton.capture.recording.sources import Frame
from baton.capture.steps.naming import Namer
from baton.capture.steps.privacy import decide_typing
from baton.capture.steps.titles import (
    EDITING,
    ENDS_FIELD,
    SPACE,
    Typing,
    is_shortcut,
    window_title,
)
from baton.capture.steps.wording import Target, Wording

RING_FRAMES = 3
DOUBLE_CLICK_SECONDS = 0.5  # the desktops' usual double-click interval
DOUBLE_CLICK_PIXELS = 4
T = TypeVar("T")


class WindowLookup(Protocol):
    """Which window is where (the platform module: X11, or the null fallback)."""

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        """The window at a screen point."""

    def focused_window(self) -> WindowInfo | None:
        """The window that receives typing."""


class FrameRing:
    """The last few frames with the time their grab began (thread-safe)."""

    def __init__(self, size: int = RING_FRAMES) -> None:
        self._lock = threading.Lock()
        self._grabbed = threading.Condition(self._lock)
        self._frames: deque[tuple[float, Frame]] = deque(maxlen=size)

    def add(self, t: float, frame: Frame) -> None:
        with self._lock:
            self._frames.append((t, frame))
            self._grabbed.notify_all()

    def after(self, t: float, timeout: float) -> Frame | None:
        """The newest frame once one whose grab began after ``t`` is in, waiting up to
        ``timeout`` seconds for it (None: none came in time)."""
        with self._grabbed:
            if self._grabbed.wait_for(lambda: bool(self._frames) and self._frames[-1][0] > t,
                                      timeout):
                return self._frames[-1][1]
            return None

    def before(self, t: float) -> Frame | None:
        """The newest frame whose grab began at or before ``t`` (else the oldest kept)."""
        with self._lock:
            for grabbed_at, frame in reversed(self._frames):
                if grabbed_at <= t:
                    return frame
            return self._frames[0][1] if self._frames else None

    def newest(self) -> Frame | None:
        with self._lock:
            return self._frames[-1][1] if self._frames else None


@dataclass(frozen=True)
class StepEvent:
    """A click, a named key or typed text, with the frame grabbed just before it.

    Attributes:
        kind: a click, a key (``value`` is a label such as ``"Enter"``) or text
            (``value`` is the typed character).
        t: monotonic seconds when the event arrived.
        frame: the screen just before the event (None: nothing grabbed yet).
        video_time: seconds into the running recording, if any.
        x, y: screen pixels of a click (None: the place is unknown, as with the kernel's
            input devices on Wayland; the step is then of the focused window).
        value: the button of a click, the key label or the typed text.
    """

    kind: InputKind
    t: float
    frame: Frame | None
    video_time: float | None
    x: int | None = 0
    y: int | None = 0
    value: str = ""

    @property
    def place(self) -> tuple[int, int] | None:
        return (self.x, self.y) if self.x is not None and self.y is not None else None


Update = Callable[[Wording], None]
"""Something learned about a step after it was made (its element's name, the typing's
privacy), applied to its wording."""


@dataclass(frozen=True)
class StepJob:
    """A step to save: its wording and the frame its screenshots are made from.

    ``key`` numbers the steps of a capture; a double-click's second click and late names
    refer to their step by it.
    """

    key: int
    wording: Wording
    window_title: str
    frame: Frame | None
    t: float
    video_time: float | None
    click: tuple[int, int] | None = None
    """Screen pixels of the click, drawn as the numbered marker."""
    centre: tuple[int, int] | None = None
    """Screen pixels to crop around when there is no click (typing: the last click)."""
    retitles_previous: bool = False
    """A double- or triple-click: give the step of the first click (``key``) this many
    ``clicks`` instead of making a new step (its screenshot, from before the first click,
    stays)."""
    clicks: int = 1
    later: Future[Update] | None = None
    """What the namer will tell about the step (applied when done; the step is saved
    before that when it takes longer)."""

    @property
    def title(self) -> str:
        return self.wording.title()


def _done(update: Update) -> Future[Update]:
    future: Future[Update] = Future()
    future.set_result(update)
    return future


def _then(future: Future[T], make: Callable[[T], Update]) -> Future[Update]:
    """A future of ``make(result)`` once ``future`` is done."""
    mapped: Future[Update] = Future()

    def finish(done: Future[T]) -> None:
        try:
            mapped.set_result(make(done.result()))
        except Exception as error:  # noqa: BLE001 - handed to whoever waits
            mapped.set_exception(error)

    future.add_done_callback(finish)
    return mapped


class Describer:
    """Turns events into step jobs, collecting typing into one step per field.

    Args:
        windows: window lookups (done here, off the input threads).
        emit: receives each job in order.
        skip_window: windows whose clicks and typing make no step (Baton's own).
        ignore_keys: key labels that make no step (the capture on/off shortcut).
        namer: names clicks and finds the field typed into (None: windows only).
        keep_typing_in: applications whose typed text is kept where the field is unknown.
        origin: the screen position of the frames' top-left pixel (for OCR).
    """

    def __init__(
        self,
        windows: WindowLookup,
        emit: Callable[[StepJob], None],
        *,
        skip_window: Callable[[WindowInfo | None], bool] | None = None,
        ignore_keys: Iterable[str] = (),
        namer: Namer | None = None,
        keep_typing_in: Iterable[str] = (),
        origin: tuple[int, int] = (0, 0),
    ) -> None:
        self._windows = windows
        self._emit = emit
        self._skip = skip_window or (lambda _window: False)
        self._ignore_keys = frozenset(ignore_keys)
        self._namer = namer
        self._keep = frozenset(keep_typing_in)
        self._origin = origin
        self._typing: Typing | None = None
        self._typing_click: tuple[int, int] | None = None
        self._last_click: tuple[int, int] | None = None
        self._clicked_window: WindowInfo | None = None
        self._typed_since_click = True
        self._clicks: list[StepEvent] = []  # the clicks of the last step, if it was a click
        self._click_key = 0
        self._keys = 0
        self._last_window: int | None = None

    def describe(self, event: StepEvent) -> None:
        """Handle one event (in the order they happened)."""
        value = event.value
        if event.kind == InputKind.STEP:
            self.flush(event.frame, event.t)
            self._clicks = []
            self._take(event)
            return
        if event.kind == InputKind.CLICK:
            if self._repeats(event):
                self._repeat_click(event)
                return
            self.flush(event.frame, event.t)
            self._click(event)
            return
        self._clicks = []  # a key between two clicks: they are not a double-click
        if event.kind == InputKind.TEXT:
            self._type(event, value)
        elif value in self._ignore_keys:
            return
        elif value in SPACE:
            self._type(event, " ")
        elif value in EDITING:
            if self._typing is not None:
                self._typing.backspace()
        elif value in ENDS_FIELD and self._typing is not None:
            self._typed_since_click = True  # focus moves on: the click says nothing now
            then = value if value.endswith("Enter") else None
            if not self.flush(event.frame, event.t, then) and then:
                self._press(event)
        elif value in ENDS_FIELD:
            self._typed_since_click = True
            if is_shortcut(value):
                self._press(event)
        elif is_shortcut(value):
            self.flush(event.frame, event.t)
            self._press(event)

    def flush(self, frame: Frame | None, t: float, then: str | None = None) -> bool:
        """Emit the typing step, if any (its screenshot is ``frame``: typing done).

        Args:
            frame: the screen when typing ended.
            t: when typing ended (latency is measured from here).
            then: the key that ended typing, when it belongs to the step (``"Enter"``).

        Returns:
            Whether a typing step was emitted.
        """
        typing, self._typing = self._typing, None
        click, self._typing_click = self._typing_click, None
        if typing is None or typing.empty:
            return False
        wording = Wording("type", window_title(typing.window), key=then)
        wording.typed(typing.text)
        window, keep = typing.prompt or typing.window, self._keep

        def settle(fields: list[Element] | None) -> Update:
            privacy, name = decide_typing(fields, window, keep)
            return lambda w: w.decide(privacy, name)

        if self._namer is not None:
            found = self._namer.fields_typed_into(typing.started, t, typing.window, click)
            later = _then(found, settle)
        else:
            later = _done(settle(None))
        self._emit(StepJob(self._next_key(), wording, window_title(window), frame, t,
                           typing.video_time, centre=self._last_click, later=later))
        self._seen(window)
        return True

    def _next_key(self) -> int:
        self._keys += 1
        return self._keys

    def _seen(self, window: WindowInfo | None) -> bool:
        """Note the step's window; True when it differs from the step before."""
        window_id = window.window_id if window is not None else None
        changed = window_id != self._last_window
        self._last_window = window_id
        return changed

    def _click(self, event: StepEvent) -> None:
        place = event.place
        window = (self._windows.window_at(*place) if place is not None
                  else self._windows.focused_window())
        self._clicks = []
        if self._skip(window):
            return
        self._last_click, self._typed_since_click = place or _middle(window), False
        self._clicks, self._clicked_window = [event], window
        wording = Wording("click", window_title(window), show_window=self._seen(window),
                          button=event.value)
        later = None
        if self._namer is not None and place is not None:
            named = self._namer.name_click(*place, event.t, window, event.frame, self._origin)
            later = _then(named, _set_target)
        self._click_key = self._next_key()
        self._emit(StepJob(self._click_key, wording, window_title(window), event.frame,
                           event.t, event.video_time, click=place, centre=self._last_click,
                           later=later))

    def _take(self, event: StepEvent) -> None:
        """A step the owner asked for: the focused window, as the screen shows it now."""
        window = self._windows.focused_window()
        if self._skip(window):  # Baton has the focus (its bar was clicked, or its shortcut)
            recent: Callable[[], list[WindowInfo]] = getattr(
                self._windows, "recently_focused", list)
            window = next((w for w in recent() if not self._skip(w)), None)
        self._last_click = _middle(window) or self._last_click
        wording = Wording("take", window_title(window), show_window=self._seen(window))
        self._emit(StepJob(self._next_key(), wording, window_title(window), event.frame,
                           event.t, event.video_time, centre=self._last_click))

    def _repeats(self, event: StepEvent) -> bool:
        """Whether ``event`` is the second or third click of a double- or triple-click."""
        if not self._clicks or len(self._clicks) >= 3:
            return False
        last = self._clicks[-1]
        here, there = event.place, last.place
        near = (here is None and there is None) or (
            here is not None and there is not None
            and abs(here[0] - there[0]) <= DOUBLE_CLICK_PIXELS
            and abs(here[1] - there[1]) <= DOUBLE_CLICK_PIXELS)
        return (
            event.value == last.value
            and event.t - last.t <= DOUBLE_CLICK_SECONDS
            and near
        )

    def _repeat_click(self, event: StepEvent) -> None:
        self._clicks.append(event)
        first, window = self._clicks[0], self._clicked_window
        wording = Wording("click", window_title(window), button=first.value,
                          clicks=len(self._clicks))
        self._emit(StepJob(self._click_key, wording, window_title(window), None, event.t,
                           first.video_time, click=first.place, retitles_previous=True,
                           clicks=len(self._clicks)))

    def _type(self, event: StepEvent, text: str) -> None:
        window = self._windows.focused_window()
        typing = self._typing
        if typing is not None and not typing.same_field(window):
            self.flush(event.frame, event.t)
            typing = None
        if typing is None:
            if self._skip(window):
                return
            typing = self._typing = Typing(window, event.video_time, started=event.t)
            clicked_here = (not self._typed_since_click and self._clicked_window is not None
                            and window is not None
                            and self._clicked_window.window_id == window.window_id)
            self._typing_click = self._last_click if clicked_here else None
        typing.type(text, window)

    def _press(self, event: StepEvent) -> None:
        window = self._windows.focused_window()
        if not self._skip(window):
            wording = Wording("press", window_title(window), key=event.value)
            self._emit(StepJob(self._next_key(), wording, window_title(window), event.frame,
                               event.t, event.video_time, centre=self._last_click))
            self._seen(window)


def _middle(window: WindowInfo | None) -> tuple[int, int] | None:
    """The middle of a window on the screen (None: unknown)."""
    if window is None or window.region.width <= 0 or window.region.height <= 0:
        return None
    area = window.region
    return area.left + area.width // 2, area.top + area.height // 2


def _set_target(target: Target | None) -> Update:
    def update(wording: Wording) -> None:
        if target is not None:
            wording.target = target

    return update
