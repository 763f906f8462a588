"""Step capture's save thread: a step job becomes PNGs and a row, and a name that arrives
later becomes a new title.

Jobs come in order from the describe thread (``jobs``). A job whose name is still being looked
up is saved at once under the name it has (the click-to-saved-step time must not wait for the
accessibility tree or OCR); when the name arrives, the namer's thread hands it back through
the same queue and the step's title is written again. At the end (None) the names still on
their way get ``NAMES_AT_STOP`` seconds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from baton.capture.platform.screens import Region
from baton.capture.steps.events import StepJob, Update
from baton.capture.steps.shots import store_screenshots
from baton.capture.steps.sink import SavedStep, StepSink
from baton.capture.steps.take import TakeRequests
from baton.capture.steps.wording import Wording
from baton.core.media import MediaStore
from baton.core.steps import StepContent
from baton.errors import UserError

if TYPE_CHECKING:
    from baton.capture.steps.capture import CaptureStats

log = logging.getLogger("baton.capture")

NAMES_AT_STOP = 3.0
"""Seconds the end waits for the names still being looked up."""


@dataclass(frozen=True)
class _Later:
    """A name that arrived after its step was saved."""

    key: int
    update: Future[Update]


@dataclass
class _Made:
    """A saved step and what its title is made from (for later renames)."""

    saved: SavedStep
    wording: Wording



class StepSaver:
    """Saves step jobs in order and retitles them when their names arrive.

    Args:
        sink: where the steps go.
        media: where the PNGs go.
        region: the captured area (screen pixels).
        crop_size: the largest step screenshot.
        own_windows: where Baton's own windows are now, painted over in the screenshots.
        taken: the "Take step" requests (told when a taken step is saved).
        stats: counts saved, failed and late-named steps.
        clock: monotonic seconds (for each step's latency).
        report: tells the user about a problem (capture goes on).
        on_step: called (save thread) with each saved or retitled step.
    """

    def __init__(
        self,
        sink: StepSink,
        media: MediaStore,
        region: Region,
        crop_size: tuple[int, int],
        own_windows: Callable[[], Iterable[Region]] | None,
        taken: TakeRequests,
        stats: CaptureStats,
        clock: Callable[[], float],
        report: Callable[[UserError], None],
        on_step: Callable[[SavedStep], None] | None,
    ) -> None:
        self._sink = sink
        self._media = media
        self._region = region
        self._crop_size = crop_size
        self._own_windows = own_windows
        self._taken = taken
        self.stats = stats
        self._clock = clock
        self._report = report
        self._on_step = on_step
        self.jobs: queue.Queue[StepJob | _Later | None] = queue.Queue()
        self.quiet = threading.Event()
        """Set while no step is being saved (the namer reads the screen then)."""
        self.quiet.set()
        self._encoder: ThreadPoolExecutor | None = None

    def open(self) -> None:
        """Start the PNG encoder (before ``run``)."""
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="baton-step-png")

    def close(self) -> None:
        """After ``run`` returned: stop the PNG encoder; nothing waits for saves any more."""
        if self._encoder is not None:
            self._encoder.shutdown(wait=True)
        self.quiet.set()

    def run(self) -> None:
        """The save thread: until the describer's end (None) and the last late names."""
        made: dict[int, _Made] = {}  # by job key: the steps a late name or click retitles
        pending = 0  # names asked for and not yet arrived
        deadline: float | None = None  # set at stop: how long to wait for those names
        while True:
            if self.jobs.empty():
                self.quiet.set()
            try:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                job = self.jobs.get(timeout=timeout)
            except queue.Empty:
                break  # stopping, and the last names did not come in time
            if isinstance(job, StepJob):
                self.quiet.clear()
            if job is None:
                deadline = time.monotonic() + NAMES_AT_STOP
                if pending == 0:
                    break
                continue
            if isinstance(job, _Later):
                pending -= 1
                self._apply_later(made.get(job.key), job.update)
                if deadline is not None and pending == 0:
                    break
                continue
            try:
                if job.retitles_previous:
                    step = made.get(job.key)
                    if step is not None:  # else the first click's step was not saved
                        step.wording.clicks = job.clicks
                        self._retitle(step)
                    continue
                wording, later = job.wording, job.later
                known = later is None or later.done()
                if later is not None and known:
                    self._apply(wording, later)  # named already: saved with its name
                step = made[job.key] = _Made(self._save(job), wording)
                if later is not None and not known:
                    pending += 1
                    later.add_done_callback(self._arrived(job.key))
            except UserError as error:
                self.stats.steps_failed += 1
                self._report(error)
                continue
            except Exception as error:  # our bug: lose this step, not the session
                log.exception("step capture could not save a step")
                self.stats.steps_failed += 1
                self._report(UserError(f"A step could not be saved ({error!r})."))
                continue
            self.stats.steps_saved += 1
            if self._on_step is not None:
                self._on_step(step.saved)

    def _arrived(self, key: int) -> Callable[[Future[Update]], None]:
        """A done-callback that hands a late name to the save thread (namer's thread)."""
        return lambda update: self.jobs.put(_Later(key, update))

    def _apply(self, wording: Wording, update: Future[Update]) -> None:
        try:
            update.result()(wording)
        except Exception:
            log.exception("a step's name could not be applied")

    def _apply_later(self, step: _Made | None, update: Future[Update]) -> None:
        """Apply a name that arrived after the save, and write the title if it changed."""
        if step is None:
            return  # the step failed to save
        before = step.wording.title()
        self._apply(step.wording, update)
        if step.wording.title() != before:
            self.stats.named_late += 1
            self._retitle(step)

    def _retitle(self, step: _Made) -> None:
        try:
            title = self._sink.retitle(step.saved.step_id, step.wording.title())
        except UserError as error:  # the step was deleted meanwhile
            self._report(error)
            return
        step.saved = replace(step.saved, title=title)
        if self._on_step is not None:
            self._on_step(step.saved)

    def _save(self, job: StepJob) -> SavedStep:
        try:
            return self._save_step(job)
        finally:
            if job.wording.action == "take":
                self._taken.saved()

    def _save_step(self, job: StepJob) -> SavedStep:
        self._sink.next_position()  # a deleted process fails here, before the PNGs
        shot = full = None
        click: tuple[int, int] | None = None
        if job.frame is not None:
            shot, full, click = self._screenshots(job)
        step = StepContent(
            title=job.title,
            screenshot=shot,
            full_screenshot=full,
            click_x=click[0] if click else None,
            click_y=click[1] if click else None,
            video_time=None if job.video_time is None else round(job.video_time, 3),
            window_title=job.window_title,
        )
        saved = SavedStep.of(self._sink.add([step])[0])
        return replace(saved, latency=self._clock() - job.t)

    def _screenshots(self, job: StepJob) -> tuple[str, str, tuple[int, int] | None]:
        assert job.frame is not None
        assert self._encoder is not None
        own = self._own_windows() if self._own_windows is not None else ()
        return store_screenshots(job.frame, self._region, job.click, job.centre,
                                 self._crop_size, own, self._encoder, self._media)
