"""The desktop's ScreenCast portal (xdg-desktop-portal), spoken over D-Bus with jeepney.

On Wayland an application may not read the screen itself: it asks the portal, the desktop
asks the user (once, if the portal may remember the answer), and the portal hands back a
PipeWire connection (a file descriptor) and the node id of the stream to read.

Every portal call is a *request*: the method returns at once with a request object's path,
and the answer comes later as that object's ``Response`` signal (0: done, 1: the user said
no, 2: something else failed). The signal is subscribed to before the call, on the path the
portal will use, so a fast answer cannot be missed; every wait has a deadline.

Why jeepney: see ``capture/platform/accessibility/atspi_bus.py`` (PyGObject cannot be loaded
into Baton's own Python; jeepney is one pure-Python wheel, and it passes file descriptors).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse

from baton.errors import UserError

log = logging.getLogger("baton.capture")

PORTAL = DBusAddress("/org/freedesktop/portal/desktop", bus_name="org.freedesktop.portal.Desktop",
                     interface="org.freedesktop.portal.ScreenCast")
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"

MONITOR, WINDOW = 1, 2
"""Source types the user may be offered (a bit mask)."""
CURSOR_HIDDEN, CURSOR_EMBEDDED, CURSOR_METADATA = 1, 2, 4
PERSIST_UNTIL_REVOKED = 2

MISSING = ("Baton needs xdg-desktop-portal and a backend for your desktop "
           "(xdg-desktop-portal-gnome, -kde or -wlr) to record on Wayland.")
DECLINED = "Screen sharing was not allowed, so Baton cannot record the screen."
FAILED = "The desktop could not share the screen with Baton (its screen-sharing portal failed)."
NO_ANSWER = "The desktop did not answer Baton's request to share the screen within {0:.0f} s."

RETRIES, RETRY_AFTER = 1, 1.0
"""A request the portal failed (response 2) is made again once, a second later."""

_tokens = itertools.count(1)


class PortalError(UserError):
    """The portal is missing, refused, failed or did not answer."""


class PortalFailed(PortalError):
    """A request ended with response 2 (neither done nor declined)."""


@dataclass(frozen=True)
class Stream:
    """One shared screen or window: its PipeWire node, and where and how big it is."""

    node_id: int
    size: tuple[int, int] | None = None
    position: tuple[int, int] | None = None
    source_type: int = MONITOR


@dataclass
class ScreenCast:
    """A started screen-cast session: its stream(s) and the PipeWire connection to read them.

    ``restore_token`` is what to give the next ``start`` so it does not ask again ("" when
    the portal gave none). ``close`` ends the session (the desktop's sharing icon goes away).
    """

    connection: DBusConnection
    session_path: str
    streams: list[Stream]
    pipewire_fd: int
    restore_token: str
    cursor_mode: int

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError, TimeoutError, DBusErrorResponse):
            self.connection.send_and_get_reply(new_method_call(
                DBusAddress(self.session_path, bus_name=PORTAL.bus_name, interface=SESSION),
                "Close"), timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.pipewire_fd)
        self.connection.close()


class ScreenCastPortal:
    """Asks the ScreenCast portal for a stream.

    Args:
        bus_address: the session bus (default: ``$DBUS_SESSION_BUS_ADDRESS``).
        call_timeout: seconds for each method reply and for answers that need no user.
        choose_timeout: seconds the user has to answer the desktop's sharing question.
    """

    def __init__(self, bus_address: str | None = None, *, call_timeout: float = 15,
                 choose_timeout: float = 300) -> None:
        self._bus = bus_address or "SESSION"
        self._call_timeout = call_timeout
        self._choose_timeout = choose_timeout

    def start(self, *, restore_token: str = "", types: int = MONITOR,
              cursor: int = CURSOR_EMBEDDED) -> ScreenCast:
        """Open a session, choose the sources, start, and open the PipeWire connection.

        Args:
            restore_token: from an earlier ``ScreenCast.restore_token``: the desktop reuses
                that answer without asking (if it still can).
            types: ``MONITOR`` and/or ``WINDOW``.
            cursor: the wished cursor mode; the nearest one the portal offers is used.

        Raises:
            PortalError: no portal, the user declined, the portal failed or did not answer.
        """
        for attempt in range(1, RETRIES + 2):
            connection = self._connect()
            try:
                return self._start(connection, restore_token, types, cursor)
            except PortalFailed:
                connection.close()
                if attempt > RETRIES:
                    raise
                # Seen with xdg-desktop-portal-wlr right after another cast ended, on a
                # busy machine: the same request a moment later succeeds.
                log.info("wayland: the portal failed; asking again")
                time.sleep(RETRY_AFTER)
            except BaseException:
                connection.close()
                raise
        raise AssertionError("unreachable")

    def _connect(self) -> DBusConnection:
        try:
            connection = open_dbus_connection(self._bus, enable_fds=True)
        except (OSError, KeyError, ValueError) as error:
            log.info("wayland: no session bus: %s", error)
            raise PortalError(MISSING) from error
        try:
            version = self._call(connection, Properties(PORTAL).get("version"))[0][1]
        except PortalError:
            connection.close()
            raise
        log.info("wayland: ScreenCast portal version %s", version)
        return connection

    def _start(self, connection: DBusConnection, restore_token: str, types: int,
               cursor: int) -> ScreenCast:
        modes = self._call(connection, Properties(PORTAL).get("AvailableCursorModes"))
        available = int(modes[0][1])
        mode = next((m for m in (cursor, CURSOR_EMBEDDED, CURSOR_METADATA, CURSOR_HIDDEN)
                     if m & available), 0)
        created = self._request(connection, "CreateSession", "a{sv}", (
            {"session_handle_token": ("s", _token())},), self._call_timeout)
        session = str(created["session_handle"][1])
        options: dict[str, tuple[str, Any]] = {
            "types": ("u", types), "multiple": ("b", False),
            "persist_mode": ("u", PERSIST_UNTIL_REVOKED)}
        if mode:
            options["cursor_mode"] = ("u", mode)
        if restore_token:
            options["restore_token"] = ("s", restore_token)
        self._request(connection, "SelectSources", "oa{sv}", (session, options),
                      self._call_timeout)
        started = self._request(connection, "Start", "osa{sv}", (session, "", {}),
                                self._choose_timeout)
        streams = [_stream(node, properties) for node, properties in started["streams"][1]]
        if not streams:
            raise PortalError(FAILED)
        reply = self._call(connection, new_method_call(
            PORTAL, "OpenPipeWireRemote", "oa{sv}", (session, {})))
        fd = reply[0].to_raw_fd()
        token = str(started.get("restore_token", ("s", ""))[1])
        return ScreenCast(connection, session, streams, fd, token, mode)

    def _call(self, connection: DBusConnection, message: Any) -> Any:
        try:
            reply = connection.send_and_get_reply(message, timeout=self._call_timeout)
        except TimeoutError as error:
            raise PortalError(NO_ANSWER.format(self._call_timeout)) from error
        except (OSError, ValueError) as error:
            raise PortalError(MISSING) from error
        if reply.header.message_type == MessageType.error:
            name = str(reply.header.fields.get(4, ""))  # HeaderFields.error_name
            log.info("wayland: portal error %s %s", name, reply.body)
            if "ServiceUnknown" in name or "UnknownMethod" in name or "UnknownInterface" in name \
                    or "InvalidArgs" in name or "UnknownProperty" in name:
                raise PortalError(MISSING)
            raise PortalError(FAILED)
        return reply.body

    def _request(self, connection: DBusConnection, method: str, signature: str,
                 args: tuple[Any, ...], timeout: float) -> dict[str, tuple[str, Any]]:
        """Call a request method and wait for its Response; returns the results."""
        handle_token = _token()
        sender = (connection.unique_name or "").lstrip(":").replace(".", "_")
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{handle_token}"
        rule = MatchRule(type="signal", interface=REQUEST, member="Response", path=path)
        self._call(connection, message_bus.AddMatch(rule))
        options = dict(args[-1])
        options["handle_token"] = ("s", handle_token)
        with connection.filter(rule) as responses:
            self._call(connection, new_method_call(PORTAL, method, signature,
                                                   (*args[:-1], options)))
            try:
                signal = connection.recv_until_filtered(responses, timeout=timeout)
            except TimeoutError as error:
                raise PortalError(NO_ANSWER.format(timeout)) from error
        with contextlib.suppress(OSError, TimeoutError):
            connection.send_and_get_reply(message_bus.RemoveMatch(rule), timeout=5)
        code, results = signal.body
        log.info("wayland: %s answered %s", method, code)
        if code == 1:
            raise PortalError(DECLINED)
        if code != 0:
            raise PortalFailed(FAILED)
        return dict(results)


def _token() -> str:
    return f"baton{os.getpid()}_{next(_tokens)}"


def _stream(node: int, properties: dict[str, tuple[str, Any]]) -> Stream:
    size = properties.get("size", ("(ii)", None))[1]
    position = properties.get("position", ("(ii)", None))[1]
    return Stream(
        node_id=int(node),
        size=(int(size[0]), int(size[1])) if size else None,
        position=(int(position[0]), int(position[1])) if position else None,
        source_type=int(properties.get("source_type", ("u", MONITOR))[1]),
    )
