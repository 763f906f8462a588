"""Steps the owner asks for with "Take step": the screen as it is, once Baton hid its bar.

The GUI hides its bar, waits for the screen to repaint, then asks; the step's screenshot
must be a frame grabbed after that, and the bar may come back only once the step is saved
(Baton's windows are painted out where they are at saving time). A source that is sent
pictures only on change (the portal's PipeWire stream) may not have the repainted screen
yet when asked: then the next picture is awaited briefly.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import replace

from baton.capture.recording.sources import FrameSource
from baton.capture.steps.events import FrameRing, StepEvent

log = logging.getLogger("baton.capture")

TAKE_STEP_WAIT = 2.0
"""Seconds a step taken with "Take step" waits for a frame grabbed after it was asked."""
NEW_PICTURE_WAIT = 0.5
"""Seconds "Take step" waits for a source sent pictures only on change to receive one
after the step was asked (a still screen sends none)."""

Clock = Callable[[], float]


class TakeRequests:
    """The "Take step" requests of one capture, in the order they were made.

    Args:
        source: the capture's screen (``frames_received`` tells a source sent pictures
            only on change).
        ring: the capture's recent frames.
        clock: the capture's monotonic clock.
        stop: set when the capture stops (waits end).
    """

    def __init__(self, source: FrameSource, ring: FrameRing, clock: Clock,
                 stop: threading.Event) -> None:
        self._source = source
        self._ring = ring
        self._clock = clock
        self._stop = stop
        self._lock = threading.Lock()  # a request and its listener are queued together
        self._listeners: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._pictures_at: queue.Queue[int | None] = queue.Queue()

    def ask(self, on_taken: Callable[[], None] | None, enqueue: Callable[[], bool]) -> bool:
        """Queue a request; ``enqueue`` queues its event (False: paused or stopped, and
        ``on_taken`` is called at once)."""
        with self._lock:
            self._listeners.put(on_taken)
            self._pictures_at.put(self._pictures())
            if enqueue():
                return True
            self._listeners.get_nowait()
            self._pictures_at.get_nowait()
        if on_taken is not None:
            on_taken()
        return False

    def with_frame(self, event: StepEvent) -> StepEvent:
        """The request's event with the first frame grabbed after it (describe thread)."""
        t, before = event.t, self._pictures_at.get_nowait()
        if before is not None:  # none yet (wlr's portal waits for a change): wait longer
            deadline = self._clock() + (NEW_PICTURE_WAIT if before else TAKE_STEP_WAIT)
            while (self._pictures() or 0) <= before and self._clock() < deadline:
                if self._stop.wait(0.02):
                    break
            t = self._clock()
        frame = self._ring.after(t, TAKE_STEP_WAIT)
        if frame is None:
            log.warning("take step: no frame was grabbed in time; the newest is used")
            frame = self._ring.newest()
        return replace(event, frame=frame)

    def saved(self) -> None:
        """The oldest request's step is saved, or failed (save thread): tell its asker."""
        on_taken = self._listeners.get_nowait()
        if on_taken is not None:
            try:
                on_taken()
            except Exception:
                log.exception("take step: the listener failed")

    def _pictures(self) -> int | None:
        """How many pictures a source sent only on change has received (None: it is read
        when grabbed, as X11's screen is)."""
        count = getattr(self._source, "frames_received", None)
        return count if isinstance(count, int) else None
