"""Clicks and keys from the kernel's input devices (``/dev/input/event*``), for Wayland.

A Wayland compositor gives no program the input of another, so Baton reads what the kernel
reads: each device file delivers ``struct input_event`` records (a ``timeval``, then
``type`` u16, ``code`` u16, ``value`` s32). ``EV_KEY`` records are key and button
presses (value 1), releases (0) and repeats (2). The kernel knows where no click lands
(that is the compositor's business), so clicks come without a position: step capture then
uses the focused window.

The devices are readable only by root and the ``input`` group. Keys come as key codes,
not characters; they are turned into characters by the US layout, which only matters for
typed text that step capture keeps (by default it keeps none on Wayland, where no field can
be told; see ``capture/steps/privacy.py``).
"""

from __future__ import annotations

import glob
import logging
import os
import select
import struct
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO

from baton.capture.platform.input import (
    KeyHandler,
    StepClickHandler,
    TextHandler,
    caption,
)
from baton.errors import UserError

log = logging.getLogger("baton.capture")

EVENT = struct.Struct("@llHHi")  # struct input_event on this machine (64-bit: 24 bytes)
EV_KEY = 0x01
PRESS, RELEASE, REPEAT = 1, 0, 2
BUTTONS = {0x110: "left", 0x111: "right", 0x112: "middle"}
DEVICES = "/dev/input/event*"
POLL_SECONDS = 0.2

NOT_ALLOWED = (
    "Baton can read clicks and keys on Wayland only when your user is in the 'input' group "
    "(sudo usermod -aG input $USER, then log in again). That lets Baton — and any program "
    "you run — read every key you type."
)

MODIFIER_KEYS = {29: "ctrl", 97: "ctrl", 42: "shift", 54: "shift", 56: "alt", 100: "alt_gr",
                 125: "cmd", 126: "cmd"}
NAMED_KEYS = {
    1: "esc", 14: "backspace", 15: "tab", 28: "enter", 57: "space", 58: "caps_lock",
    96: "kp_enter", 102: "home", 103: "up", 104: "page_up", 105: "left", 106: "right",
    107: "end", 108: "down", 109: "page_down", 110: "insert", 111: "delete",
    **{59 + n: f"f{n + 1}" for n in range(10)}, 87: "f11", 88: "f12",
}
"""Key codes (linux/input-event-codes.h) of named keys, in pynput's names."""
_ROWS = ((2, "1234567890-=", "!@#$%^&*()_+"), (16, "qwertyuiop[]", "QWERTYUIOP{}"),
         (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'), (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"))
CHARACTERS: dict[int, tuple[str, str]] = {
    start + n: (plain[n], shifted[n])
    for start, plain, shifted in _ROWS for n in range(len(plain))
}
"""Key codes of printable keys: the character without and with Shift (US layout)."""


class KeyboardState:
    """Turns key codes into the hook's callbacks, tracking held modifiers.

    Args:
        on_click: called with ``None, None`` and the button on each mouse press.
        on_key: called with a caption label (None for a printable key).
        on_text: called with the character of a printable key typed without Ctrl/Alt/Super.
    """

    def __init__(self, on_click: StepClickHandler, on_key: KeyHandler,
                 on_text: TextHandler | None) -> None:
        self._on_click = on_click
        self._on_key = on_key
        self._on_text = on_text
        self._held: dict[str, int] = {}  # modifier -> how many of its keys are down

    def feed(self, kind: int, code: int, value: int) -> None:
        """One ``input_event`` record."""
        if kind != EV_KEY:
            return
        modifier = MODIFIER_KEYS.get(code)
        if modifier is not None:
            if value == PRESS:
                self._held[modifier] = self._held.get(modifier, 0) + 1
            elif value == RELEASE and self._held.get(modifier):
                self._held[modifier] -= 1
            return
        if value != PRESS:  # releases and auto-repeat make no event (as with X11)
            return
        button = BUTTONS.get(code)
        if button is not None:
            self._on_click(None, None, button)
            return
        held = {name for name, count in self._held.items() if count}
        name = NAMED_KEYS.get(code)
        char = None
        if name is None:
            pair = CHARACTERS.get(code)
            if pair is None:
                return  # a key with no name here (media keys, the numeric pad ...)
            char = pair[1] if "shift" in held else pair[0]
        if self._on_text is not None and char is not None and not held - {"shift"}:
            self._on_text(char)
        self._on_key(caption(held, name, char))


class EvdevHook:
    """Desktop-wide input from ``/dev/input/event*`` (``TypingHook`` for step capture).

    Args:
        paths: the device files (None: every ``/dev/input/event*``).
        open_device: opens one for reading (tests pass pipes through the same path).
    """

    def __init__(self, paths: Iterable[str] | None = None,
                 open_device: Callable[[str], BinaryIO] | None = None) -> None:
        self._paths = list(paths) if paths is not None else None
        self._open = open_device or _open_device
        self._devices: list[BinaryIO] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_read, self._wake_write = -1, -1

    def start(self, on_click: StepClickHandler, on_key: KeyHandler,
              on_text: TextHandler | None = None) -> None:
        """Open the devices and read them on a thread.

        Raises:
            UserError: no device can be opened (``NOT_ALLOWED`` when it is a permission).
        """
        paths = self._paths if self._paths is not None else sorted(glob.glob(DEVICES))
        denied = False
        for path in paths:
            try:
                self._devices.append(self._open(path))
            except PermissionError:
                denied = True
            except OSError as error:
                log.debug("input device %s: %s", path, error)
        if not self._devices:
            raise UserError(NOT_ALLOWED if denied or not paths else
                            "Baton cannot read the input devices: none of them opened.")
        self._wake_read, self._wake_write = os.pipe()
        state = KeyboardState(on_click, on_key, on_text)
        self._thread = threading.Thread(target=self._read, args=(state,),
                                        name="baton-input-evdev", daemon=True)
        self._thread.start()

    def _read(self, state: KeyboardState) -> None:
        pending: dict[int, bytes] = {}
        devices = {device.fileno(): device for device in self._devices}
        while not self._stop.is_set() and devices:
            ready, _, _ = select.select([*devices, self._wake_read], [], [], POLL_SECONDS)
            for fd in ready:
                if fd == self._wake_read:
                    continue
                try:
                    data = os.read(fd, EVENT.size * 64)
                except OSError as error:  # unplugged
                    log.info("input device gone: %s", error)
                    data = b""
                if not data:
                    devices.pop(fd, None)
                    continue
                data = pending.pop(fd, b"") + data
                whole = len(data) - len(data) % EVENT.size
                if whole < len(data):
                    pending[fd] = data[whole:]
                for _sec, _usec, kind, code, value in EVENT.iter_unpack(data[:whole]):
                    try:
                        state.feed(kind, code, value)
                    except Exception:  # our bug or the listener's: keep reading
                        log.exception("an input event could not be handled")

    def stop(self) -> None:
        """Stop reading (no more callbacks after it returns) and close the devices."""
        self._stop.set()
        if self._wake_write >= 0:
            os.write(self._wake_write, b"x")
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        for device in self._devices:
            device.close()
        self._devices = []
        for fd in (self._wake_read, self._wake_write):
            if fd >= 0:
                os.close(fd)
        self._wake_read = self._wake_write = -1


def _open_device(path: str) -> BinaryIO:
    return open(path, "rb", buffering=0)  # closed by EvdevHook.stop


def can_read_input(paths: Iterable[str] | None = None) -> bool:
    """Whether at least one input device can be opened for reading by this user."""
    for path in paths if paths is not None else glob.glob(DEVICES):
        if os.access(path, os.R_OK):
            return True
    return False
