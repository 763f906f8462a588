"""Step capture: every click becomes a step with a screenshot taken just before it.

Three threads, so the user is never slowed down:

- grab: keeps a short ring of recent screen frames (``fps`` a second);
- describe: turns input events into step jobs in order (window titles, typing collected
  into one "Type ..." step per field, shortcuts), and asks the namer (its own thread:
  accessibility, then OCR) what each click landed on and which field typing went into;
- save (``saving.StepSaver``): draws the click marker, encodes the PNGs, stores them and
  writes the row; when the namer answers later, it writes the step's title again.

The input callbacks only pick the frame grabbed just before the event (a reference from
the ring) and enqueue; they never wait for the screen, the disk or the database, and no
step waits for its name. Typed text reaches the row only once the field says it may (see
``privacy.py``); until then the title says only where something was typed.
``on_step`` and ``on_error`` are called from the save thread: a GUI forwards them to its
own thread through a signal.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.input import InputKind, KeyHandler, StepClickHandler, TextHandler
from baton.capture.platform.screens import Region
from baton.capture.recording.sources import DisplayLost, FrameSource
from baton.capture.steps.events import (
    Describer,
    FrameRing,
    StepEvent,
    WindowLookup,
)
from baton.capture.steps.naming import Namer
from baton.capture.steps.render import CROP_SIZE
from baton.capture.steps.saving import StepSaver
from baton.capture.steps.sink import SavedStep, StepSink
from baton.capture.steps.take import TakeRequests
from baton.core.media import MediaStore
from baton.errors import UserError
from baton.util.images import encode_png

log = logging.getLogger("baton.capture")

DEFAULT_FPS = 10.0
STOP_TIMEOUT = 30.0
Clock = Callable[[], float]
VideoClock = Callable[[], "float | None"]


class TypingHook(Protocol):
    """Desktop-wide input that also tells typed characters (``PynputHook``, ``EvdevHook``)."""

    def start(
        self, on_click: StepClickHandler, on_key: KeyHandler, on_text: TextHandler | None = None
    ) -> None:
        """Start watching; raises ``UserError`` when input cannot be watched."""

    def stop(self) -> None:
        """Stop watching."""


@dataclass
class CaptureStats:
    """What a step capture session did."""

    clicks: int = 0
    keys: int = 0
    frames_grabbed: int = 0
    steps_saved: int = 0
    steps_failed: int = 0
    errors: list[str] = field(default_factory=list)
    named_late: int = 0
    """Steps whose title was written again when their name arrived after the save."""


class StepCapture:
    """Turns clicks and typing into steps of one process while it runs.

    Args:
        source: frames of the whole area clicks can land in (screen pixels).
        hook: desktop-wide input; its callbacks must not block.
        windows: window titles at a point and of the focused window.
        media: where the PNGs go.
        sink: where the steps go (appended after the process's last step).
        clock: monotonic seconds.
        video_clock: seconds into a running recording (None: not recording, or paused);
            each step gets the time of its click as ``video_time``.
        fps: how often the screen is grabbed into the ring.
        crop_size: the largest step screenshot; larger screens are cropped around the click.
        skip_window: clicks and typing in windows it returns True for make no step
            (Baton's own windows).
        ignore_keys: key labels that make no step (the start/stop shortcut, ``"Ctrl+Shift+S"``).
        on_step: called (save thread) with each saved step.
        on_error: called (any capture thread) with each problem; capture goes on if it can.
        closers: called after ``stop`` (closing the connections made for this capture).
        namer: names clicks and typed-into fields (None: steps are named by window);
            closed by ``stop``.
        keep_typing_in: applications whose typed text is kept where the field is unknown
            (the ``steps.keep_typing_in`` setting).
        own_windows: where Baton's own windows are now (screen pixels), painted over in
            the screenshots.
        take_step_key: the key label that takes a step like "Take step" does (it makes no
            step of its own).
        on_take_step_key: called (input thread) instead when that key is pressed, so the
            GUI can hide its windows first and then call ``take_step``.
        ignore_click: clicks at screen points it returns True for make no step (Baton's
            capture bar, which may be hidden by the time the click is looked at); called on
            the input thread, so it must answer at once.
    """

    def __init__(
        self,
        source: FrameSource,
        hook: TypingHook,
        windows: WindowLookup,
        media: MediaStore,
        sink: StepSink,
        *,
        clock: Clock = time.monotonic,
        video_clock: VideoClock | None = None,
        fps: float = DEFAULT_FPS,
        crop_size: tuple[int, int] = CROP_SIZE,
        skip_window: Callable[[WindowInfo | None], bool] | None = None,
        ignore_keys: Iterable[str] = (),
        on_step: Callable[[SavedStep], None] | None = None,
        on_error: Callable[[UserError], None] | None = None,
        closers: Iterable[Callable[[], None]] = (),
        namer: Namer | None = None,
        keep_typing_in: Iterable[str] = (),
        own_windows: Callable[[], Iterable[Region]] | None = None,
        take_step_key: str | None = None,
        on_take_step_key: Callable[[], None] | None = None,
        ignore_click: Callable[[int, int], bool] | None = None,
    ) -> None:
        self._source = source
        self._hook = hook
        self._sink = sink
        self._clock = clock
        self._video_clock = video_clock
        self._period = 1.0 / fps
        self._on_error = on_error
        self._closers = list(closers)
        self.stats = CaptureStats()
        self.ring = FrameRing()
        self._events: queue.Queue[StepEvent | None] = queue.Queue()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False
        self._namer = namer
        self._take_step_key = take_step_key
        self._on_take_step_key = on_take_step_key
        self._ignore_click = ignore_click
        self._taken = TakeRequests(source, self.ring, clock, self._stop)
        region = source.region
        self._saver = StepSaver(sink, media, region, crop_size, own_windows, self._taken,
                                self.stats, clock, self._report, on_step)
        if namer is not None:
            namer.read_when_quiet(self._saver.quiet)
        self._describer = Describer(windows, self._saver.jobs.put, skip_window=skip_window,
                                    ignore_keys=ignore_keys, namer=namer,
                                    keep_typing_in=keep_typing_in,
                                    origin=(region.left, region.top))

    # -- control ---------------------------------------------------------------------

    def start(self) -> None:
        """Grab the first frame, start the threads, then watch the input.

        Raises:
            UserError: the process is gone, or the screen or the input cannot be watched.
        """
        if self._started:
            raise RuntimeError("a step capture can be started once")
        self._started = True
        try:
            self._sink.next_position()
            self.ring.add(self._clock(), self._source.grab())
            encode_png(np.zeros((8, 8, 3), np.uint8), quick=True)  # load the codec now
            self._saver.open()
            for target, name in ((self._grab_loop, "grab"), (self._describe_loop, "describe"),
                                 (self._saver.run, "save")):
                thread = threading.Thread(target=target, name=f"baton-step-{name}",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
            self._hook.start(self._on_click, self._on_key, self._on_text)
        except BaseException:
            self._finish(hook_started=False)
            raise

    def pause(self) -> None:
        """Ignore clicks and keys until ``resume``."""
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def stop(self) -> CaptureStats:
        """Stop watching, save what is pending (typing too), and return the stats."""
        if not self._stop.is_set():
            self._finish(hook_started=True)
        return self.stats

    def _finish(self, *, hook_started: bool) -> None:
        if hook_started:
            self._hook.stop()
        self._stop.set()
        self._events.put(None)
        deadline = time.monotonic() + STOP_TIMEOUT
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("step capture thread %s did not finish", thread.name)
        self._threads = []
        self._saver.close()  # names still being read need not wait for saves any more
        if self._namer is not None:
            self._namer.close()
        self._source.close()
        for close in self._closers:
            close()

    # -- input callbacks (input threads: only look up the frame and enqueue) ---------

    def _event(self, kind: InputKind, x: int | None = 0, y: int | None = 0,
               value: str = "") -> bool:
        if self._paused.is_set() or self._stop.is_set():
            return False
        t = self._clock()
        video_time = self._video_clock() if self._video_clock is not None else None
        if kind == InputKind.CLICK:
            self.stats.clicks += 1
        elif kind != InputKind.STEP:
            self.stats.keys += 1
        frame = None if kind == InputKind.STEP else self.ring.before(t)  # STEP: one after t
        self._events.put(StepEvent(kind, t, frame, video_time, x, y, value))
        return True

    def take_step(self, on_taken: Callable[[], None] | None = None) -> bool:
        """Make a step of the screen as it is now and the focused window ("Take step").

        Its screenshot is the first frame grabbed after this call: hide what must not be
        in it first, and show it again when ``on_taken`` is called (save thread: the
        screenshot is made, Baton's windows painted out where they were then), or at once
        when no step is taken (paused or stopped). Returns whether one is.
        """
        return self._taken.ask(on_taken, lambda: self._event(InputKind.STEP))

    def _on_click(self, x: int | None, y: int | None, button: str) -> None:
        if (x is not None and y is not None and self._ignore_click is not None
                and self._ignore_click(x, y)):
            return
        self._event(InputKind.CLICK, x, y, button)

    def _on_key(self, label: str | None) -> None:
        if label is not None and label == self._take_step_key:
            if not self._paused.is_set():
                if self._on_take_step_key is not None:
                    self._on_take_step_key()
                else:
                    self.take_step()
        elif label is not None:  # printable keys arrive through _on_text
            self._event(InputKind.KEY, value=label)

    def _on_text(self, text: str) -> None:
        self._event(InputKind.TEXT, value=text)

    # -- threads ---------------------------------------------------------------------

    def _grab_loop(self) -> None:
        due = self._clock()
        while not self._stop.is_set():
            due += self._period
            wait = due - self._clock()
            if wait < 0:
                due = self._clock()  # late (busy machine): skip, do not catch up
            elif self._stop.wait(wait):
                break
            started = self._clock()
            try:
                frame = self._source.grab()
            except DisplayLost as error:
                self._report(UserError(f"{error}: step capture cannot see the screen."))
                return
            except Exception as error:  # our bug: stop grabbing, keep the steps so far
                log.exception("step capture grab failed")
                self._report(UserError(f"Step capture stopped grabbing the screen ({error!r})."))
                return
            self.ring.add(started, frame)
            self.stats.frames_grabbed += 1

    def _describe_loop(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                self._describer.flush(self.ring.newest(), self._clock())
                self._saver.jobs.put(None)
                return
            if event.kind == InputKind.STEP:
                event = self._taken.with_frame(event)
            try:
                self._describer.describe(event)
            except Exception as error:  # our bug: lose this event, not the session
                log.exception("step capture could not describe an event")
                self._report(UserError(f"A step could not be made ({error!r})."))

    def _report(self, error: UserError) -> None:
        log.warning("step capture: %s", error)
        self.stats.errors.append(str(error))
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                log.exception("step capture error listener failed")
