"""Step titles in the user's words, from what was done and to which element.

``Click "Create account"``, ``Click the "Email" field``, ``Type "Maria Lopez" in "Full
name"``, ``Select "Monthly" in "Frequency"``, ``Check "Send a copy"``, ``Double-click
"Report.pdf"``, ``Right-click "Invoices"``. The window is named when the element is not
known (``Click in "Invoices — Firefox"``) and as context when the step moves to another
window.

A ``Wording`` is made when the step is saved and may learn more afterwards (the element's
name arrives from the accessibility tree or OCR, a second click makes it a double-click, the
typed field turns out to be an ordinary one): its ``title()`` is then written again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baton.capture.platform.accessibility import base
from baton.capture.steps.privacy import Privacy
from baton.capture.steps.titles import HIDDEN, MAX_TEXT, short

MAX_NAME = 60


@dataclass(frozen=True)
class Target:
    """What a click landed on.

    Attributes:
        role: a role name of ``accessibility.base`` (None: read by OCR, role unknown).
        name: its name or the words read there.
        checked: for check boxes and radio buttons: checked after the click.
        container: the list or combo box an item was picked from.
        near: OCR read the nearest words, not words under the pointer.
    """

    role: str | None
    name: str
    checked: bool | None = None
    container: str = ""
    near: bool = False

    @classmethod
    def of(cls, element: base.Element) -> Target:
        return cls(element.role, element.name, element.checked, element.container)


@dataclass
class Wording:
    """Everything a step's title is made from.

    Attributes:
        action: ``"click"``, ``"type"``, ``"press"`` or ``"take"`` (a step the owner
            took with "Take step": the window as it is).
        window: the window's title ("" if unknown).
        show_window: name the window even when the element is known (another window
            than the step before).
        button: the mouse button of a click.
        clicks: 1, 2 (double-click) or 3.
        target: the clicked element, once known.
        key: the key of a "press" step, or the key that ended typing (``"Enter"``).
        place: the name of the field typed into, once known.
        privacy: what a typing step may say (None: not decided yet, nothing is shown).
    """

    action: str
    window: str = ""
    show_window: bool = False
    button: str = "left"
    clicks: int = 1
    target: Target | None = None
    key: str | None = None
    place: str = ""
    privacy: Privacy | None = None
    _typed: str = field(default="", repr=False)

    def typed(self, text: str) -> None:
        """The characters typed (kept in memory only until ``decide``)."""
        self._typed = text

    def decide(self, privacy: Privacy, field_name: str = "") -> None:
        """Settle a typing step; text that may not be kept is forgotten here."""
        self.privacy = privacy
        self.place = field_name or self.place
        if privacy is not Privacy.KEEP:
            self._typed = ""

    def title(self) -> str:
        if self.action == "type":
            return self._type_title()
        if self.action == "press":
            return f"Press {self.key}{self._in(always=True)}"
        if self.action == "take":  # "Take step": the owner says what the step is
            return f"Step{self._in(always=True)}"
        return self._click_title()

    def _in(self, *, always: bool = False) -> str:
        if self.window and (always or self.show_window):
            return f' in "{self.window}"'
        return ""

    def _click_title(self) -> str:
        times = {2: "Double", 3: "Triple"}.get(self.clicks)
        side = {"right": "Right", "middle": "Middle"}.get(self.button)
        if times:
            verb = f"{times}{'-' + side.lower() if side else ''}-click"
        else:
            verb = f"{side}-click" if side else "Click"
        target = self.target
        if target is None or not target.name:
            return verb + self._in(always=True)
        name = f'"{short(target.name, MAX_NAME)}"'
        if target.role is None:  # OCR: words, no role
            return f"{verb} {'near ' if target.near else ''}{name}{self._in()}"
        if verb == "Click":
            return _plain_click(target, name) + self._in()
        if target.role in (base.FIELD, base.PASSWORD):
            return f"{verb} the {name} field{self._in()}"
        return f"{verb} {name}{self._in()}"

    def _type_title(self) -> str:
        where = self.place or self.window
        place = f' in "{short(where, MAX_NAME)}"' if where else ""
        if self.privacy is Privacy.KEEP and self._typed.strip():
            text = f'Type "{short(self._typed, MAX_TEXT)}"{place}'
        elif self.privacy is Privacy.SECRET:
            text = f"Type {HIDDEN}{place}"
        else:
            text = f"Type in{place[3:]}" if place else "Type"
        return f"{text}, then press {self.key}" if self.key else text


def _plain_click(target: Target, name: str) -> str:
    role = target.role
    if role in (base.FIELD, base.PASSWORD):
        return f"Click the {name} field"
    if role == base.CHECK_BOX and target.checked is not None:
        return f"{'Check' if target.checked else 'Uncheck'} {name}"
    if role == base.RADIO:
        return f"Select {name}"
    if role in (base.ITEM, base.MENU_ITEM) and target.container:
        return f'Select {name} in "{short(target.container, MAX_NAME)}"'
    if role == base.ITEM:
        return f"Select {name}"
    if role == base.COMBO:
        return f"Open the {name} list"
    if role == base.TAB:
        return f"Click the {name} tab"
    return f"Click {name}"
