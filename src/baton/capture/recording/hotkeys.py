"""A keyboard shortcut that works while other programs have the focus (stop recording)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from baton.capture.platform.input import stop_listeners, wait_ready
from baton.errors import UserError

log = logging.getLogger("baton.capture")

STOP_RECORDING = "<ctrl>+<alt>+s"
TOGGLE_STEP_CAPTURE = "<ctrl>+<alt>+c"
TAKE_STEP = "<ctrl>+<alt>+p"
TAKE_STEP_LABEL = "Ctrl+Alt+P"
"""Take a step of the screen as it is ("Take step"), where clicks cannot be watched."""
BATON_SHORTCUTS = frozenset({"Ctrl+Alt+S", "Ctrl+Alt+C", TAKE_STEP_LABEL})
"""The labels step capture sees for Baton's global shortcuts (``titles.shortcut_label``
of the ones above): pressing them makes no step."""


class GlobalHotkey:
    """Calls ``action`` (on pynput's thread) when ``combination`` is pressed anywhere."""

    def __init__(self, combination: str, action: Callable[[], None]) -> None:
        self.combination = combination
        self._action = action
        self._listener: Any = None

    def start(self) -> None:
        """Start listening.

        Raises:
            UserError: global shortcuts are not available here (no display, no RECORD).
        """
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
            raise UserError("Global shortcuts are not available here (no X display).")
        try:
            from pynput import keyboard
        except ImportError as error:  # pynput fails at import without a display
            raise UserError(f"Global shortcuts are not available here ({error}).") from None
        self._listener = keyboard.GlobalHotKeys({self.combination: self._action})
        self._listener.start()
        if not wait_ready(self._listener, 2.0):
            self.stop()
            raise UserError("Global shortcuts are not available on this display.")

    def stop(self) -> None:
        if self._listener is not None:
            stop_listeners([self._listener])
            self._listener = None
