"""What the accessibility layer tells about the element under a click or with the focus.

Every platform speaks its own protocol (AT-SPI on Linux, UI Automation on Windows, AX on
macOS); step capture only sees ``Element`` and the ``Accessibility`` interface, so a desktop
that tells nothing (``NullAccessibility``) still gets steps, named by OCR or by window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from baton.capture.platform.base import WindowInfo

# What an element is, in the words step titles use (the platform module maps its roles).
BUTTON = "button"
LINK = "link"
FIELD = "field"
"""Something typed into: an entry, a text area, a spin box, an editable combo."""
PASSWORD = "password"
"""A field whose text is hidden as it is typed (a password role or echo mode)."""
CHECK_BOX = "check box"
RADIO = "radio button"
TOGGLE = "toggle button"
COMBO = "combo box"
MENU_ITEM = "menu item"
ITEM = "item"
"""A list, tree or table entry."""
TAB = "tab"
TERMINAL = "terminal"
TEXT = "text"
"""A label, heading, paragraph or image with a name: clicked, but not a control."""
OTHER = "other"
"""A container or an element of unknown kind: its name says little."""


@dataclass(frozen=True)
class Element:
    """One element of an application's accessibility tree.

    Attributes:
        role: one of the role names above.
        name: the accessible name, else the text of the label that labels it ("" if none).
        checked: for check boxes, radio and toggle buttons: whether it is checked now
            (None: not checkable, or unknown).
        container: the name of the combo box or list an item belongs to ("" if none).
        focused: whether it has the keyboard focus.
        app_pid: the process of the application that owns the element (None: unknown).
    """

    role: str
    name: str = ""
    checked: bool | None = None
    container: str = ""
    focused: bool = False
    app_pid: int | None = None

    @property
    def password(self) -> bool:
        return self.role == PASSWORD

    @property
    def is_field(self) -> bool:
        """Typed into (passwords included)."""
        return self.role in (FIELD, PASSWORD)


class Accessibility(Protocol):
    """The desktop's accessibility tree, asked one question at a time.

    Every method returns within ``timeout`` seconds (None when it could not tell in time,
    or the application shows no tree): a hung application must never hold up capture.
    Calls may come from any one thread at a time.
    """

    def element_at(
        self, x: int, y: int, window: WindowInfo | None, timeout: float
    ) -> Element | None:
        """The most specific element at screen point ``x, y`` in ``window``."""

    def focused_since(
        self, window: WindowInfo | None, since: float, until: float, timeout: float
    ) -> list[Element] | None:
        """The elements of ``window``'s application that had the keyboard focus at
        monotonic time ``since`` or got it until ``until``, oldest first.

        Asked when typing has ended: typing from ``since`` (the first key) to ``until``
        (the key that ended it) went into one of them (a focus event may arrive a little
        after the first key), so a caller deciding whether the text may be kept must weigh
        them all. Focus seen in another
        application says nothing (a terminal without accessibility has focus now), so only
        the application that owns ``window`` is asked.

        Returns:
            None when that application never said where its focus is (or is unknown);
            an ``OTHER`` element stands for one that can no longer be described.
        """

    def close(self) -> None:
        """Drop the connection (and give back what was turned on for Baton)."""
