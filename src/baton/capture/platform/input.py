"""Clicks and key presses while recording, kept with timestamps for the step builder.

Privacy: printable characters are never stored or shown, only that a key was typed;
named keys (Enter, Tab, arrows) and shortcuts (Ctrl+C) are, since they explain a step
and cannot spell a password.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from baton.errors import UserError
from baton.util.atomic import write_text_atomically

log = logging.getLogger("baton.capture")

READY_TIMEOUT = 5.0
EVENTS_FORMAT = "baton-events"
MODIFIERS = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "cmd": "Super", "alt_gr": "AltGr"}

ClickHandler = Callable[[int, int, str], None]
"""Called with screen ``x, y`` and ``"left" | "right" | "middle"`` on each press."""
StepClickHandler = Callable[["int | None", "int | None", str], None]
"""A ``ClickHandler`` that also takes clicks whose place is unknown (``None, None``: the
kernel's input devices on Wayland tell the button, not where it was pressed)."""
KeyHandler = Callable[["str | None"], None]
"""Called with a caption label, or None for a printable key that must stay private."""
TextHandler = Callable[[str], None]
"""Called with the character of a printable key (step capture decides what stays private)."""


class InputKind(enum.StrEnum):
    """What an input event was (the ``kind`` of each event in a recording's events file)."""

    CLICK = "click"
    KEY = "key"  # a named key or a shortcut, with its label
    TYPING = "typing"  # a printable key while recording: that it was typed, never what
    TEXT = "text"  # a typed character, for step capture (which decides what stays private)
    STEP = "step"  # step capture: the owner asked for a step ("Take step"), no input behind it


@dataclass(frozen=True)
class InputEvent:
    """One click or key press at recording time ``t`` (seconds, pauses excluded)."""

    t: float
    kind: InputKind
    x: int | None = None
    y: int | None = None
    button: str | None = None
    key: str | None = None


class InputHook(Protocol):
    """Watches the mouse and keyboard (desktop-wide) and calls back on presses."""

    def start(self, on_click: ClickHandler, on_key: KeyHandler) -> None:
        """Start watching; returns once events are being delivered.

        Raises:
            UserError: input cannot be watched on this desktop.
        """

    def stop(self) -> None:
        """Stop watching (no more callbacks after it returns)."""


class EventLog:
    """Thread-safe list of input events, saved as JSON beside the recording.

    While recording, each event is also appended as a JSON line to a journal file (written
    at once, so it survives the process being killed); ``recover`` turns that journal into
    the events file of a recovered recording.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[InputEvent] = []
        self._journal: IO[str] | None = None

    def keep_journal(self, path: Path) -> None:
        """Append every event from now on to ``path`` (JSON lines)."""
        with self._lock:
            self._journal = open(path, "w", encoding="utf-8", buffering=1)

    def close_journal(self) -> Path | None:
        """Stop appending; returns the journal's path (the caller deletes or keeps it)."""
        with self._lock:
            journal, self._journal = self._journal, None
        if journal is None:
            return None
        journal.close()
        return Path(journal.name)

    def add(self, event: InputEvent) -> None:
        with self._lock:
            self._events.append(event)
            if self._journal is not None:
                try:
                    self._journal.write(json.dumps(_plain(event)) + "\n")
                except OSError:  # a full disk: the events stay in memory for the clean stop
                    log.warning("cannot journal input events", exc_info=True)
                    self._journal = None

    @property
    def events(self) -> list[InputEvent]:
        with self._lock:
            return list(self._events)

    def save(self, path: Path, region: tuple[int, int, int, int]) -> Path:
        """Write ``{"format": "baton-events", "version": 1, "region": [...], "events": [...]}``."""
        return save_events(path, region, self.events)


def save_events(path: Path, region: tuple[int, int, int, int], events: list[InputEvent]) -> Path:
    """Write the events file of a recording (whole, through a temp file)."""
    document: dict[str, Any] = {
        "format": EVENTS_FORMAT,
        "version": 1,
        "region": list(region),
        "events": [_plain(event) for event in events],
    }
    write_text_atomically(path, json.dumps(document, indent=1))
    return path


def read_event_journal(path: Path) -> list[InputEvent]:
    """The events in a journal left by a killed recording (a torn last line is skipped)."""
    events = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                item = json.loads(line)
                events.append(
                    InputEvent(
                        t=float(item["t"]),
                        kind=InputKind(item["kind"]),
                        x=_int_or_none(item.get("x")),
                        y=_int_or_none(item.get("y")),
                        button=_str_or_none(item.get("button")),
                        key=_str_or_none(item.get("key")),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue
    return events


def _plain(event: InputEvent) -> dict[str, Any]:
    return {key: value for key, value in asdict(event).items() if value is not None}


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def events_path(video: Path) -> Path:
    """Where the events of ``video`` are kept: ``<video>.events.json``."""
    return video.with_name(video.name + ".events.json")


class PynputHook:
    """Desktop-wide input through pynput (the X RECORD extension on Linux)."""

    def __init__(self, ready_timeout: float = READY_TIMEOUT) -> None:
        self._ready_timeout = ready_timeout
        self._listeners: list[Any] = []
        self._held: set[str] = set()

    def start(
        self, on_click: ClickHandler, on_key: KeyHandler, on_text: TextHandler | None = None
    ) -> None:
        """Start watching (see ``InputHook.start``).

        Args:
            on_click: called on each mouse press.
            on_key: called on each key press with a caption label (None: printable).
            on_text: also called with the character of a printable key typed without
                Ctrl/Alt/Super; only step capture asks for it, to write "Type ..." steps.
        """
        try:
            from pynput import keyboard, mouse
        except ImportError as error:  # pynput cannot reach a display at import time
            raise UserError(
                "Cannot watch the mouse and keyboard: no display is reachable."
            ) from error

        def clicked(x: float, y: float, button: Any, pressed: bool) -> None:
            if pressed:
                on_click(int(x), int(y), str(getattr(button, "name", "left")))

        def pressed(key: Any) -> None:
            name = getattr(key, "name", None)
            if name is not None and name.split("_")[0] in MODIFIERS:
                self._held.add(name.split("_")[0])
                return
            char = getattr(key, "char", None)
            if on_text is not None and name is None and char and not self._held - {"shift"}:
                on_text(char)
            on_key(self._label(key, name))

        def released(key: Any) -> None:
            name = getattr(key, "name", None)
            if name is not None:
                self._held.discard(name.split("_")[0])

        self._listeners = [
            mouse.Listener(on_click=clicked),
            keyboard.Listener(on_press=pressed, on_release=released),
        ]
        for listener in self._listeners:
            listener.start()
        for listener in self._listeners:
            if not wait_ready(listener, self._ready_timeout):
                self.stop()
                raise UserError(
                    "Cannot watch the mouse and keyboard: the display does not allow it "
                    "(the X RECORD extension is missing)."
                )

    def _label(self, key: Any, name: str | None) -> str | None:
        return caption(self._held, name, getattr(key, "char", None))

    def stop(self) -> None:
        stop_listeners(self._listeners)
        self._listeners = []


def caption(held: set[str], name: str | None, char: str | None) -> str | None:
    """The label of a key press with the modifiers ``held`` (``"ctrl"``, ``"shift"`` ...).

    Args:
        name: a named key in pynput's words (``"enter"``, ``"page_up"``), else None.
        char: the character of a printable key, else None.

    Returns:
        ``"Enter"``, ``"Ctrl+Page Up"``, ``"Ctrl+S"``; None for a printable key alone or
        with Shift.
    """
    modifiers = [MODIFIERS[m] for m in ("ctrl", "alt", "cmd", "shift") if m in held]
    if name is not None:
        return "+".join([*modifiers, name.replace("_", " ").title()])
    # A shortcut (Ctrl+S) explains a step; a bare or shifted character could be a password.
    if char and set(modifiers) - {"Shift"}:
        return "+".join([*modifiers, char.upper()])
    return None


def stop_listeners(listeners: list[Any]) -> None:
    """Stop pynput listeners and wait (briefly) for their threads to end."""
    for listener in listeners:
        if hasattr(listener, "_context"):
            listener.stop()
        else:  # it never got a RECORD context: pynput's stop() would wait for it forever
            threading.Thread(target=listener.stop, name="baton-input-stop", daemon=True).start()
        _unblock(listener)
    for listener in listeners:
        if listener.is_alive() and listener is not threading.current_thread():
            listener.join(1.0)


def _unblock(listener: Any) -> None:
    """Make an X listener thread notice ``stop()`` now.

    pynput (1.8) sends the X RECORD "disable" request on the connection its thread is
    blocked on and never flushes it, so the thread lingers until the next input event.
    Sending it again on the listener's other connection ends the thread at once.
    """
    connection = getattr(listener, "_display_stop", None)
    context = getattr(listener, "_context", None)
    if connection is None or context is None:
        return
    try:
        connection.record_disable_context(context)
        connection.flush()
    except Exception:  # noqa: BLE001 - the connection may already be closed
        pass


def wait_ready(listener: Any, timeout: float) -> bool:
    """``listener.wait()`` with a timeout: it blocks forever if the listener thread died."""
    ready = threading.Event()

    def wait() -> None:
        listener.wait()
        ready.set()

    threading.Thread(target=wait, name="baton-input-wait", daemon=True).start()
    deadline = timeout
    while deadline > 0:
        if ready.wait(0.05):
            return True
        if not listener.is_alive():
            return ready.is_set()
        deadline -= 0.05
    return False
