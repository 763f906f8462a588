"""The AT-SPI accessibility bus, spoken in pure Python over D-Bus (jeepney).

Why jeepney rather than PyGObject's ``Atspi``: Baton runs on its own Python (a virtualenv
or the frozen bundle), where Debian's ``python3-gi`` cannot be imported; PyGObject from PyPI
has to be compiled against the system's GLib and GObject introspection data and drags both
into the bundle. AT-SPI is a D-Bus protocol, and the few calls step capture needs (the
element at a point, its role, name, state and label, focus events) are plain method calls;
jeepney is one pure-Python wheel, and every call takes a timeout, which ``libatspi``'s
synchronous calls do not let us bound per call.

How the bus is found, as assistive tools do: the session bus's ``org.a11y.Bus.GetAddress``
(which starts ``at-spi-bus-launcher`` if needed), else the X root window's ``AT_SPI_BUS``
property. Asking for it and setting ``org.a11y.Status.IsEnabled`` is what turns
accessibility on in applications that wait for an assistive tool (Qt, Chromium).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusRouter, open_dbus_connection

log = logging.getLogger("baton.capture")

ACCESSIBLE = "org.a11y.atspi.Accessible"
COMPONENT = "org.a11y.atspi.Component"
APPLICATION = "org.a11y.atspi.Application"
REGISTRY = "org.a11y.atspi.Registry"
ROOT_PATH = "/org/a11y/atspi/accessible/root"
NULL_PATH = "/org/a11y/atspi/null"
FOCUS_EVENT = "object:state-changed:focused"


class AtspiError(Exception):
    """A call failed: the application answered with an error, or not in time."""


@dataclass(frozen=True)
class Node:
    """An accessible object: the application's bus name and the object's path."""

    bus: str
    path: str

    @property
    def null(self) -> bool:
        return self.path == NULL_PATH or not self.bus


@dataclass(frozen=True)
class Focus:
    """An element an application said got the keyboard focus, and when that arrived."""

    node: Node
    at: float


class FocusLog:
    """The last few focus events of each application (the router's filter queue).

    jeepney puts every matching signal here from its receiver thread; a queue would fill
    up during a long capture without typing, so this keeps ``KEEP`` per application.
    """

    KEEP = 16

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, deque[Focus]] = {}
        self._clock = clock

    def put_nowait(self, message: Any) -> None:
        body = message.body
        if len(body) < 2 or body[0] != "focused" or not body[1]:
            return  # focus lost: the next gain says where it went
        sender = str(message.header.fields.get(HeaderFields.sender, ""))
        path = str(message.header.fields.get(HeaderFields.path, ""))
        with self._lock:
            events = self._events.setdefault(sender, deque(maxlen=self.KEEP))
            events.append(Focus(Node(sender, path), self._clock()))

    def since(self, buses: set[str], t: float, until: float) -> list[Focus] | None:
        """What had the focus at ``t`` and what got it after, up to ``until``, oldest
        first, among the applications on ``buses``; None when none of them ever announced
        a focus."""
        with self._lock:
            events = sorted((focus for bus in buses for focus in self._events.get(bus, ())),
                            key=lambda focus: focus.at)
        if not events:
            return None
        before = [focus for focus in events if focus.at <= t]
        return before[-1:] + [focus for focus in events if t < focus.at <= until]


class _Router(DBusRouter):  # type: ignore[misc]
    """jeepney's router, quiet when the bus goes away (the session ends, the bus daemon
    restarts): calls then fail with ``AtspiError`` instead of a thread's traceback."""

    def _receiver(self) -> None:
        try:
            super()._receiver()
        except (OSError, ValueError) as error:
            log.info("accessibility: the bus connection ended: %s", error)


class AtspiBus:
    """A connection to the accessibility bus; every call has a deadline.

    Thread-safe: jeepney's router matches replies to calls from any thread.

    Raises:
        AtspiError: on construction, when no accessibility bus can be reached.
    """

    def __init__(self, display: str | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._session: Any = None
        self._was_enabled: bool | None = None
        address = self._address_from_session(deadline) or _address_from_x(display)
        if not address:
            self._close_session()
            raise AtspiError("no accessibility bus (no session bus, no AT_SPI_BUS property)")
        try:
            connection = open_dbus_connection(address, auth_timeout=_left(deadline))
        except Exception as error:  # noqa: BLE001 - any failure means: no accessibility
            self._close_session()
            raise AtspiError(f"cannot connect to the accessibility bus: {error}") from None
        self._connection: Any = connection
        self._router: Any = _Router(connection)
        self._pids: dict[str, int | None] = {}
        self.focus = FocusLog()
        self._filter: Any = None

    # -- finding and enabling the bus ------------------------------------------------------

    def _address_from_session(self, deadline: float) -> str | None:
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return None
        try:
            self._session = _Router(open_dbus_connection("SESSION", auth_timeout=1.0))
            bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
            reply = self._session.send_and_get_reply(new_method_call(bus, "GetAddress"),
                                                     timeout=_left(deadline))
            address = str(_body(reply)[0])
            status = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus",
                                 interface="org.a11y.Status")
            enabled = _body(self._session.send_and_get_reply(
                Properties(status).get("IsEnabled"), timeout=_left(deadline)))[0][1]
            if not enabled:
                # What a screen reader does: Qt and Chromium build their trees only then.
                _body(self._session.send_and_get_reply(
                    Properties(status).set("IsEnabled", "b", True), timeout=_left(deadline)))
                self._was_enabled = False
            return address
        except Exception as error:  # noqa: BLE001 - try the X property instead
            log.info("accessibility: session bus gives no a11y bus: %s", error)
            return None

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if self._was_enabled is False:
                status = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus",
                                     interface="org.a11y.Status")
                session.send_and_get_reply(Properties(status).set("IsEnabled", "b", False),
                                           timeout=1.0)
        except Exception:  # noqa: BLE001 - the session may be ending
            pass
        finally:
            session.close()
            session.conn.close()

    def watch_focus(self, deadline: float) -> None:
        """Ask applications to report focus changes, and keep the latest of each."""
        rule = MatchRule(type="signal", interface="org.a11y.atspi.Event.Object",
                         member="StateChanged")
        rule.add_arg_condition(0, "focused")
        _body(self._router.send_and_get_reply(message_bus.AddMatch(rule),
                                              timeout=_left(deadline)))
        self._filter = self._router.filter(rule, queue=self.focus)
        registry = Node("org.a11y.atspi.Registry", "/org/a11y/atspi/registry")
        try:  # at-spi2-core 2.46 takes the event, its properties and an application
            self.call(registry, REGISTRY, "RegisterEvent", "sass", FOCUS_EVENT, [], "",
                      deadline=deadline)
        except AtspiError:
            self.call(registry, REGISTRY, "RegisterEvent", "s", FOCUS_EVENT, deadline=deadline)

    # -- calls -----------------------------------------------------------------------------

    def call(self, node: Node, interface: str, method: str, signature: str | None = None,
             *args: Any, deadline: float) -> tuple[Any, ...]:
        """Call ``method`` on ``node``; its reply's body.

        Raises:
            AtspiError: an error reply, or none before ``deadline``.
        """
        address = DBusAddress(node.path, bus_name=node.bus, interface=interface)
        message = new_method_call(address, method, signature, args)
        return self._send(message, deadline)

    def get(self, node: Node, interface: str, name: str, *, deadline: float) -> Any:
        """The value of property ``name``."""
        address = DBusAddress(node.path, bus_name=node.bus, interface=interface)
        return self._send(Properties(address).get(name), deadline)[0][1]

    def pid_of(self, bus: str, *, deadline: float) -> int | None:
        """The process behind a bus name (cached: a name never changes hands)."""
        if bus not in self._pids:
            try:
                self._pids[bus] = int(self._send(message_bus.GetConnectionUnixProcessID(bus),
                                                 deadline)[0])
            except AtspiError:
                self._pids[bus] = None
        return self._pids[bus]

    def _send(self, message: Any, deadline: float) -> tuple[Any, ...]:
        try:
            reply = self._router.send_and_get_reply(message, timeout=_left(deadline))
        except TimeoutError:
            raise AtspiError("no answer in time") from None
        except Exception as error:  # noqa: BLE001 - the router stopped, the bus went away
            raise AtspiError(str(error)) from None
        return _body(reply)

    def close(self) -> None:
        if self._filter is not None:
            self._filter.close()
        try:
            self._router.close()
            self._connection.close()
        finally:
            self._close_session()


def _body(reply: Any) -> tuple[Any, ...]:
    if reply.header.message_type == MessageType.error:
        raise AtspiError(f"{reply.header.fields.get(HeaderFields.error_name)}: {reply.body}")
    return tuple(reply.body)


def _left(deadline: float) -> float:
    """Seconds until ``deadline``; raises ``AtspiError`` when it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise AtspiError("no answer in time")
    return left


def _address_from_x(display: str | None) -> str | None:
    """The ``AT_SPI_BUS`` property of the X root window (set by at-spi-bus-launcher)."""
    if not (display or os.environ.get("DISPLAY")):
        return None
    try:
        from Xlib import display as xdisplay  # type: ignore[import-untyped]

        connection = xdisplay.Display(display)
    except Exception:  # noqa: BLE001 - no X: no property
        return None
    try:
        root = connection.screen().root
        prop = root.get_full_property(connection.intern_atom("AT_SPI_BUS"), 0)
        if prop is None or not prop.value:
            return None
        value = prop.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    finally:
        connection.close()
