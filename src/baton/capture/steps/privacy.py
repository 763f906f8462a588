"""Whether typed text may be kept: decided by the field it went into, not by the window.

- A password field (a password role, an echo mode that hides, HTML ``type=password``, as
  the accessibility tree tells) is secret: only that something was typed is kept.
- A field whose name asks for a secret (PIN, one-time code, security code ...) is secret.
- A field the tree shows as an ordinary text field keeps its text.
- Anywhere else, where nothing can tell what the field is (a terminal, an application
  without accessibility), the text is withheld, unless the owner listed that application
  in the setting ``steps.keep_typing_in``; a window that asks for a password there
  (its title or its application: pinentry, polkit ...) is still secret.

Nothing typed is written anywhere before this decision: the characters stay in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from baton.capture.platform.accessibility.base import Element
from baton.capture.platform.base import WindowInfo
from baton.capture.steps.titles import looks_secret

SECRET_FIELD = re.compile(
    r"pass(word|phrase|code|wd)|passwort|kennwort|mot de passe|contraseña|senha|wachtwoord"
    r"|\bpin\b|\bpins?code|\bcvc\b|\bcvv\b|\bcsc\b|security code|verification code"
    r"|one[- ]time|\botp\b|\b2fa\b|secret|\btoken\b|api key|private key|recovery",
    re.IGNORECASE,
)


class Privacy(Enum):
    """What a typing step may say."""

    KEEP = "keep"
    """The text is shown: ``Type "Maria Lopez" in "Full name"``."""
    SECRET = "secret"
    """A password: ``Type •••••• in "Password"``."""
    WITHHELD = "withheld"
    """Nothing tells what the field is: ``Type in "Terminal"``."""


def parse_apps(setting: str) -> frozenset[str]:
    """The application names of the ``steps.keep_typing_in`` setting (comma-separated)."""
    return frozenset(part.strip().lower() for part in setting.split(",") if part.strip())


RANK = {Privacy.KEEP: 0, Privacy.WITHHELD: 1, Privacy.SECRET: 2}


def decide_typing(
    fields: list[Element] | None, window: WindowInfo | None, keep_apps: Iterable[str] = ()
) -> tuple[Privacy, str]:
    """What typing into the elements that had the focus meanwhile may say, and the name
    of the field to show ("" if none): the strictest of their decisions, since typing
    went into one of them."""
    if not fields:
        return decide(None, window, keep_apps), ""
    privacy = max((decide(field, window, keep_apps) for field in fields), key=RANK.__getitem__)
    names = [field.name for field in fields if field.is_field and field.name]
    return privacy, names[-1] if names else ""


def decide(
    field: Element | None, window: WindowInfo | None, keep_apps: Iterable[str] = ()
) -> Privacy:
    """What a typing step into ``field`` (None: unknown) of ``window`` may say."""
    if field is not None and field.is_field:
        if field.password or SECRET_FIELD.search(field.name):
            return Privacy.SECRET
        return Privacy.KEEP
    if looks_secret(window):
        return Privacy.SECRET
    assert window is not None  # looks_secret says an unknown window is secret
    app = window.app.lower()
    if app and app in {name.lower() for name in keep_apps}:
        return Privacy.KEEP
    return Privacy.WITHHELD
