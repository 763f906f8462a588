"""Step capture on this desktop: the real screen, input hook, windows, accessibility tree
and OCR, wired up.

This is what the GUI's "Start step capture" action and ``baton steps capture`` call;
``StepCapture`` itself takes every collaborator as an argument. Baton's own windows (any
window of this process: the main window, the recording bar, dialogs) make no step and are
painted over in screenshots, and Baton's global shortcuts make no step.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from baton.capture.platform import open_platform
from baton.capture.platform.accessibility import NullAccessibility, open_accessibility
from baton.capture.platform.base import Platform, WindowInfo
from baton.capture.platform.input import PynputHook
from baton.capture.platform.screens import desktop_region, list_monitors, no_display_error
from baton.capture.platform.session import DesktopSession, detect_session
from baton.capture.recording.hotkeys import BATON_SHORTCUTS
from baton.capture.recording.sources import FrameSource, ScreenSource
from baton.capture.steps.capture import DEFAULT_FPS, StepCapture, TypingHook, VideoClock
from baton.capture.steps.naming import Namer, WordReader
from baton.capture.steps.sink import SavedStep, StepSink
from baton.core.media import MediaStore
from baton.errors import UserError

if TYPE_CHECKING:
    from baton.capture.recording.wayland import RestoreTokens


def open_step_capture(
    sink: StepSink,
    media: MediaStore,
    *,
    display: str | None = None,
    video_clock: VideoClock | None = None,
    skip_window: Callable[[WindowInfo | None], bool] | None = None,
    ignore_keys: Iterable[str] = (),
    on_step: Callable[[SavedStep], None] | None = None,
    on_error: Callable[[UserError], None] | None = None,
    fps: float = DEFAULT_FPS,
    keep_typing_in: Iterable[str] = (),
    accessibility: bool = True,
    ocr: bool = True,
    take_step_key: str | None = None,
    on_take_step_key: Callable[[], None] | None = None,
    take_step_only: bool = False,
    session: DesktopSession | None = None,
    open_screen: Callable[[], FrameSource] | None = None,
    tokens: RestoreTokens | None = None,
    ignore_click: Callable[[int, int], bool] | None = None,
) -> StepCapture:
    """A step capture of the whole desktop (all monitors) for ``sink``'s process.

    Call ``start()`` on the result (it raises ``UserError`` when the process is gone or the
    input cannot be watched) and ``stop()`` to end it. Steps are appended after the
    process's last step. ``on_step``/``on_error`` are called from a capture thread.

    Args:
        sink: where the steps go (``Steps.appender(process_id)``).
        media: the media store for the screenshots.
        display: X display name for the screen and window titles (None: ``DISPLAY``);
            the input hook always watches ``DISPLAY``.
        video_clock: a running recording's clock (``Recorder.elapsed``) to give each step
            its moment in the video; None when not recording.
        skip_window: windows whose clicks make no step (Baton's own windows).
        ignore_keys: key labels that make no step (the global shortcut, ``"Ctrl+Shift+S"``).
        on_step: called with each saved step.
        on_error: called with each problem (disk full, screen lost ...).
        fps: how often the screen is grabbed while waiting for a click.
        keep_typing_in: applications whose typed text is kept where the field cannot be
            told (the ``steps.keep_typing_in`` setting).
        accessibility: name steps from the accessibility tree (False: OCR and windows).
        ocr: name steps by OCR where the tree names nothing.
        take_step_key: the key label that takes a step of the screen as it is
            (``StepCapture.take_step``); ``on_take_step_key`` is called instead when given.
        take_step_only: on Wayland, capture even when no input device can be read (steps
            then come from "Take step" alone; ``on_error`` is told why once started).
        session: X11 or Wayland (None: this session's, ``detect_session``).
        open_screen: the Wayland screen source (None: the ScreenCast portal's).
        tokens: where the portal's answer is kept, so the desktop asks once (Wayland).
        ignore_click: screen points whose clicks make no step (input thread; see
            ``StepCapture``).

    Raises:
        UserError: no display can be reached, or it does not let Baton watch the input.
    """
    hook: TypingHook
    reads_input = True
    if (session or detect_session(display=display)).wayland:
        from baton.capture.steps.wayland import open_wayland_parts

        parts = open_wayland_parts(open_screen, display, take_step_only=take_step_only,
                                   tokens=tokens)
        source, hook, platform = parts.source, parts.hook, parts.platform
        reads_input = parts.reads_input
    else:
        source, platform = _open_x11(display)
        hook = PynputHook()
    me = os.getpid()

    def skip(window: WindowInfo | None) -> bool:
        mine = window is not None and window.pid == me
        return mine or (skip_window is not None and skip_window(window))

    own_windows = getattr(platform, "windows_of", None)
    namer = Namer(
        (lambda: open_accessibility(display)) if accessibility else NullAccessibility,
        _open_reader if ocr else None,
    )
    capture = StepCapture(
        source,
        hook,
        platform,
        media,
        sink,
        video_clock=video_clock,
        fps=fps,
        skip_window=skip,
        ignore_keys={*BATON_SHORTCUTS, *ignore_keys},
        on_step=on_step,
        on_error=on_error,
        closers=(platform.close,),
        namer=namer,
        keep_typing_in=keep_typing_in,
        own_windows=(lambda: own_windows(me)) if own_windows is not None else None,
        take_step_key=take_step_key,
        on_take_step_key=on_take_step_key,
        ignore_click=ignore_click,
    )
    if not reads_input and on_error is not None:
        from baton.capture.steps.wayland import TAKE_STEP_ONLY

        on_error(UserError(TAKE_STEP_ONLY))
    return capture


def _open_x11(display: str | None) -> tuple[FrameSource, Platform]:
    region = desktop_region(list_monitors(display))
    _check_input_allowed()
    source = ScreenSource(region, display)
    try:
        platform = open_platform(display)
    except BaseException:
        source.close()
        raise
    return source, platform


def _open_reader() -> WordReader:
    from baton.capture.steps.ocr import Reader

    return Reader()


def _check_input_allowed() -> None:
    """Refuse a display without the X RECORD extension up front.

    pynput watches ``DISPLAY`` through RECORD; without it, its threads die with a traceback
    and never report ready.
    """
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return  # no X: the input hook itself explains what is missing
    from Xlib import display as xdisplay  # type: ignore[import-untyped]
    from Xlib import error as xerror

    try:
        connection = xdisplay.Display()
    except (xerror.DisplayError, xerror.ConnectionClosedError, OSError) as error:
        raise no_display_error(None) from error
    try:
        allowed = connection.has_extension("RECORD")
    finally:
        connection.close()
    if not allowed:
        raise UserError("Cannot watch the mouse and keyboard: the display does not allow it "
                        "(the X RECORD extension is missing).")
