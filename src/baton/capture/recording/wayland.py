"""Recording a Wayland desktop: the ScreenCast portal's stream into the usual recorder.

The portal's answer is remembered as a *restore token*; whoever builds the recorder passes
in where tokens are kept (the user's settings in the app and ``baton record``), so the
desktop asks only the first time. A token is good for one use: each start hands back the
next one, which is saved at once.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol

from baton.capture.platform.null import NullPlatform
from baton.capture.platform.screens import Region
from baton.capture.platform.wayland.pipewire_source import PipeWireSource
from baton.capture.platform.wayland.portal import ScreenCastPortal
from baton.capture.recording.audio import AudioSource, MicrophoneSource
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.capture.recording.video_settings import VideoSettings

log = logging.getLogger("baton.capture")


class RestoreTokens(Protocol):
    """Where the portal's restore token is kept between recordings."""

    def load(self) -> str:
        """The last token ("" when none)."""

    def save(self, token: str) -> None:
        """Keep ``token`` for the next recording."""


class TokensInMemory:
    """Tokens kept only while this process runs (tests, ``recorder_main``)."""

    def __init__(self, token: str = "") -> None:
        self.token = token

    def load(self) -> str:
        return self.token

    def save(self, token: str) -> None:
        self.token = token


def open_portal_source(region: Region | None, tokens: RestoreTokens,
                       portal: ScreenCastPortal | None = None) -> PipeWireSource:
    """Ask the portal for the screen (once, if it remembers) and open its stream.

    Raises:
        UserError: no portal, the user said no, no GStreamer PipeWire plugin, no picture.
    """
    portal = portal or ScreenCastPortal()
    asked = tokens.load()
    cast = portal.start(restore_token=asked)
    if cast.restore_token and cast.restore_token != asked:
        tokens.save(cast.restore_token)
    log.info("wayland: screen shared %s a question", "without" if asked else "after")
    return PipeWireSource(cast, region)


def wayland_recorder(request: RecordingRequest, out: Path, *, tokens: RestoreTokens,
                     audio: AudioSource | None = None,
                     portal: ScreenCastPortal | None = None) -> Recorder:
    """A recorder (not yet started) of the screen the desktop shares.

    The desktop (or the user, in its dialog) picks the monitor; ``request.region`` is
    then cut out of it. Clicks and keys are not watched here (step capture on Wayland
    reads them elsewhere); the pointer is in the picture when the portal embeds it.

    Raises:
        UserError: as ``open_portal_source``, or a bad fps/quality.
    """
    source = open_portal_source(request.region, tokens, portal)
    try:
        area = source.region
        settings = VideoSettings.for_request(request, area.width, area.height)
    except BaseException:
        source.close()
        raise
    if audio is None and request.narration:
        audio = MicrophoneSource(time.monotonic, device=request.microphone or None)
    return Recorder(source, out, settings, platform=NullPlatform(), input_hook=None,
                    audio=audio, show_keys=request.show_keys)
