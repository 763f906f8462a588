"""Which kind of desktop session Baton runs in: X11, Wayland, or none.

Under Wayland an X display may exist too (XWayland), but it sees only old X applications:
recording or hooking it gives a black screen with a few windows. So a Wayland session is
recognised first, and XWayland's ``DISPLAY`` alone is never taken for the desktop.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass


class SessionKind(enum.Enum):
    X11 = "X11"
    WAYLAND = "Wayland"
    NONE = "none"


@dataclass(frozen=True)
class DesktopSession:
    """The session's kind and the desktop's name (``XDG_CURRENT_DESKTOP``, e.g. "GNOME")."""

    kind: SessionKind
    desktop: str = ""

    @property
    def wayland(self) -> bool:
        return self.kind is SessionKind.WAYLAND

    def describe(self) -> str:
        """``"Wayland (sway)"``, ``"X11"``, ``"none"``."""
        return f"{self.kind.value} ({self.desktop})" if self.desktop else self.kind.value


def detect_session(env: Mapping[str, str] | None = None,
                   display: str | None = None) -> DesktopSession:
    """The session Baton runs in.

    Args:
        env: the environment (default: ``os.environ``).
        display: an X display asked for explicitly (``--display``): always X11.
    """
    env = os.environ if env is None else env
    desktop = env.get("XDG_CURRENT_DESKTOP", "").split(":")[0]
    if not sys.platform.startswith("linux"):
        return DesktopSession(SessionKind.NONE)
    if display:
        return DesktopSession(SessionKind.X11, desktop)
    declared = env.get("XDG_SESSION_TYPE", "").lower()
    if declared == "wayland" or (declared != "x11" and env.get("WAYLAND_DISPLAY")):
        return DesktopSession(SessionKind.WAYLAND, desktop)
    if env.get("DISPLAY"):
        return DesktopSession(SessionKind.X11, desktop)
    return DesktopSession(SessionKind.NONE, desktop)
