"""Naming what a step did, off the capture threads: accessibility first, OCR second.

One worker thread asks, in order, so clicks are named in the order they happened:

- a click: the element at the point in the accessibility tree (every call bounded by a
  timeout); when the tree names nothing useful, the words at the point in the screenshot
  taken before the click (OCR). A check box or radio button is asked again a moment later:
  its state right after the click says whether it was checked or unchecked.
- typing, once it ends: the elements that had the keyboard focus meanwhile (or, where the
  application never tells its focus, the field under the click just before), for the
  privacy decision.

Every request returns a ``Future`` that always completes (None when nothing is known), so
the caller never waits: the step is saved at once and retitled when the name arrives.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol, TypeVar

from baton.capture.platform.accessibility import base
from baton.capture.platform.accessibility.base import Accessibility, Element
from baton.capture.platform.base import WindowInfo
from baton.capture.steps.wording import Target

if TYPE_CHECKING:
    from baton.capture.recording.sources import Frame
    from baton.capture.steps.ocr import Words

log = logging.getLogger("baton.capture")

LOOKUP_TIMEOUT = 0.6
"""Seconds one accessibility question may take (a hung application answers never)."""
SETTLE = 0.3
"""Seconds after a click before a check box's new state is read."""
QUIET_WAIT = 1.0
"""Seconds OCR waits at most for step capture to finish saving."""
NICENESS = 10
"""How much lower the naming thread's CPU priority is (Linux: per thread)."""
T = TypeVar("T")


class WordReader(Protocol):
    """OCR (``ocr.Reader``), or a stand-in in tests."""

    def words_at(self, frame: Frame, x: int, y: int) -> Words | None: ...

    def close(self) -> None: ...


class Namer:
    """Names clicks and finds the field typed into, on its own thread.

    Args:
        open_accessibility: connects to the desktop's accessibility tree (called on the
            naming thread: it may take seconds).
        open_reader: starts OCR (called on the naming thread; None or raising
            ``Exception``: no OCR).
        clock: monotonic seconds (the clock of the events' ``t``).
    """

    def __init__(
        self,
        open_accessibility: Callable[[], Accessibility],
        open_reader: Callable[[], WordReader] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="baton-step-naming")
        self._accessibility: Accessibility | None = None
        self._reader: WordReader | None = None
        self._closed = threading.Event()
        self._quiet: threading.Event | None = None
        self._pool.submit(self._open, open_accessibility, open_reader)

    def read_when_quiet(self, quiet: threading.Event) -> None:
        """Start OCR only once ``quiet`` is set (step capture sets it when no step is being
        saved), so reading words never slows a save down on a busy machine."""
        self._quiet = quiet

    def _open(self, open_accessibility: Callable[[], Accessibility],
              open_reader: Callable[[], WordReader] | None) -> None:
        if hasattr(os, "setpriority"):  # a name can wait; the screen grabs and saves cannot
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
            except OSError:
                pass
        try:
            self._accessibility = open_accessibility()
        except Exception:
            log.exception("accessibility could not be opened")
        if open_reader is not None:
            try:
                self._reader = open_reader()
            except Exception as error:  # noqa: BLE001 - without it, windows name the steps
                log.info("no OCR for step names: %s", error)

    def name_click(self, x: int, y: int, t: float, window: WindowInfo | None,
                   frame: Frame | None, origin: tuple[int, int] = (0, 0)) -> Future[Target | None]:
        """What the click at screen point ``x, y`` (at time ``t``) landed on.

        Args:
            frame: the screen just before the click, for OCR.
            origin: the screen position of the frame's top-left pixel.
        """
        return self._submit(lambda: self._name_click(x, y, t, window, frame, origin))

    def fields_typed_into(self, since: float, until: float, window: WindowInfo | None,
                          click: tuple[int, int] | None) -> Future[list[Element] | None]:
        """Asked when typing ends: the elements of ``window`` that had the focus from
        ``since`` (the first key) to ``until`` (the key that ended it) (None: unknown).

        Args:
            click: where the user clicked just before typing in the same window (no key
                in between): the field there stands in when the application never says
                where its focus is.
        """
        return self._submit(lambda: self._fields(since, until, window, click))

    def close(self) -> None:
        """Finish what was asked, then disconnect."""
        self._closed.set()
        self._pool.shutdown(wait=True)
        for thing in (self._accessibility, self._reader):
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    log.debug("closing a naming helper failed", exc_info=True)

    # -- on the naming thread ------------------------------------------------------------

    def _submit(self, work: Callable[[], T | None]) -> Future[T | None]:
        def safe() -> T | None:
            try:
                return work()
            except Exception:
                log.exception("naming a step failed")
                return None

        if self._closed.is_set():
            done: Future[T | None] = Future()
            done.set_result(None)
            return done
        return self._pool.submit(safe)

    def _name_click(self, x: int, y: int, t: float, window: WindowInfo | None,
                    frame: Frame | None, origin: tuple[int, int]) -> Target | None:
        element = None
        if self._accessibility is not None and window is not None:
            element = self._accessibility.element_at(x, y, window, LOOKUP_TIMEOUT)
        if element is not None and element.name:
            if element.role in (base.CHECK_BOX, base.RADIO, base.TOGGLE):
                element = self._settled(element, x, y, t, window)
            return Target.of(element)
        if self._reader is not None and frame is not None:
            if self._quiet is not None:
                self._quiet.wait(QUIET_WAIT)
            words = self._reader.words_at(frame, x - origin[0], y - origin[1])
            if words is not None:
                return Target(None, words.text, near=not words.on)
        return None

    def _settled(self, element: Element, x: int, y: int, t: float,
                 window: WindowInfo | None) -> Element:
        """The element again once the click has had its effect (its new checked state)."""
        wait = t + SETTLE - self._clock()
        if wait > 0:
            time.sleep(wait)
        assert self._accessibility is not None
        again = self._accessibility.element_at(x, y, window, LOOKUP_TIMEOUT)
        if again is not None and again.role == element.role and again.name == element.name:
            return again
        return element

    def _fields(self, since: float, until: float, window: WindowInfo | None,
                click: tuple[int, int] | None) -> list[Element] | None:
        if self._accessibility is None or window is None:
            return None
        focused = self._accessibility.focused_since(window, since, until, LOOKUP_TIMEOUT)
        if focused is not None or click is None:
            return focused
        clicked = self._accessibility.element_at(click[0], click[1], window, LOOKUP_TIMEOUT)
        return [clicked] if clicked is not None and clicked.is_field else None
