"""Accessibility on Linux: AT-SPI2, the tree GTK, Qt, Chromium and Firefox publish.

The element at a click: the window under the pointer gives the process (``_NET_WM_PID``);
that process's application on the accessibility bus gives its top-level frames; the frame
under the point is asked ``GetAccessibleAtPoint`` down to the deepest element, and a label,
text or image inside a button, link or list item stands for that control. GTK 4 gives
coordinates relative to the window, so it is asked with the point made window-relative.

Where typing went: applications announce ``object:state-changed:focused``; Baton keeps
the last few announcements of each application with the time they arrived. When a typing
step ends, the elements of the focused window's application that had the focus from the
first key on are described, and the step's text is kept only if all of them are ordinary
fields (a late focus event must never make a password look like the field before it).
Focus seen in another application says nothing (a terminal without accessibility has the
focus now), so it is never used.

What applications need (measured with Debian 12's at-spi2-core 2.46; see
docs/accessibility.md):

- GTK 3 and GTK 4: nothing; they publish their tree whenever the accessibility bus exists
  (unless started with ``NO_AT_BRIDGE=1``).
- Qt 5 and 6: publish only when an assistive tool is running at their start:
  ``org.a11y.Status.IsEnabled`` (which Baton sets when step capture starts) or
  ``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1``. A Qt application started before that has no tree.
- Chromium: publishes its windows always and the web page's tree once an assistive tool
  is seen (``IsEnabled``), or with ``--force-renderer-accessibility``; HTML
  ``<input type=password>`` is a "password text".
- Firefox: publishes with ``GNOME_ACCESSIBILITY=1``, when ``IsEnabled`` is on as its window
  is shown, or when ``IsEnabled`` turns on while (or before) one of its windows is focused;
  never with ``GNOME_ACCESSIBILITY=0``. Its first hit test answers nothing (it only then
  asks its page processes for element bounds), so the first question to each application
  that finds nothing is asked again once, ``FIRST_ASK_AGAIN`` later.
- Terminals (xterm) publish nothing: typing there is withheld unless the owner keeps it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from baton.capture.platform.accessibility import base
from baton.capture.platform.accessibility.atspi_bus import (
    ACCESSIBLE,
    APPLICATION,
    COMPONENT,
    ROOT_PATH,
    AtspiBus,
    AtspiError,
    Node,
)
from baton.capture.platform.base import WindowInfo

log = logging.getLogger("baton.capture")

REGISTRY_ROOT = Node("org.a11y.atspi.Registry", ROOT_PATH)
SCREEN, WINDOW = 0, 1  # AtspiCoordType
MAX_DEPTH = 40
MAX_CLIMB = 5
CONNECT_TIMEOUT = 3.0
FIRST_ASK_AGAIN = 0.15
"""Seconds before asking an application's first hit test again (Firefox answered after 50 ms)."""

# AtspiRole numbers (atspi-constants.h) → the role names step titles use.
ROLES: dict[int, str] = {
    43: base.BUTTON, 129: base.BUTTON, 62: base.TOGGLE,
    7: base.CHECK_BOX, 8: base.CHECK_BOX, 44: base.RADIO, 45: base.RADIO,
    11: base.COMBO, 40: base.PASSWORD,
    79: base.FIELD, 52: base.FIELD, 76: base.FIELD, 77: base.FIELD,
    35: base.MENU_ITEM, 59: base.MENU_ITEM,
    32: base.ITEM, 91: base.ITEM, 56: base.ITEM, 90: base.ITEM,
    37: base.TAB, 88: base.LINK, 60: base.TERMINAL,
    29: base.TEXT, 73: base.TEXT, 83: base.TEXT, 116: base.TEXT, 27: base.TEXT,
    26: base.TEXT, 81: base.TEXT,
}
TEXT_ROLE = 61  # a text view: a field when editable, else text
CONTROLS = {base.BUTTON, base.TOGGLE, base.CHECK_BOX, base.RADIO, base.COMBO, base.PASSWORD,
            base.FIELD, base.MENU_ITEM, base.ITEM, base.TAB, base.LINK, base.TERMINAL}
# AtspiStateType bits
CHECKED, EDITABLE, FOCUSED, PRESSED, ACTIVE, SHOWING = 4, 7, 12, 20, 1, 25
LABELLED_BY = 2  # AtspiRelationType


class AtspiAccessibility:
    """``Accessibility`` over AT-SPI2 (see the module docstring).

    Args:
        bus: the connection to the accessibility bus.
    """

    def __init__(self, bus: AtspiBus) -> None:
        self._bus = bus
        self._apps: list[Node] = []
        self._asked: set[int] = set()  # processes whose tree was asked for a point

    @classmethod
    def open(cls, display: str | None = None) -> AtspiAccessibility:
        """Connect, turn accessibility on for applications and watch focus changes.

        Raises:
            AtspiError: there is no accessibility bus.
        """
        bus = AtspiBus(display, CONNECT_TIMEOUT)
        try:
            bus.watch_focus(time.monotonic() + CONNECT_TIMEOUT)
        except AtspiError as error:  # clicks can still be named
            log.info("accessibility: focus changes are not reported: %s", error)
        return cls(bus)

    def element_at(
        self, x: int, y: int, window: WindowInfo | None, timeout: float
    ) -> base.Element | None:
        deadline = time.monotonic() + timeout
        found = self._element_at(x, y, window, deadline)
        if window is None or window.pid is None or window.pid in self._asked:
            return found
        self._asked.add(window.pid)
        if found is None and deadline - time.monotonic() > 2 * FIRST_ASK_AGAIN:
            time.sleep(FIRST_ASK_AGAIN)  # Firefox: see the module docstring
            found = self._element_at(x, y, window, deadline)
        return found

    def _element_at(
        self, x: int, y: int, window: WindowInfo | None, deadline: float
    ) -> base.Element | None:
        try:
            frame, relative = self._frame_at(x, y, window, deadline)
            if frame is None:
                return None
            if relative and window is not None:
                x, y = x - window.region.left, y - window.region.top
            hit, chain = frame, [frame]
            for _depth in range(MAX_DEPTH):
                found = self._bus.call(hit, COMPONENT, "GetAccessibleAtPoint", "iiu", x, y,
                                       WINDOW if relative else SCREEN, deadline=deadline)[0]
                child = Node(str(found[0]), str(found[1]))
                if child.null or child == hit:
                    break
                hit = child
                chain.append(hit)
            return self._describe_hit(chain, deadline)
        except AtspiError as error:
            log.debug("accessibility: nothing at %d,%d: %s", x, y, error)
            return None

    def focused_since(
        self, window: WindowInfo | None, since: float, until: float, timeout: float
    ) -> list[base.Element] | None:
        deadline = time.monotonic() + timeout
        if window is None or window.pid is None:
            return None
        try:
            apps = {app.bus for app in self._apps_of(window.pid, deadline)}
            events = self._bus.focus.since(apps, since, until)
            if not events:
                return None
            described: dict[Node, base.Element] = {}
            for focus in events:
                if focus.node not in described:
                    described[focus.node] = self._describe(focus.node, deadline)
            return list(described.values())
        except AtspiError as error:  # gone, or hung: an element of unknown kind had it
            log.debug("accessibility: the focus cannot be told: %s", error)
            return [base.Element(base.OTHER)]

    def close(self) -> None:
        self._bus.close()

    # -- finding the frame ---------------------------------------------------------------

    def _apps_of(self, pid: int, deadline: float) -> list[Node]:
        """The applications of process ``pid`` (the list is read again when none match)."""
        for attempt in range(2):
            if attempt or not self._apps:
                children = self._bus.call(REGISTRY_ROOT, ACCESSIBLE, "GetChildren",
                                          deadline=deadline)[0]
                self._apps = [Node(str(bus), str(path)) for bus, path in children]
            found = [app for app in self._apps
                     if self._bus.pid_of(app.bus, deadline=deadline) == pid]
            if found:
                return found
        return []

    def _frame_at(
        self, x: int, y: int, window: WindowInfo | None, deadline: float
    ) -> tuple[Node | None, bool]:
        """The top-level frame under the point, and whether it wants window coordinates."""
        if window is None or window.pid is None:
            return None, False
        fallback: tuple[Node, bool] | None = None
        for app in self._apps_of(window.pid, deadline):
            relative = self._window_relative(app, deadline)
            children = self._bus.call(app, ACCESSIBLE, "GetChildren", deadline=deadline)[0]
            for bus, path in children:
                frame = Node(str(bus), str(path))
                left, top, width, height = self._bus.call(
                    frame, COMPONENT, "GetExtents", "u", WINDOW if relative else SCREEN,
                    deadline=deadline)[0]
                px, py = (x - window.region.left, y - window.region.top) if relative else (x, y)
                if not (left <= px < left + width and top <= py < top + height):
                    continue
                name = str(self._bus.get(frame, ACCESSIBLE, "Name", deadline=deadline))
                if name == window.title:
                    return frame, relative
                fallback = fallback or (frame, relative)
        return fallback if fallback is not None else (None, False)

    def _window_relative(self, app: Node, deadline: float) -> bool:
        """GTK 4 places its frames at 0,0 and answers in window coordinates."""
        try:
            toolkit = str(self._bus.get(app, APPLICATION, "ToolkitName", deadline=deadline))
            version = str(self._bus.get(app, APPLICATION, "Version", deadline=deadline))
        except AtspiError:
            return False
        return toolkit.upper() == "GTK" and version.startswith("4")

    # -- describing ----------------------------------------------------------------------

    def _describe_hit(self, chain: list[Node], deadline: float) -> base.Element | None:
        """The control the deepest element belongs to (a label in a button: the button).

        Chromium's hit test skips straight to the text inside a link or button, so the
        control is looked for among the parents, not only along the way down.
        """
        if len(chain) < 2:
            return None  # only the window itself: its title says nothing new
        deepest = self._describe(chain[-1], deadline)
        if deepest.role in CONTROLS:
            return deepest
        node = chain[-1]
        for _level in range(MAX_CLIMB):
            parent = self._parent(node, deadline)
            if parent is None or parent == chain[0]:
                break
            node = parent
            element = self._describe(node, deadline)
            if element.role in CONTROLS:
                if not element.name and deepest.name:
                    return replace(element, name=deepest.name)
                return element
        return deepest if deepest.role == base.TEXT and deepest.name else None

    def _parent(self, node: Node, deadline: float) -> Node | None:
        bus, path = self._bus.get(node, ACCESSIBLE, "Parent", deadline=deadline)
        parent = Node(str(bus) or node.bus, str(path))
        return None if parent.null or parent.path == ROOT_PATH else parent

    def _describe(self, node: Node, deadline: float, states: int | None = None) -> base.Element:
        number = int(self._bus.call(node, ACCESSIBLE, "GetRole", deadline=deadline)[0])
        if states is None:
            states = self._states(node, deadline)
        role = ROLES.get(number, base.OTHER)
        if number == TEXT_ROLE:
            role = base.FIELD if states & (1 << EDITABLE) else base.TEXT
        name = " ".join(str(self._bus.get(node, ACCESSIBLE, "Name", deadline=deadline)).split())
        if role == base.COMBO:  # a combo box's name is often its current choice
            name = self._label_of(node, deadline) or name
        elif not name and role in CONTROLS:
            name = self._label_of(node, deadline)
        checked = None
        if role in (base.CHECK_BOX, base.RADIO, base.TOGGLE):
            checked = bool(states & ((1 << CHECKED) | (1 << PRESSED)))
        container = self._container_of(node, deadline) if role in (base.ITEM,
                                                                   base.MENU_ITEM) else ""
        pid = self._bus.pid_of(node.bus, deadline=deadline)
        return base.Element(role, name, checked, container, bool(states & (1 << FOCUSED)), pid)

    def _states(self, node: Node, deadline: float) -> int:
        low, high = self._bus.call(node, ACCESSIBLE, "GetState", deadline=deadline)[0]
        return int(low) | (int(high) << 32)

    def _label_of(self, node: Node, deadline: float) -> str:
        """The name of the label that labels ``node`` (a form field's caption)."""
        for relation, targets in self._bus.call(node, ACCESSIBLE, "GetRelationSet",
                                                deadline=deadline)[0]:
            if int(relation) == LABELLED_BY:
                for bus, path in targets:
                    label = self._bus.get(Node(str(bus), str(path)), ACCESSIBLE, "Name",
                                          deadline=deadline)
                    if str(label).strip():
                        return " ".join(str(label).split())
        return ""

    def _container_of(self, node: Node, deadline: float) -> str:
        """The name of the combo box an item was picked from ("" if it is not in one)."""
        current: Node | None = node
        for _level in range(MAX_CLIMB):
            current = self._parent(current, deadline) if current is not None else None
            if current is None:
                return ""
            if int(self._bus.call(current, ACCESSIBLE, "GetRole", deadline=deadline)[0]) == 11:
                name = str(self._bus.get(current, ACCESSIBLE, "Name", deadline=deadline))
                return self._label_of(current, deadline) or " ".join(name.split())
        return ""
