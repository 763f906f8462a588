"""Stand-ins for what a test machine cannot offer (a desktop to pick from), feeding the
same code paths as the real thing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Monitor, Region
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.capture.recording.sources import SyntheticSource
from baton.capture.recording.video_settings import VideoSettings
from baton.capture.steps.capture import CaptureStats
from baton.capture.steps.sink import SavedStep
from baton.core.steps import StepContent
from baton.services import Services


class FakeDesktop:
    def __init__(self, *, desktop_chooses: bool = False) -> None:
        self.chooses = desktop_chooses

    def desktop_chooses(self) -> bool:
        return self.chooses

    def monitors(self) -> list[Monitor]:
        if self.chooses:
            return []
        return [Monitor(1, Region(0, 0, 800, 600), primary=True)]

    def windows(self) -> list[WindowInfo]:
        if self.chooses:
            return []
        return [WindowInfo(7, "Invoices — Firefox", Region(0, 0, 640, 480))]


def synthetic_recorder(request: RecordingRequest, out: Path) -> Recorder:
    """A real recorder and encoder over a synthetic screen of the requested size."""
    region = (request.region or Region(0, 0, 320, 240)).even()
    settings = VideoSettings.for_quality(region.width, region.height, request.fps,
                                         request.quality)
    return Recorder(SyntheticSource(region), out, settings)


class FakeCapture:
    """Stands in for the desktop input hook: ``click`` is what a real click would do."""

    def __init__(self, services: Services, process_id: int, **options: Any) -> None:
        self.services = services
        self.process_id = process_id
        self.options = options
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> CaptureStats:
        self.running = False
        return CaptureStats(steps_saved=1)

    def click(self, title: str) -> None:
        clock: Callable[[], float | None] | None = self.options["video_clock"]
        when = clock() if clock is not None else None
        row = self.services.steps.add(self.process_id, StepContent(title=title, video_time=when))
        self.last = SavedStep(row.id, self.process_id, row.position, title, video_time=when)
        self.options["on_step"](self.last)

    def take_step(self, on_taken: Callable[[], None] | None = None) -> bool:
        """What "Take step" does: a step of the focused window, told once it is saved."""
        self.taken_while_hidden = self.options.get("hidden", lambda: None)()
        self.click('Step in "Bank — Firefox"')
        if on_taken is not None:
            on_taken()
        return True

    def double_click(self, title: str) -> None:
        """The second click of a double-click: the last step again, retitled."""
        self.last = SavedStep(self.last.step_id, self.process_id, self.last.position, title,
                              video_time=self.last.video_time)
        self.options["on_step"](self.last)
