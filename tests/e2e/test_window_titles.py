"""Window titles on a real X server, set the way old X, xterm and Java apps set them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from baton.capture.platform.x11 import X11Platform
from baton.capture.steps.titles import window_title

pytestmark = pytest.mark.display


class TitledWindow:
    """A mapped top-level window at 100,100 whose title properties a test sets."""

    def __init__(self) -> None:
        from Xlib import X, display

        self.display: Any = display.Display()
        screen = self.display.screen()
        self.window: Any = screen.root.create_window(
            100, 100, 300, 200, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
            background_pixel=screen.white_pixel, override_redirect=True,
        )
        self.window.map()
        self.display.sync()

    def set_with_xprop(self, name: str, text: str) -> None:
        """Let libX11 encode the title (``XmbTextListToTextProperty``, as xterm does)."""
        env = dict(os.environ, LC_ALL="C.UTF-8")
        subprocess.run(
            ["xprop", "-id", str(self.window.id), "-f", name, "8t", "-set", name, text],
            env=env, check=True, timeout=10,
        )

    def set_raw(self, name: str, kind: str, value: bytes) -> None:
        atom = self.display.intern_atom(name)
        self.window.change_property(atom, self.display.intern_atom(kind), 8, value)
        self.display.sync()

    def property_type(self, name: str) -> str:
        prop = self.window.get_full_property(self.display.intern_atom(name), 0)
        return str(self.display.get_atom_name(prop.property_type))

    def close(self) -> None:
        self.window.destroy()
        self.display.sync()
        self.display.close()


@pytest.fixture
def titled(xdisplay: Any) -> Iterator[TitledWindow]:
    window = TitledWindow()
    try:
        yield window
    finally:
        window.close()


@pytest.fixture
def platform(xdisplay: Any) -> Iterator[X11Platform]:
    platform = X11Platform()
    try:
        yield platform
    finally:
        platform.close()


@pytest.mark.parametrize(
    "title",
    ["Invoices — Firefox", "請求書 – 東京", "Привет мир", "Γειά σου", "한국어 中文", "abc€"],
)
def test_wm_name_in_compound_text_reaches_the_step_title_intact(
    titled: TitledWindow, platform: X11Platform, title: str
) -> None:
    titled.set_with_xprop("WM_NAME", title)
    assert titled.property_type("WM_NAME") == "COMPOUND_TEXT"  # libX11 chose it, not us

    window = platform.window_at(200, 200)

    assert window is not None
    assert window.title == title
    assert window_title(window) == title  # what a step title quotes


def test_the_bytes_from_the_report_decode(titled: TitledWindow, platform: X11Platform) -> None:
    titled.set_raw("WM_NAME", "COMPOUND_TEXT", b"Invoices \x1b%G\xe2\x80\x94\x1b%@ Firefox")
    window = platform.window_at(150, 150)
    assert window is not None
    assert window.title == "Invoices — Firefox"


def test_net_wm_name_wins_and_plain_strings_are_latin1(
    titled: TitledWindow, platform: X11Platform
) -> None:
    titled.set_raw("WM_NAME", "STRING", "Caf\u00e9 cr\u00e8me".encode("latin-1"))
    window = platform.window_at(150, 150)
    assert window is not None
    assert window.title == "Café crème"

    titled.set_raw("_NET_WM_NAME", "UTF8_STRING", "Rechnungen — Thunderbird".encode())
    window = platform.window_at(150, 150)
    assert window is not None
    assert window.title == "Rechnungen — Thunderbird"
