"""The action registry (``baton.ui.actions``) and the window built from it agree."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from baton.capture.recording.hotkeys import (
    STOP_RECORDING,
    TAKE_STEP,
    TAKE_STEP_LABEL,
    TOGGLE_STEP_CAPTURE,
)
from baton.services import Services
from baton.ui.actions import (
    ACTIONS,
    MENUS,
    PAGE_ACTIONS,
    SHOW_PAGE,
    TRAY,
    MainAction,
    Page,
    page_of,
)
from baton.ui.main_window import MainWindow, make_state
from baton.ui.pages.table_page import TablePage


def keys(key: MainAction) -> str:
    """The key sequence as this platform resolves it ("" for none)."""
    shortcut = ACTIONS[key].shortcut
    return "" if shortcut is None else QKeySequence(shortcut).toString()


def desktop_wide(combination: str) -> str:
    """A pynput combination (``<ctrl>+<alt>+s``) in Qt's words (``Ctrl+Alt+S``)."""
    parts = [part.strip("<>") for part in combination.split("+")]
    return QKeySequence("+".join(part.capitalize() for part in parts)).toString()


def test_every_action_is_declared_and_placed_once(qapp: object) -> None:
    assert set(ACTIONS) == set(MainAction)
    in_menus = [key for layout in MENUS.values() for key in layout if key is not None]
    on_pages = [key for layout in PAGE_ACTIONS.values() for key in layout]
    assert len(in_menus) == len(set(in_menus))
    assert len(on_pages) == len(set(on_pages))
    assert not set(in_menus) & set(on_pages), "a menu action and a page action are made apart"
    assert set(in_menus) | set(on_pages) | set(TRAY) == set(MainAction)
    assert all(page_of(key) is None for key in TRAY)


def test_no_two_actions_that_can_fire_together_share_a_shortcut(qapp: object) -> None:
    window_wide = [key for layout in MENUS.values() for key in layout if key is not None]
    window_wide += [key for key in TRAY if key not in window_wide]
    for page in Page:
        live = window_wide + list(PAGE_ACTIONS[page])
        taken = [keys(key) for key in live if keys(key)]
        taken += [desktop_wide(STOP_RECORDING), desktop_wide(TOGGLE_STEP_CAPTURE),
                  desktop_wide(TAKE_STEP)]
        clashes = {k for k in taken if taken.count(k) > 1}
        assert clashes == set(), f"on the {page} page"
    # What the View menu promises: Ctrl+1..4 in sidebar order.
    assert list(SHOW_PAGE.values()) == list(Page)
    assert [keys(key) for key in SHOW_PAGE] == [f"Ctrl+{n}" for n in range(1, 5)]
    assert desktop_wide(STOP_RECORDING) == "Ctrl+Alt+S"
    assert desktop_wide(TAKE_STEP) == TAKE_STEP_LABEL


def says_what_the_registry_says(key: MainAction, action: QAction) -> None:
    spec = ACTIONS[key]
    assert action.objectName() == key.name.lower()
    assert (action.text(), action.statusTip(), action.shortcut().toString()) == (
        spec.text, spec.status_tip, keys(key)), key
    assert action.isCheckable() == spec.checkable


# The offscreen platform has no tray and says so when a tray icon is made anyway.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_the_window_builds_its_menus_toolbars_and_tray_from_the_registry(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    menus = [a.menu() for a in window.menuBar().actions()]
    assert [m.title() for m in menus if isinstance(m, QMenu)] == list(MENUS)
    for menu, layout in zip(menus, MENUS.values(), strict=True):
        assert isinstance(menu, QMenu)
        shown = menu.actions()
        assert [a.isSeparator() for a in shown] == [key is None for key in layout]
        for action, key in zip(shown, layout, strict=True):
            if key is not None:
                assert action is window.main_actions[key]
                says_what_the_registry_says(key, action)

    pages: dict[Page, TablePage[Any]] = {
        Page.LIBRARY: window.library, Page.ASSISTANTS: window.assistants,
        Page.HANDOFFS: window.handoffs,
    }
    assert PAGE_ACTIONS[Page.DASHBOARD] == ()
    for page, view in pages.items():
        layout = PAGE_ACTIONS[page]
        # The window adds Record, Send... to the Library after the page made its own:
        # the order is still the registry's.
        assert [view.page_actions[key] for key in layout] == view.toolbar.actions()
        assert [view.page_actions[key] for key in layout
                if ACTIONS[key].context_menu] == view.table.actions()
        for key in layout:
            says_what_the_registry_says(key, view.page_actions[key])
            assert view.page_actions[key].isEnabled() != ACTIONS[key].needs_selection

    assert window.tray is not None
    assert list(window.tray.menu.actions()) == [window.main_actions[key] for key in TRAY]
    for key in TRAY:
        says_what_the_registry_says(key, window.main_actions[key])
    window.tray.hide()


def test_an_action_goes_only_where_the_registry_puts_it(
    qtbot: QtBot, services: Services
) -> None:
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False)
    qtbot.addWidget(window)
    with pytest.raises(ValueError, match="CHECK_IN is not an action of the Library page"):
        window.library.add_action(MainAction.CHECK_IN, lambda: None)
