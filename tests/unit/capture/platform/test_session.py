"""Which desktop session Baton is in, from the variables a login manager sets."""

from __future__ import annotations

import pytest

from baton.capture.platform.session import SessionType, session_type


@pytest.mark.parametrize(("env", "expected"), [
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
     SessionType.WAYLAND),  # XWayland's DISPLAY is no reason to grab the screen with X11
    ({"WAYLAND_DISPLAY": "wayland-1"}, SessionType.WAYLAND),  # sway started from a tty
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, SessionType.X11),
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},
     SessionType.X11),  # a nested compositor's variable leaking into an X session
    ({"DISPLAY": ":99"}, SessionType.X11),  # Xvfb
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, SessionType.X11),  # no compositor left
    ({"XDG_SESSION_TYPE": "tty"}, SessionType.NONE),
    ({}, SessionType.NONE),
])
def test_the_session_is_told_by_the_login_variables(
    env: dict[str, str], expected: SessionType
) -> None:
    assert session_type(env) is expected
