"""Which desktop session Baton believes it runs in."""

from __future__ import annotations

import pytest

from baton.capture.platform.session import DesktopSession, SessionKind, detect_session


@pytest.mark.parametrize(("env", "kind"), [
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
     SessionKind.WAYLAND),
    ({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0"}, SessionKind.WAYLAND),  # XWayland too
    ({"XDG_SESSION_TYPE": "wayland"}, SessionKind.WAYLAND),
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},
     SessionKind.X11),
    ({"DISPLAY": ":99"}, SessionKind.X11),
    ({"XDG_SESSION_TYPE": "tty"}, SessionKind.NONE),
    ({}, SessionKind.NONE),
])
def test_the_session_kind_comes_from_the_environment(
    env: dict[str, str], kind: SessionKind,
) -> None:
    assert detect_session(env).kind is kind


def test_an_x_display_asked_for_by_name_is_always_x11() -> None:
    env = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    assert detect_session(env, display=":5").kind is SessionKind.X11


def test_the_desktop_is_named_in_the_description() -> None:
    session = detect_session({"XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    assert session == DesktopSession(SessionKind.WAYLAND, "ubuntu")
    assert session.describe() == "Wayland (ubuntu)"
    assert detect_session({"DISPLAY": ":0"}).describe() == "X11"
