"""Shortcuts that work while other programs have the focus: stop recording, capture steps.

The stop shortcut listens only while a recording runs; the step-capture shortcut listens
while the window is open. Both call back on pynput's thread, so the callbacks given here
should emit Qt signals (delivered on the GUI thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from baton.capture.recording.hotkeys import STOP_RECORDING, TOGGLE_STEP_CAPTURE, GlobalHotkey
from baton.errors import UserError

log = logging.getLogger("baton.ui")


class GlobalShortcuts:
    """Starts and stops the desktop-wide shortcuts.

    Args:
        stop: called (on another thread) when the stop-recording shortcut is pressed.
        toggle: called (on another thread) when the step-capture shortcut is pressed.
    """

    def __init__(self, stop: Callable[[], None], toggle: Callable[[], None]) -> None:
        self._stop = stop
        self._toggle = toggle
        self._stop_key: GlobalHotkey | None = None
        self._toggle_key: GlobalHotkey | None = None

    def listen_for_step_capture(self) -> None:
        """Start the step-capture shortcut (a desktop without one only logs why)."""
        hotkey = GlobalHotkey(TOGGLE_STEP_CAPTURE, self._toggle)
        try:
            hotkey.start()
        except UserError as error:
            log.info("no global step-capture shortcut: %s", error)
            return
        self._toggle_key = hotkey

    def recording(self, running: bool, say: Callable[[str], None]) -> None:
        """Listen for the stop shortcut while a recording runs; ``say`` tells why it cannot."""
        if running and self._stop_key is None:
            self._stop_key = GlobalHotkey(STOP_RECORDING, self._stop)
            try:
                self._stop_key.start()
            except UserError as error:
                self._stop_key = None
                say(str(error))
        elif not running and self._stop_key is not None:
            self._stop_key.stop()
            self._stop_key = None

    def close(self) -> None:
        """Stop listening for both."""
        for hotkey in (self._toggle_key, self._stop_key):
            if hotkey is not None:
                hotkey.stop()
        self._toggle_key = self._stop_key = None
