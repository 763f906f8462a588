"""Every action of the main window, declared once: its words, shortcut, icon and place.

The menu bar, the pages' toolbars, the rows' right-click menus and the tray menu are all
built from this table, so a shortcut is written in one place and a test can check that no
two actions that can fire together share one. The window and the pages only say what an
action does (``make_action(key, parent, handler)``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from baton.ui.icons import icon
from baton.ui.steps.capture import TOGGLE_LABEL

Shortcut = str | QKeySequence.StandardKey | None


class Page(enum.StrEnum):
    """The main window's pages, in sidebar order (the value is the sidebar's word)."""

    LIBRARY = "Library"
    ASSISTANTS = "Assistants"
    HANDOFFS = "Handoffs"
    DASHBOARD = "Dashboard"


class MainAction(enum.Enum):
    """One member per action object in the main window."""

    # File menu (window-wide)
    NEW_PROCESS = enum.auto()
    NEW_ASSISTANT = enum.auto()
    RECORD_WALKTHROUGH = enum.auto()
    STOP_RECORDING = enum.auto()
    OPEN_PACKAGE = enum.auto()
    IMPORT_RECEIPT = enum.auto()
    OPEN_DATA_FOLDER = enum.auto()
    PREFERENCES = enum.auto()
    QUIT = enum.auto()
    # View menu
    SHOW_LIBRARY = enum.auto()
    SHOW_ASSISTANTS = enum.auto()
    SHOW_HANDOFFS = enum.auto()
    SHOW_DASHBOARD = enum.auto()
    FIND = enum.auto()
    REFRESH = enum.auto()
    # Help menu
    GETTING_STARTED = enum.auto()
    QUICK_GUIDE = enum.auto()
    SHORTCUTS = enum.auto()
    OPEN_LOG_FOLDER = enum.auto()
    ABOUT = enum.auto()
    # Tray only
    TOGGLE_STEP_CAPTURE = enum.auto()
    SHOW_WINDOW = enum.auto()
    # Library page (its shortcuts work while the page has the focus)
    ADD_PROCESS = enum.auto()
    OPEN_STEPS = enum.auto()
    EDIT_PROCESS = enum.auto()
    DELETE_PROCESS = enum.auto()
    DID_IT_MYSELF = enum.auto()
    RECORD = enum.auto()
    CAPTURE_STEPS = enum.auto()
    SEND = enum.auto()
    EXPORT = enum.auto()
    UPDATE_HOLDERS = enum.auto()
    STEPS_FROM_VIDEO = enum.auto()
    # Assistants page
    ADD_ASSISTANT = enum.auto()
    EDIT_ASSISTANT = enum.auto()
    DELETE_ASSISTANT = enum.auto()
    # Handoffs page
    CHECK_IN = enum.auto()
    ANSWER_QUESTION = enum.auto()
    REVOKE = enum.auto()
    EXPORT_CSV = enum.auto()


@dataclass(frozen=True)
class ActionSpec:
    """What an action says and how it is reached.

    Attributes:
        text: the label (``&`` marks the menu mnemonic).
        status_tip: the sentence the status bar shows while the pointer is on it.
        shortcut: a key sequence, a Qt standard key, or None.
        icon: the name of an icon in Baton's set (``resources/icons``), else a freedesktop
            icon-theme name.
        needs_selection: a page action that is enabled only while a row is selected.
        checkable: an on/off action; ``checked_text`` is its label while on.
        checked_text: the label while checked (None: ``text``).
        tool_tip: the toolbar tip (None: the text, with the shortcut on a page).
        context_menu: a page action that is also on its rows' right-click menu.
    """

    text: str
    status_tip: str
    shortcut: Shortcut = None
    icon: str | None = None
    needs_selection: bool = False
    checkable: bool = False
    checked_text: str | None = None
    tool_tip: str | None = None
    context_menu: bool = True


A = MainAction
StandardKey = QKeySequence.StandardKey

ACTIONS: dict[MainAction, ActionSpec] = {
    A.NEW_PROCESS: ActionSpec("New &process…", "Add a process to the Library", "Ctrl+N",
                              icon="new"),
    A.NEW_ASSISTANT: ActionSpec("New &assistant…", "Add someone you hand work to",
                                "Ctrl+Shift+N", icon="person-add"),
    A.RECORD_WALKTHROUGH: ActionSpec(
        "&Record a walkthrough…", "Record your screen and voice while you do a process",
        icon="record"),
    A.STOP_RECORDING: ActionSpec("S&top recording", "Finish the recording and review it",
                                 icon="stop"),
    A.OPEN_PACKAGE: ActionSpec("&Open package…", "Add the process in a handoff package",
                               "Ctrl+Shift+O", icon="open"),
    A.IMPORT_RECEIPT: ActionSpec("&Import progress receipt…",
                                 "Update a handoff from the receipt an assistant saved",
                                 "Ctrl+I", icon="receipt"),
    A.OPEN_DATA_FOLDER: ActionSpec("Open &data folder",
                                   "Show the library's folder in the file manager"),
    # Ctrl+, spelled out: on Linux the platform's standard Preferences key has no binding
    # (Qt maps Ctrl to Cmd on macOS, where Cmd+, is the standard).
    A.PREFERENCES: ActionSpec("P&references…", "Recording and export settings", "Ctrl+,",
                              icon="settings"),
    A.QUIT: ActionSpec("&Quit", "Close Baton", StandardKey.Quit, icon="application-exit"),
    A.SHOW_LIBRARY: ActionSpec("&Library", "Show your processes", "Ctrl+1", icon="page-library"),
    A.SHOW_ASSISTANTS: ActionSpec("&Assistants", "Show your assistants", "Ctrl+2",
                                  icon="page-assistants"),
    A.SHOW_HANDOFFS: ActionSpec("&Handoffs", "Show who holds which process", "Ctrl+3",
                                icon="page-handoffs"),
    A.SHOW_DASHBOARD: ActionSpec("&Dashboard", "Show the hours you got back", "Ctrl+4",
                                 icon="page-dashboard"),
    A.FIND: ActionSpec("&Find", "Search this page", StandardKey.Find, icon="find"),
    A.REFRESH: ActionSpec("&Refresh", "Load this page again", StandardKey.Refresh,
                          icon="refresh"),
    A.GETTING_STARTED: ActionSpec("&Getting started…",
                                  "A short welcome: try the example, capture your first steps",
                                  icon="help"),
    A.QUICK_GUIDE: ActionSpec("&Quick guide", "How Baton works, on one page", "F1",
                              icon="steps"),
    A.SHORTCUTS: ActionSpec("&Keyboard shortcuts", "Every shortcut of the window", "Ctrl+/",
                            icon="keyboard"),
    A.OPEN_LOG_FOLDER: ActionSpec("Open the &log folder",
                                  "Show Baton's log files in the file manager"),
    A.ABOUT: ActionSpec("&About Baton", "Baton's version and licence", icon="help"),
    A.TOGGLE_STEP_CAPTURE: ActionSpec("Capture steps on/off",
                                      "Every click in other programs becomes a step",
                                      icon="capture"),
    A.SHOW_WINDOW: ActionSpec("Show Baton", "Bring Baton's window forward"),
    A.ADD_PROCESS: ActionSpec("New process", "Add a process to the Library", icon="new"),
    A.OPEN_STEPS: ActionSpec("Open steps", "Edit the selected process's steps", "Ctrl+O",
                             needs_selection=True, icon="steps"),
    A.EDIT_PROCESS: ActionSpec("Edit", "Edit the selected process's details", "F2",
                               needs_selection=True, icon="edit"),
    A.DELETE_PROCESS: ActionSpec("Delete", "Delete the selected process and its steps",
                                 StandardKey.Delete, icon="delete",
                                 needs_selection=True),
    A.DID_IT_MYSELF: ActionSpec("I did this myself again",
                                "Count one more time you did the selected process yourself",
                                "Ctrl+D", needs_selection=True, icon="myself"),
    A.RECORD: ActionSpec("Record…", "Record a walkthrough of the selected process", "Ctrl+R",
                         icon="record"),
    A.CAPTURE_STEPS: ActionSpec(
        "Capture steps", "Every click in other programs becomes a step", "Ctrl+Shift+C",
        checkable=True, checked_text="Stop capturing",
        tool_tip=f"Every click in other programs becomes a step ({TOGGLE_LABEL} from anywhere)",
        icon="capture"),
    A.SEND: ActionSpec("Send…", "Hand the selected process to an assistant", "Ctrl+Shift+S",
                       needs_selection=True, icon="send"),
    A.EXPORT: ActionSpec("Export…", "Save the selected process as a package", "Ctrl+E",
                         needs_selection=True, icon="export"),
    A.UPDATE_HOLDERS: ActionSpec("Update holders…",
                                 "Send the latest version to everyone holding an older one",
                                 needs_selection=True, icon="update"),
    A.STEPS_FROM_VIDEO: ActionSpec("Steps from video…",
                                   "Make steps from the scenes of a video",
                                   needs_selection=True, icon="from-video"),
    A.ADD_ASSISTANT: ActionSpec("New assistant", "Add someone you hand work to",
                                icon="person-add"),
    A.EDIT_ASSISTANT: ActionSpec("Edit", "Edit the selected assistant", "F2",
                                 needs_selection=True, icon="edit"),
    A.DELETE_ASSISTANT: ActionSpec("Delete", "Delete the selected assistant",
                                   StandardKey.Delete, icon="delete",
                                   needs_selection=True),
    A.CHECK_IN: ActionSpec("Check in…", "Note how the selected handoff is going", "Ctrl+K",
                           needs_selection=True, icon="check-in"),
    A.ANSWER_QUESTION: ActionSpec("Answer…", "Answer the assistant's question on this handoff",
                                  "Ctrl+Shift+A", needs_selection=True, icon="answer"),
    A.REVOKE: ActionSpec("Revoke…", "Take the selected process back from the assistant",
                         needs_selection=True, icon="revoke"),
    A.EXPORT_CSV: ActionSpec("Export CSV…", "Save every handoff as a spreadsheet", "Ctrl+E",
                             icon="csv"),
}

MENUS: dict[str, tuple[MainAction | None, ...]] = {
    # None: a separator.
    "&File": (A.NEW_PROCESS, A.NEW_ASSISTANT, None, A.RECORD_WALKTHROUGH, A.STOP_RECORDING, None,
              A.OPEN_PACKAGE, A.IMPORT_RECEIPT, None, A.OPEN_DATA_FOLDER, A.PREFERENCES, None,
              A.QUIT),
    "&View": (A.SHOW_LIBRARY, A.SHOW_ASSISTANTS, A.SHOW_HANDOFFS, A.SHOW_DASHBOARD, None,
              A.FIND, A.REFRESH),
    "&Help": (A.GETTING_STARTED, A.QUICK_GUIDE, A.SHORTCUTS, None, A.OPEN_LOG_FOLDER, A.ABOUT),
}
"""The menu bar, in order."""

PAGE_ACTIONS: dict[Page, tuple[MainAction, ...]] = {
    # Recording comes before Send and Export: it is how a process gets written down at all,
    # and at the default width the toolbar's last actions are behind its overflow button.
    Page.LIBRARY: (A.ADD_PROCESS, A.OPEN_STEPS, A.EDIT_PROCESS, A.DELETE_PROCESS,
                   A.DID_IT_MYSELF, A.RECORD, A.CAPTURE_STEPS, A.SEND, A.EXPORT,
                   A.UPDATE_HOLDERS, A.STEPS_FROM_VIDEO),
    Page.ASSISTANTS: (A.ADD_ASSISTANT, A.EDIT_ASSISTANT, A.DELETE_ASSISTANT),
    Page.HANDOFFS: (A.CHECK_IN, A.ANSWER_QUESTION, A.REVOKE, A.EXPORT_CSV),
    Page.DASHBOARD: (),
}
"""Each page's toolbar, in order; the right-click menu of its rows has the same order."""

TRAY: tuple[MainAction, ...] = (
    A.RECORD_WALKTHROUGH, A.STOP_RECORDING, A.TOGGLE_STEP_CAPTURE, A.SHOW_WINDOW, A.QUIT,
)
"""The tray icon's menu (where the desktop has a tray)."""

SHOW_PAGE: dict[MainAction, Page] = {
    A.SHOW_LIBRARY: Page.LIBRARY,
    A.SHOW_ASSISTANTS: Page.ASSISTANTS,
    A.SHOW_HANDOFFS: Page.HANDOFFS,
    A.SHOW_DASHBOARD: Page.DASHBOARD,
}


def page_of(key: MainAction) -> Page | None:
    """The page whose toolbar has ``key`` (None: a window-wide action)."""
    return next((page for page, keys in PAGE_ACTIONS.items() if key in keys), None)


def make_action(key: MainAction, parent: QObject, handler: Callable[[], object]) -> QAction:
    """A new action as ``ACTIONS[key]`` declares it, calling ``handler`` when triggered.

    A page's action reacts to its shortcut only while that page has the focus, so two pages
    may use the same keys (F2 edits the selected process or the selected assistant).
    """
    spec = ACTIONS[key]
    action = QAction(spec.text, parent)
    action.setObjectName(key.name.lower())
    action.setStatusTip(spec.status_tip)
    if spec.icon is not None:
        action.setIcon(icon(spec.icon))
    on_page = page_of(key) is not None
    if spec.shortcut is not None:
        action.setShortcut(QKeySequence(spec.shortcut))
        if on_page:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{spec.text} ({action.shortcut().toString()})")
    if spec.tool_tip is not None:
        action.setToolTip(spec.tool_tip)
    action.setCheckable(spec.checkable)
    action.triggered.connect(lambda: handler())
    return action


def show_checked(key: MainAction, action: QAction, checked: bool) -> None:
    """Tick or untick an on/off action and give it the label for that state."""
    spec = ACTIONS[key]
    action.setChecked(checked)
    action.setText((spec.checked_text or spec.text) if checked else spec.text)
