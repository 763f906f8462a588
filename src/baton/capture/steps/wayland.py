"""Step capture's parts on a Wayland session: the portal's screen, the kernel's input,
sway's (or the accessibility tree's) windows.

Wayland lets no program watch another's input or read the screen by itself. The screen
comes from the desktop's ScreenCast portal (a PipeWire stream); clicks and keys from the
kernel's input devices when the user is in the ``input`` group; otherwise only the steps
the owner takes with "Take step" (the GUI's button and shortcut).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from baton.capture.platform.base import Platform
from baton.capture.platform.input import KeyHandler, StepClickHandler, TextHandler
from baton.capture.platform.wayland.evdev import NOT_ALLOWED, EvdevHook, can_read_input
from baton.capture.platform.wayland.windows import open_wayland_platform
from baton.capture.recording.sources import FrameSource
from baton.capture.recording.wayland import RestoreTokens, TokensInMemory, open_portal_source
from baton.capture.steps.capture import TypingHook
from baton.errors import UserError

log = logging.getLogger("baton.capture")

TAKE_STEP_ONLY = ("Baton cannot read clicks and keys here, so steps are taken with "
                  "Take step. " + NOT_ALLOWED)

OpenScreen = Callable[[], FrameSource]


class NoInput:
    """Watches nothing: the steps come from "Take step" alone."""

    def start(self, on_click: StepClickHandler, on_key: KeyHandler,
              on_text: TextHandler | None = None) -> None:
        return None

    def stop(self) -> None:
        return None


@dataclass
class WaylandParts:
    """What a step capture on Wayland is made of."""

    source: FrameSource
    hook: TypingHook
    platform: Platform
    reads_input: bool
    """False: no input device can be read; steps come from "Take step" only."""


def open_wayland_parts(open_screen: OpenScreen | None, display: str | None = None, *,
                       take_step_only: bool = False,
                       tokens: RestoreTokens | None = None) -> WaylandParts:
    """The screen, input and windows of this Wayland session.

    Args:
        open_screen: opens the screen (None: the ScreenCast portal's PipeWire stream, the
            whole shared monitor).
        display: for the accessibility bus where the compositor is not sway.
        take_step_only: when no input device can be read, capture anyway (the GUI, which
            has "Take step"); False raises the ``input`` group explanation instead.
        tokens: where the portal's answer is kept (None: only in memory).

    Raises:
        UserError: the screen cannot be shared, or (``take_step_only`` False) the input
            cannot be read.
    """
    reads_input = can_read_input()
    if not reads_input and not take_step_only:
        raise UserError(NOT_ALLOWED)
    if open_screen is None:
        source: FrameSource = open_portal_source(None, tokens or TokensInMemory())
    else:
        source = open_screen()
    try:
        platform = open_wayland_platform(display)
    except BaseException:
        source.close()
        raise
    hook: TypingHook = EvdevHook() if reads_input else NoInput()
    return WaylandParts(source, hook, platform, reads_input)


def step_capture_readiness() -> str:
    """What step capture can do in this Wayland session, in one line (``baton selftest``)."""
    from baton.capture.platform.wayland.sway_ipc import SwayError, SwayIpc

    try:
        SwayIpc().close()
        titles = "window titles from sway"
    except SwayError:
        titles = "window titles from the accessibility tree"
    if can_read_input():
        return f"clicks and keys from the input devices, {titles}"
    return (f"Take step only (your user is not in the 'input' group: sudo usermod -aG input "
            f"$USER, then log in again), {titles}")
