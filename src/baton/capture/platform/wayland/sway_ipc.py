"""Sway's IPC socket (``SWAYSOCK``): window titles, applications, places and the focus.

The protocol is i3's: each message is ``b"i3-ipc"``, a little-endian u32 payload length,
a u32 type, then JSON. ``GET_TREE`` gives every window (``con`` and ``floating_con``
nodes with ``name``, ``app_id`` or X ``window_properties``, ``pid``, ``rect``,
``focused``, ``visible``); ``GET_OUTPUTS`` gives each monitor's ``rect`` and ``scale``;
``SUBSCRIBE`` turns a connection into a stream of events (the reply type has its high
bit set).

Sway's rects are in layout (logical) pixels; the screenshots are in each output's physical
pixels, so a rect is scaled from its output's top-left corner.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.screens import Region

MAGIC = b"i3-ipc"
HEADER = struct.Struct("<6sII")
RUN_COMMAND, SUBSCRIBE, GET_OUTPUTS, GET_TREE = 0, 2, 3, 4
EVENT_BIT = 0x80000000
WINDOW_EVENT = EVENT_BIT | 3
TIMEOUT = 2.0
VIEW_TYPES = ("con", "floating_con")


class SwayError(Exception):
    """Sway's socket cannot be reached, or it answered something unreadable."""


@dataclass(frozen=True)
class Output:
    """A monitor as sway lays it out: its place (logical pixels) and scale."""

    name: str
    rect: Region
    scale: float


class SwayIpc:
    """One connection to sway's IPC socket (thread-safe: one message at a time).

    Args:
        path: the socket (None: ``SWAYSOCK``).
        timeout: seconds to wait for a reply.

    Raises:
        SwayError: on construction, when the socket cannot be reached.
    """

    def __init__(self, path: str | None = None, timeout: float = TIMEOUT) -> None:
        path = path or os.environ.get("SWAYSOCK")
        if not path:
            raise SwayError("SWAYSOCK is not set: this is not a sway session")
        self.path = path
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(timeout)
        try:
            self._socket.connect(path)
        except OSError as error:
            self._socket.close()
            raise SwayError(f"cannot connect to sway at {path}: {error}") from error

    def ask(self, kind: int, payload: str = "") -> Any:
        """Send one message and return the decoded JSON reply."""
        with self._lock:
            try:
                send(self._socket, kind, payload)
                reply_kind, body = receive(self._socket)
            except OSError as error:
                raise SwayError(f"sway did not answer: {error}") from error
        if reply_kind != kind:
            raise SwayError(f"sway answered message {kind} with type {reply_kind}")
        return body

    def tree(self) -> dict[str, Any]:
        """The layout tree (``GET_TREE``)."""
        tree = self.ask(GET_TREE)
        if not isinstance(tree, dict):
            raise SwayError("sway's tree is not an object")
        return tree

    def outputs(self) -> list[Output]:
        """The active outputs (``GET_OUTPUTS``)."""
        found = []
        for output in self.ask(GET_OUTPUTS):
            if output.get("active", True):
                found.append(Output(str(output.get("name", "")), _region(output.get("rect")),
                                    float(output.get("scale") or 1.0)))
        return found

    def command(self, text: str) -> list[dict[str, Any]]:
        """Run sway commands (``RUN_COMMAND``); one result per command."""
        results: list[dict[str, Any]] = self.ask(RUN_COMMAND, text)
        return results

    def close(self) -> None:
        with self._lock:
            self._socket.close()


def send(sock: socket.socket, kind: int, payload: str = "") -> None:
    body = payload.encode()
    sock.sendall(HEADER.pack(MAGIC, len(body), kind) + body)


def receive(sock: socket.socket) -> tuple[int, Any]:
    """One message: its type and decoded JSON body."""
    magic, length, kind = HEADER.unpack(_exactly(sock, HEADER.size))
    if magic != MAGIC:
        raise SwayError("not an i3-ipc message")
    try:
        return kind, json.loads(_exactly(sock, length))
    except ValueError as error:
        raise SwayError(f"sway sent unreadable JSON: {error}") from error


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(left)
        if not chunk:
            raise SwayError("sway closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class WindowEvents:
    """A subscription to sway's window events (focus, title, new, close ...).

    Iterate to receive ``(change, container)`` pairs; ``close`` ends the iteration.
    """

    def __init__(self, path: str | None = None) -> None:
        self._ipc = SwayIpc(path, timeout=TIMEOUT)
        reply = self._ipc.ask(SUBSCRIBE, json.dumps(["window"]))
        if not reply.get("success"):
            self._ipc.close()
            raise SwayError("sway refused the window events subscription")
        self._ipc._socket.settimeout(None)  # events come when they come

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        while True:
            try:
                kind, body = receive(self._ipc._socket)
            except (OSError, SwayError):
                return  # closed
            if kind == WINDOW_EVENT:
                yield str(body.get("change", "")), dict(body.get("container") or {})

    def close(self) -> None:
        try:
            self._ipc._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._ipc.close()


def views(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The application windows in the tree: tiled ones first, then floating (on top)."""
    tiled: list[dict[str, Any]] = []
    floating: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], on_top: bool) -> None:
        if is_view(node):
            (floating if on_top else tiled).append(node)
        for child in node.get("nodes") or ():
            walk(child, on_top)
        for child in node.get("floating_nodes") or ():
            walk(child, True)

    walk(tree, False)
    return tiled + floating


def by_focus(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The application windows, the focused one first, then in the order they last had
    the focus (each container's ``focus`` list names its children most recent first)."""
    if is_view(tree):
        return [tree]
    children = [*(tree.get("nodes") or ()), *(tree.get("floating_nodes") or ())]
    rank = {child_id: n for n, child_id in enumerate(tree.get("focus") or ())}
    children.sort(key=lambda child: rank.get(child.get("id"), len(rank)))
    return [view for child in children for view in by_focus(child)]


def is_view(node: dict[str, Any]) -> bool:
    """Whether ``node`` is an application's window (not a workspace or a split)."""
    return bool(node.get("type") in VIEW_TYPES and not node.get("nodes")
                and not node.get("floating_nodes")
                and (node.get("pid") or node.get("app_id") or node.get("window_properties")))


def window_of(node: dict[str, Any], outputs: list[Output]) -> WindowInfo:
    """A sway view as a ``WindowInfo`` (its rect in physical pixels)."""
    properties = node.get("window_properties") or {}
    app = node.get("app_id") or properties.get("class") or ""
    pid = node.get("pid")
    return WindowInfo(
        window_id=int(node.get("id", 0)),
        title=str(node.get("name") or properties.get("title") or ""),
        region=physical(_region(node.get("rect")), outputs),
        app=str(app),
        pid=int(pid) if isinstance(pid, int) and pid > 0 else None,
    )


def physical(rect: Region, outputs: list[Output]) -> Region:
    """A layout rect in the physical pixels of the output its top-left corner is on."""
    for output in outputs:
        area = output.rect
        if area.left <= rect.left < area.right and area.top <= rect.top < area.bottom:
            scale = output.scale
            return Region(area.left + round((rect.left - area.left) * scale),
                          area.top + round((rect.top - area.top) * scale),
                          round(rect.width * scale), round(rect.height * scale))
    return rect


def _region(rect: Any) -> Region:
    rect = rect or {}
    return Region(int(rect.get("x", 0)), int(rect.get("y", 0)), int(rect.get("width", 0)),
                  int(rect.get("height", 0)))
