"""Which kind of desktop session Baton runs in: X11, Wayland, or none (no display).

A Wayland session says so in ``XDG_SESSION_TYPE`` (set by the login manager) or, where
that is missing, by ``WAYLAND_DISPLAY``; ``DISPLAY`` alone means X11. A Wayland session
usually also has ``DISPLAY`` (XWayland), which sees only old X applications: capture must
not trust it there.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping


class SessionType(enum.StrEnum):
    X11 = "x11"
    WAYLAND = "wayland"
    NONE = "none"
    """No display at all (a server, a test without Xvfb)."""


def session_type(env: Mapping[str, str] | None = None) -> SessionType:
    """The session ``env`` (None: this process's environment) describes."""
    env = os.environ if env is None else env
    declared = env.get("XDG_SESSION_TYPE", "").strip().lower()
    if declared == "wayland" and env.get("WAYLAND_DISPLAY"):
        return SessionType.WAYLAND
    if declared == "x11" and env.get("DISPLAY"):
        return SessionType.X11
    if env.get("WAYLAND_DISPLAY"):
        return SessionType.WAYLAND
    if env.get("DISPLAY"):
        return SessionType.X11
    return SessionType.NONE
