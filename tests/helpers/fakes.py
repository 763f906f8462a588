"""Stand-ins for what a test machine cannot offer (a desktop to pick from), feeding the
same code paths as the real thing."""

from __future__ import annotations

from pathlib import Path

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Monitor, Region
from baton.capture.recording.encoder import VideoSettings
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.capture.recording.sources import SyntheticSource


class FakeDesktop:
    def monitors(self) -> list[Monitor]:
        return [Monitor(1, Region(0, 0, 800, 600), primary=True)]

    def windows(self) -> list[WindowInfo]:
        return [WindowInfo(7, "Invoices — Firefox", Region(0, 0, 640, 480))]


def synthetic_recorder(request: RecordingRequest, out: Path) -> Recorder:
    """A real recorder and encoder over a synthetic screen of the requested size."""
    region = (request.region or Region(0, 0, 320, 240)).even()
    settings = VideoSettings.for_quality(region.width, region.height, request.fps,
                                         request.quality)
    return Recorder(SyntheticSource(region), out, settings)
