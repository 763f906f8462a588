"""Build a recorder for an area of the real screen (shared by the app and ``baton record``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from baton.capture.platform import open_platform
from baton.capture.platform.base import WindowInfo
from baton.capture.platform.input import InputHook, PynputHook
from baton.capture.platform.screens import (
    Monitor,
    Region,
    list_monitors,
    monitor_region,
    validate_region,
)
from baton.capture.platform.session import detect_session
from baton.capture.recording.audio import AudioSource, MicrophoneSource
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.capture.recording.sources import screen_source
from baton.capture.recording.video_settings import VideoSettings

if TYPE_CHECKING:
    from baton.capture.recording.wayland import RestoreTokens


def screen_recorder(
    request: RecordingRequest,
    out: Path,
    *,
    display: str | None = None,
    audio: AudioSource | None = None,
    tokens: RestoreTokens | None = None,
) -> Recorder:
    """A recorder (not yet started) for the requested monitor or region.

    On a Wayland session the screen comes from the desktop's ScreenCast portal (XWayland's
    display would show only old X applications); ``tokens`` keeps its answer.

    Raises:
        UserError: no display, or a bad monitor/region/fps/quality; on Wayland, no portal
            or the user said no.
    """
    if detect_session(display=display).wayland:
        from baton.capture.recording.wayland import TokensInMemory, wayland_recorder

        return wayland_recorder(request, out, tokens=tokens or TokensInMemory(), audio=audio)
    # mss first: it reports an unreachable display cleanly (python-xlib leaks a socket).
    # Regions are physical pixels already, so the monitors' scale does not matter here.
    monitors = list_monitors(display)
    platform = open_platform(display)
    try:
        asked: Region | None = request.region
        if asked is not None:
            area = validate_region(asked, monitors)
        else:
            number = request.monitor or next(m for m in monitors if m.primary).index
            asked = next((m.region for m in monitors if m.index == number), None)
            area = monitor_region(monitors, number)
        settings = VideoSettings.for_request(request, area.width, area.height)
        source = screen_source(area, display)
    except BaseException:
        platform.close()
        raise
    hook: InputHook | None = PynputHook() if request.watch_input else None
    if audio is None and request.narration:
        # The recorder says "Recording without sound: ..." when there is no microphone.
        audio = MicrophoneSource(time.monotonic, device=request.microphone or None)
    recorder = Recorder(source, out, settings, platform=platform, input_hook=hook, audio=audio,
                        show_keys=request.show_keys)
    if asked is not None and area != asked:
        recorder.stats.warnings.append(rounded_warning(asked, area))
    return recorder


def rounded_warning(asked: Region, area: Region) -> str:
    """What to tell when a video's sides had to be made even (H.264 needs that)."""
    return (f"The area {asked.width}x{asked.height} was recorded as {area.width}x{area.height}: "
            "video needs an even width and height.")


class ScreenTargets:
    """The monitors and windows of the real display, for the "what to record" choice."""

    def __init__(self, display: str | None = None) -> None:
        self._display = display

    def desktop_chooses(self) -> bool:
        """True on a Wayland desktop: its own dialog (the ScreenCast portal) asks what to
        share, and Baton cannot list or draw on the screens itself."""
        return detect_session(display=self._display).wayland

    def monitors(self) -> list[Monitor]:
        if self.desktop_chooses():
            return []  # XWayland's screens are not the desktop's; the portal asks
        platform = open_platform(self._display)
        try:
            return list_monitors(self._display, platform.scale_of)
        finally:
            platform.close()

    def windows(self) -> list[WindowInfo]:
        if self.desktop_chooses():
            return []  # XWayland's windows are not the desktop's; the portal offers its own
        platform = open_platform(self._display)
        try:
            return [w for w in platform.windows() if w.title and not w.title.startswith("Baton")]
        finally:
            platform.close()
