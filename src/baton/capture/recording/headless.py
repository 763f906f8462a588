"""Recording without a window: what ``baton record`` runs."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from baton.capture.platform.screens import Region
from baton.capture.recording.audio import AudioSource
from baton.capture.recording.live import screen_recorder
from baton.capture.recording.recorder import Recorder
from baton.capture.recording.request import RecordingRequest
from baton.capture.recording.stats import RecordingStats
from baton.errors import UserError

if TYPE_CHECKING:
    from baton.capture.recording.wayland import RestoreTokens


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop`` instead of killing the process (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def record_to_file(
    out: Path,
    seconds: float | None = None,
    fps: int = 30,
    monitor: int | None = None,
    region: Region | None = None,
    quality: str = "balanced",
    stop_event: threading.Event | None = None,
    *,
    display: str | None = None,
    audio: AudioSource | None = None,
    watch_input: bool = True,
    show_keys: bool = False,
    x264: tuple[str, int] | None = None,
    on_progress: Callable[[Recorder], None] | None = None,
    tokens: RestoreTokens | None = None,
) -> RecordingStats:
    """Record the screen to ``out`` until ``seconds`` pass, ``stop_event`` is set, or a signal.

    Args:
        out: the finished MP4 (``<out>.events.json`` is written beside it).
        seconds: how long to record; None records until stopped.
        fps: 10, 15, 30 or 60.
        monitor: monitor number from 1 (default: the primary monitor).
        region: area ``X,Y,W,H`` in physical pixels (overrides ``monitor``).
        quality: ``"small"``, ``"balanced"`` or ``"sharp"``.
        stop_event: set it from another thread to stop.
        display: X display name (default: ``$DISPLAY``).
        audio: narration source; None records silently.
        watch_input: record clicks/keys and draw click rings.
        show_keys: draw key captions into the video.
        x264: explicit ``(preset, crf)`` overriding ``quality`` (benchmarks).
        on_progress: called about four times a second while recording.
        tokens: where the Wayland screen-sharing answer is kept (see ``recording.wayland``).

    Returns:
        The statistics; ``stats.error`` is set when recording stopped early (disk full,
        display gone) and what was recorded is kept.

    Raises:
        UserError: no display, a bad monitor/region/fps/quality, or an unwritable output.
    """
    if out.suffix.lower() != ".mp4":
        raise UserError(f"{out.name}: the output must be an .mp4 file.")
    if seconds is not None and seconds <= 0:
        raise UserError("The recording length must be more than 0 seconds.")
    stop = stop_event or threading.Event()
    request = RecordingRequest(monitor=monitor, region=region, fps=fps, quality=quality,
                               show_keys=show_keys, watch_input=watch_input, narration=False,
                               x264=x264)
    recorder = screen_recorder(request, out, display=display, audio=audio, tokens=tokens)
    recorder.limit = seconds
    with _stop_on_signals(stop):
        recorder.start()
        try:
            while not stop.is_set() and not recorder.finished.is_set():
                recorder.finished.wait(0.25)
                if on_progress is not None:
                    on_progress(recorder)
        finally:
            stats = recorder.stop()
    return stats
