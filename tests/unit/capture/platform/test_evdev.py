"""Clicks and keys from kernel input devices (``/dev/input/event*``).

This machine has no ``/dev/input`` and no ``/dev/uinput`` (no virtual device can be made),
so the reader gets real ``struct input_event`` records through a named pipe, opened and
read by the same code as a device file.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Region
from baton.capture.platform.wayland.evdev import NOT_ALLOWED, EvdevHook, can_read_input
from baton.capture.steps.capture import StepCapture
from baton.capture.steps.sink import SavedStep
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.steps import Steps
from baton.errors import UserError

EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
BTN_LEFT, BTN_RIGHT = 0x110, 0x111
KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_S, KEY_I, KEY_N, KEY_V, KEY_ENTER = 29, 42, 31, 23, 49, 47, 28
KEY_BACKSPACE, KEY_F5, KEY_VOLUMEUP = 14, 63, 115
FORM = WindowInfo(7, "Invoices — Test", Region(100, 50, 400, 300), "invoices", pid=4242)


def record(kind: int, code: int, value: int) -> bytes:
    """One ``struct input_event`` as the kernel writes it (with its SYN_REPORT)."""
    now = time.time()
    stamp = (int(now), int(now % 1 * 1_000_000))
    return (struct.pack("@llHHi", *stamp, kind, code, value)
            + struct.pack("@llHHi", *stamp, EV_SYN, 0, 0))


def press(code: int) -> bytes:
    return (struct.pack("@llHHi", 0, 0, EV_MSC, 4, code)  # the scan code, as keyboards send
            + record(EV_KEY, code, 1) + record(EV_KEY, code, 0))


class Device:
    """A named pipe standing for ``/dev/input/eventN``: tests write records into it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "event0"
        os.mkfifo(self.path)
        self._fd = os.open(self.path, os.O_RDWR)  # a writer, so the reader's open never waits

    def write(self, data: bytes) -> None:
        os.write(self._fd, data)

    def unplug(self) -> None:
        os.close(self._fd)


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Device]:
    made = Device(tmp_path)
    yield made
    try:
        made.unplug()
    except OSError:
        pass


class Listener:
    def __init__(self) -> None:
        self.got: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def click(self, x: int | None, y: int | None, button: str) -> None:
        with self.lock:
            self.got.append(("click", (x, y, button)))

    def key(self, label: str | None) -> None:
        with self.lock:
            self.got.append(("key", label))

    def text(self, char: str) -> None:
        with self.lock:
            self.got.append(("text", char))

    def wait(self, count: int) -> list[tuple[str, Any]]:
        deadline = time.monotonic() + 10
        while len(self.got) < count:
            assert time.monotonic() < deadline, f"got only {self.got}"
            time.sleep(0.01)
        return list(self.got)


def test_buttons_keys_and_modifiers_become_the_hooks_events(device: Device) -> None:
    hook, heard = EvdevHook([str(device.path)]), Listener()
    hook.start(heard.click, heard.key, heard.text)
    try:
        device.write(record(EV_KEY, BTN_LEFT, 1) + record(EV_KEY, BTN_LEFT, 0))
        device.write(record(EV_KEY, BTN_RIGHT, 1))
        device.write(press(KEY_I) + record(EV_KEY, KEY_I, 2))  # held: the repeat is no event
        device.write(record(EV_KEY, KEY_LEFTSHIFT, 1) + press(KEY_N)
                     + record(EV_KEY, KEY_LEFTSHIFT, 0))
        whole = record(EV_KEY, KEY_LEFTCTRL, 1) + press(KEY_S) + record(EV_KEY, KEY_LEFTCTRL, 0)
        device.write(whole[:30])  # a record split across two reads
        time.sleep(0.05)
        device.write(whole[30:])
        device.write(press(KEY_VOLUMEUP) + press(KEY_BACKSPACE) + press(KEY_F5)
                     + press(KEY_ENTER))
        got = heard.wait(10)
    finally:
        hook.stop()
    assert got == [
        ("click", (None, None, "left")), ("click", (None, None, "right")),
        ("text", "i"), ("key", None),
        ("text", "N"), ("key", None),
        ("key", "Ctrl+S"),
        ("key", "Backspace"), ("key", "F5"), ("key", "Enter"),
    ]


def test_an_unplugged_device_ends_quietly_and_stop_is_prompt(device: Device) -> None:
    hook, heard = EvdevHook([str(device.path)]), Listener()
    hook.start(heard.click, heard.key, heard.text)
    device.unplug()
    device.write = lambda data: None  # type: ignore[method-assign]
    started = time.monotonic()
    hook.stop()
    assert time.monotonic() - started < 5
    assert heard.got == []


def test_no_devices_to_read_says_what_the_input_group_grants() -> None:
    with pytest.raises(UserError) as raised:
        EvdevHook([]).start(lambda x, y, b: None, lambda label: None)
    assert str(raised.value) == NOT_ALLOWED
    assert "'input' group" in NOT_ALLOWED
    assert "every key you type" in NOT_ALLOWED


def test_a_device_the_user_may_not_read_says_what_the_input_group_grants() -> None:
    """As a user outside the 'input' group (nobody), a root-only device file is refused."""
    folder = Path(tempfile.mkdtemp(prefix="baton-evdev-"))
    try:
        folder.chmod(0o755)
        device = folder / "event3"
        device.write_bytes(b"")
        device.chmod(0o600)  # as /dev/input/event* are: root and the 'input' group
        program = ("from baton.capture.platform.wayland.evdev import EvdevHook, can_read_input\n"
                   "from baton.errors import UserError\n"
                   f"print(can_read_input([{str(device)!r}]))\n"
                   "try:\n"
                   f"    EvdevHook([{str(device)!r}]).start(print, print)\n"
                   "except UserError as error:\n"
                   "    print(error)\n")
        src = Path(__file__).resolve().parents[4] / "src"
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-c", program], env={**os.environ, "PYTHONPATH": str(src)}, capture_output=True,
            text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["False", NOT_ALLOWED]
        assert can_read_input([str(device)])  # root may
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


class Screen:
    region = Region(0, 0, 640, 360)

    def grab(self) -> np.ndarray:
        frame = np.empty((360, 640, 4), np.uint8)
        frame[:, :] = (40, 90, 160, 255)
        return frame

    def close(self) -> None:
        pass


class Focus:
    def window_at(self, x: int, y: int) -> WindowInfo | None:
        raise AssertionError("a click from the kernel has no place to look up")

    def focused_window(self) -> WindowInfo | None:
        return FORM


def test_kernel_input_makes_steps_with_typed_text_withheld(
    device: Device, database: Database, media: MediaStore
) -> None:
    process = Library(database.sessions).add_process(ProcessDraft("Invoices"))
    saved: list[SavedStep] = []
    capture = StepCapture(Screen(), EvdevHook([str(device.path)]), Focus(), media,
                          Steps(database.sessions).appender(process.id), fps=5,
                          on_step=saved.append)
    capture.start()
    try:
        device.write(record(EV_KEY, BTN_LEFT, 1) + record(EV_KEY, BTN_LEFT, 0))
        device.write(press(KEY_I) + press(KEY_N) + press(KEY_V) + press(KEY_ENTER))
        deadline = time.monotonic() + 10
        while len(saved) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stats = capture.stop()
    steps = Steps(database.sessions).list(process.id)
    # Nothing tells what the field is on Wayland without accessibility: the text is withheld.
    assert [s.title for s in steps] == ['Click in "Invoices — Test"',
                                        'Type in "Invoices — Test", then press Enter']
    assert steps[0].click_x is None
    assert steps[0].full_screenshot is not None
    assert stats.clicks == 1
