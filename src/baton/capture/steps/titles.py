"""Pieces of step titles, and typing collected into one "Type ..." step per field.

The titles themselves are worded in ``wording.py``; whether typed text may be kept is
decided in ``privacy.py`` by the field. ``looks_secret`` is that decision's last resort
where the field is unknown: a window that asks for a password by its title (password, PIN,
sign in ...) or its application (pinentry, ssh-askpass, polkit agents, password managers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from baton.capture.platform.base import WindowInfo

HIDDEN = "••••••"
"""What a secret looks like in a title (always six dots: the length is not told)."""
MAX_TEXT = 80
MAX_WINDOW_TITLE = 100

SECRET_TITLE = re.compile(
    r"pass(word|phrase|code|wd)|passwort|kennwort|mot de passe|contraseña|senha|wachtwoord"
    r"|\bpin\b|\bpins?code|\blog ?[io]n\b|\bsign ?in\b|unlock|authenticat|credential|secret"
    r"|\b2fa\b|\botp\b|one[- ]time|verification code|security code|\bsudo\b|keyring|vault",
    re.IGNORECASE,
)
SECRET_APPS = (
    "pinentry", "askpass", "gcr-prompter", "polkit", "authentication-agent", "keepass",
    "bitwarden", "1password", "kwallet", "seahorse", "lxpolkit",
)
ENDS_FIELD = {"Enter", "Tab", "Shift+Tab", "Kp Enter"}
SPACE = {"Space", "Shift+Space"}
EDITING = {"Backspace", "Shift+Backspace"}
PRESS_ALONE = {"Enter", "Esc", "Kp Enter"}
"""Keys worth their own "Press ..." step when they do not end typing."""


def looks_secret(window: WindowInfo | None) -> bool:
    """True when typing into ``window`` may be a password (or the window is unknown)."""
    if window is None:
        return True
    app = window.app.lower()
    return bool(SECRET_TITLE.search(window.title)) or any(name in app for name in SECRET_APPS)


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def window_title(window: WindowInfo | None) -> str:
    return short(window.title, MAX_WINDOW_TITLE) if window is not None else ""


def is_shortcut(label: str) -> bool:
    """A key worth a step of its own: Ctrl/Alt/Super combinations, F-keys, Esc, Enter."""
    if label in PRESS_ALONE:
        return True
    if re.fullmatch(r"F\d{1,2}", label):
        return True
    return any(label.startswith(prefix) for prefix in ("Ctrl+", "Alt+", "Super+", "AltGr+"))


@dataclass
class Typing:
    """Keys typed into one window since the last click, Enter, Tab or focus change.

    The characters stay in memory only: the step's wording decides whether they are kept.

    Args:
        window: the window with the keyboard focus when typing began.
        video_time: the recording time of the first key, if recording.
    """

    window: WindowInfo | None
    video_time: float | None = None
    started: float = 0.0
    """Monotonic time of the first key."""
    prompt: WindowInfo | None = None
    """The window as it looked when it first asked for a password while typing (a window
    may retitle itself "Enter password"): where the field is unknown, that decides."""
    _chars: list[str] = field(default_factory=list)
    _typed: bool = False

    def same_field(self, window: WindowInfo | None) -> bool:
        """Whether typing into ``window`` continues this step."""
        mine = self.window.window_id if self.window is not None else None
        theirs = window.window_id if window is not None else None
        return mine == theirs

    def type(self, text: str, window: WindowInfo | None = None) -> None:
        self._typed = True
        if self.prompt is None and window is not None and looks_secret(window):
            self.prompt = window
        self._chars.append(text)

    def backspace(self) -> None:
        if self._chars:
            self._chars.pop()

    @property
    def text(self) -> str:
        return "".join(self._chars)

    @property
    def empty(self) -> bool:
        """Nothing worth a step: no key, or everything typed was erased (or blank)."""
        return not self._typed or not self.text.strip()


def shortcut_label(combination: str) -> str:
    """The label step capture sees for a pynput hotkey, to pass in ``ignore_keys``.

    ``"<ctrl>+<alt>+s"`` → ``"Ctrl+Alt+S"``; ``"<ctrl>+<shift>+<f9>"`` → ``"Ctrl+Shift+F9"``.
    """
    names = {"ctrl": "Ctrl", "alt": "Alt", "cmd": "Super", "shift": "Shift"}
    parts = [part.strip().lower() for part in combination.split("+")]
    held = {part.strip("<>") for part in parts[:-1]}
    key = parts[-1]
    label = key.strip("<>").replace("_", " ").title() if key.startswith("<") else key.upper()
    return "+".join([names[m] for m in ("ctrl", "alt", "cmd", "shift") if m in held] + [label])
