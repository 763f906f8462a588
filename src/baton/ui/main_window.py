"""The main window: a sidebar of views (Library, Assistants, Handoffs, Dashboard)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSize, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QWidget,
)

from baton import __version__
from baton.core.questions import QuestionRow
from baton.paths import resource
from baton.services import Services
from baton.settings import ScreenSharingTokens
from baton.ui.actions import (
    ACTIONS,
    MENUS,
    SHOW_PAGE,
    TRAY,
    MainAction,
    Page,
    make_action,
    show_checked,
)
from baton.ui.dialogs.help import QuickGuideDialog, ShortcutsDialog
from baton.ui.dialogs.settings import SettingsDialog
from baton.ui.first_run.guide import FirstRun
from baton.ui.global_shortcuts import GlobalShortcuts
from baton.ui.icons import SIDEBAR_INK, icon
from baton.ui.pages.assistants import AssistantsView
from baton.ui.pages.dashboard import DashboardView
from baton.ui.pages.handoffs import HandoffsView
from baton.ui.pages.library import LibraryView
from baton.ui.recording import lazy_capture
from baton.ui.recording.controller import (
    MakeRecorder,
    RecordingController,
    RecordTargets,
    Stage,
)
from baton.ui.recording.microphone import Microphones
from baton.ui.screen_fit import fit_to_screen, keep_on_screen
from baton.ui.steps.capture import Capture, OpenCapture, StepCaptureController
from baton.ui.steps.capture_flow import CaptureFlow
from baton.ui.steps.editor import StepEditor
from baton.ui.tray import Tray
from baton.ui.workflows import Workflows

log = logging.getLogger("baton.ui")

PAGES = tuple(Page)


class MainWindow(QMainWindow):
    """Wires the views to the services; remembers its size and the page last shown."""

    stop_requested = Signal()  # from the global shortcut's thread; delivered on the GUI thread
    toggle_requested = Signal()  # the same for the step-capture shortcut

    def __init__(
        self,
        services: Services,
        state: QSettings,
        parent: QWidget | None = None,
        *,
        make_recorder: MakeRecorder | None = None,
        desktop: RecordTargets | None = None,
        open_capture: OpenCapture | None = None,
        global_shortcuts: bool = True,
        microphones: Microphones | None = None,
    ):
        super().__init__(parent)
        self._services = services
        self._state = state
        self.setWindowTitle("Baton")
        self.setMinimumSize(QSize(760, 480))
        self.setAcceptDrops(True)
        self.workflows = Workflows(self, services, self.notify)
        self.workflows.changed.connect(self.refresh)
        self.step_capture = StepCaptureController(
            self, services.library, open_capture or self._open_step_capture, self.notify)
        self.step_capture.running_changed.connect(self._step_capture_changed)
        self.capture_flow = CaptureFlow(self, self.step_capture, services.library,
                                        services.settings, self.notify)
        self.capture_flow.finished.connect(self._captured)
        self.toggle_requested.connect(self._toggle_capture)
        self.recording = RecordingController(
            self, services.library, services.media, services.settings,
            services.paths.recordings_dir,
            make_recorder or partial(lazy_capture.screen_recorder,
                                     tokens=ScreenSharingTokens(services.settings)),
            desktop or lazy_capture.ScreenTargets(), self.notify, lazy_capture.trim,
            steps=self.step_capture, retime_step=self._retime_step, microphones=microphones,
            redactions=services.redactions,
        )
        self.recording.attached.connect(lambda _id: self.refresh())
        self.recording.state_changed.connect(self._recording_state)
        self.stop_requested.connect(self.recording.stop)
        self.shortcuts = GlobalShortcuts(self.stop_requested.emit, self.toggle_requested.emit)
        self.editors: dict[int, StepEditor] = {}

        self.main_actions: dict[MainAction, QAction] = {}
        """Every action of the window and its tray, as ``baton.ui.actions`` declares them."""
        self.library = LibraryView(services.library, self.notify, open_steps=self.open_steps)
        self.first_run = FirstRun(self, services, microphones)
        self.library.welcome_button.clicked.connect(self.first_run.show_welcome)
        self.library.example_button.clicked.connect(self.first_run.open_example)
        self.step_capture.step_saved.connect(lambda _step: self.library.refresh())
        for key, handler in self._library_handlers().items():
            self.main_actions[key] = self.library.add_action(key, handler)
        self.capture_action = self.main_actions[MainAction.CAPTURE_STEPS]
        self.assistants = AssistantsView(services.assistants, self.notify,
                                         ladder=services.ladder)
        self.handoffs = HandoffsView(services.handoffs, self.notify,
                                     questions=services.questions,
                                     open_step=self._open_question_step)
        self.dashboard = DashboardView(services.dashboard)
        self.dashboard.open_item.connect(self.open_attention)
        self.handoffs.go_to_library.connect(lambda: self.show_page(Page.LIBRARY))

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget()
        pages: tuple[QWidget, ...] = (self.library, self.assistants, self.handoffs, self.dashboard)
        self.sidebar.setIconSize(QSize(20, 20))
        page_icons = {page: ACTIONS[key].icon for key, page in SHOW_PAGE.items()}
        for name, page in zip(PAGES, pages, strict=True):
            QListWidgetItem(icon(page_icons[name] or "", SIDEBAR_INK), name, self.sidebar)
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self._page_changed)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.statusBar().showMessage(f"Library: {services.paths.data_dir}", 5000)
        self._restore()
        QTimer.singleShot(
            0, lambda: self.recording.offer_recovery(*services.paths.recording_folders))
        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(app_icon(), [self._action(key) for key in TRAY], self)
            self.tray.recording(False)
            self.tray.show()
        if global_shortcuts:
            self.shortcuts.listen_for_step_capture()

    def _open_step_capture(self, process_id: int, **options: Any) -> Capture:
        from baton.capture.steps.live import open_step_capture
        from baton.capture.steps.privacy import parse_apps

        services = self._services
        keep = parse_apps(services.settings.get("steps.keep_typing_in"))
        return open_step_capture(services.steps.appender(process_id), services.media,
                                 keep_typing_in=keep,
                                 tokens=ScreenSharingTokens(services.settings), **options)

    def _retime_step(self, step_id: int, seconds: float | None) -> None:
        steps = self._services.steps
        row = steps.get(step_id)  # refused if someone else changes the step in between
        steps.replace(step_id, dataclasses.replace(row.content, video_time=seconds),
                      expected_version=row.row_version)

    def _step_capture_changed(self, running: bool) -> None:
        show_checked(MainAction.CAPTURE_STEPS, self.capture_action, running)
        if self.tray is not None:
            self.tray.capturing(running)

    def _toggle_capture(self) -> None:
        """Capture steps on/off; a process selected in the Library is offered first."""
        selected = self.selected_process() if self.current_page() is Page.LIBRARY else None
        self.capture_flow.toggle(selected)
        # Undo the check a click on the action gave it until a capture really runs.
        show_checked(MainAction.CAPTURE_STEPS, self.capture_action, self.step_capture.running)

    def _captured(self, process_id: int, step_ids: list[int]) -> None:
        """Back from capturing: the new steps, in the editor."""
        self.library.refresh()
        self.open_steps(process_id, step_ids[0])
        count = len(step_ids)
        self.notify(f"{count} new step{'s' if count != 1 else ''}: check and name them here.")

    # -- steps, recording, handoffs --------------------------------------------------------

    def open_attention(self, handoff_id: int, question_id: int | None) -> None:
        """A Dashboard item: the handoff on the Handoffs page, and the question to answer."""
        self.show_page(Page.HANDOFFS)
        if not self.handoffs.show_handoff(handoff_id, question_id):
            self.notify("That handoff is no longer in the list.")
        elif question_id is not None:
            self.handoffs.answer_question(question_id)

    def _open_question_step(self, question: QuestionRow) -> None:
        step_id = question.step.step_id if question.step is not None else None
        current = {row.id for row in self._services.steps.list(question.process_id)}
        if step_id not in current:
            self.notify("That step is no longer in the process; here are its steps now.")
            step_id = None
        self.open_steps(question.process_id, step_id)

    def open_steps(self, process_id: int, step_id: int | None = None) -> None:
        """Open (or bring forward) the step editor of a process, at ``step_id`` if given."""
        editor = self.editors.get(process_id)
        if editor is None:
            services = self._services
            editor = StepEditor(services.steps, services.media, services.library, process_id,
                                redactions=services.redactions)
            editor.changed.connect(self.library.refresh)
            editor.closed.connect(lambda pid: self.editors.pop(pid, None))
            self.editors[process_id] = editor
            fit_to_screen(editor, editor.size(), self.screen())
        if step_id is not None:
            editor.reload(step_id)
        editor.show()
        editor.raise_()
        editor.activateWindow()

    def selected_process(self) -> int | None:
        row = self.library.selected()
        return row.id if row is not None else None

    def _on_selected(self, action: Callable[[int], None]) -> Callable[[], None]:
        """``action`` for the process selected in the Library, if there is one."""

        def run() -> None:
            process_id = self.selected_process()
            if process_id is not None:
                action(process_id)

        return run

    def _record_selected(self) -> None:
        self.recording.begin(self.selected_process() if self.current_page() is Page.LIBRARY
                             else None)

    def _bring_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _recording_state(self, state: str) -> None:
        stage = Stage(state)
        self.stop_action.setEnabled(stage.capturing)
        if self.tray is not None:
            self.tray.recording(stage.capturing)
        if stage is not Stage.PAUSED:  # a pause keeps the stop shortcut as it was
            self.shortcuts.recording(stage is Stage.RECORDING, self.recording.bar.say)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and all(Path(u.toLocalFile()).suffix.lower() in (".zip", ".json") for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            self.workflows.open_dropped(Path(url.toLocalFile()))
        event.acceptProposedAction()

    # -- pages -----------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.sidebar.setCurrentRow(PAGES.index(Page(name)))

    def current_page(self) -> Page:
        return PAGES[self.stack.currentIndex()]

    def notify(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def refresh(self) -> None:
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    def _page_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.refresh()

    def _focus_search(self) -> None:
        search = getattr(self.stack.currentWidget(), "search", None)
        if search is not None and search.isEnabled():
            search.setFocus()
            search.selectAll()

    def _new_process(self) -> None:
        self.show_page(Page.LIBRARY)
        self.library.add_process()

    def _new_assistant(self) -> None:
        self.show_page(Page.ASSISTANTS)
        self.assistants.add_assistant()

    # -- menus -----------------------------------------------------------------------------

    def _library_handlers(self) -> dict[MainAction, Callable[[], object]]:
        """What the window adds to the Library's toolbar (the page adds the rest)."""
        workflows = self.workflows
        return {
            MainAction.RECORD: self._record_selected,
            MainAction.CAPTURE_STEPS: self._toggle_capture,
            MainAction.SEND: self._on_selected(workflows.send),
            MainAction.EXPORT: self._on_selected(workflows.export),
            MainAction.UPDATE_HOLDERS: self._on_selected(workflows.update_holders),
            MainAction.STEPS_FROM_VIDEO: self._on_selected(workflows.steps_from_video),
        }

    def _handler(self, key: MainAction) -> Callable[[], object]:
        """What a menu or tray action does."""
        if key in SHOW_PAGE:
            return lambda: self.show_page(SHOW_PAGE[key])
        return {
            MainAction.NEW_PROCESS: self._new_process,
            MainAction.NEW_ASSISTANT: self._new_assistant,
            MainAction.RECORD_WALKTHROUGH: self._record_selected,
            MainAction.STOP_RECORDING: self.recording.stop,
            MainAction.OPEN_PACKAGE: lambda: self.workflows.import_package(),
            MainAction.IMPORT_RECEIPT: lambda: self.workflows.import_receipt(),
            MainAction.OPEN_DATA_FOLDER: self._open_data_folder,
            MainAction.PREFERENCES: self._preferences,
            MainAction.QUIT: self.close,
            MainAction.FIND: self._focus_search,
            MainAction.REFRESH: self.refresh,
            MainAction.OPEN_LOG_FOLDER: self._open_log_folder,
            MainAction.ABOUT: self._about,
            MainAction.GETTING_STARTED: lambda: self.first_run.show_welcome(),
            MainAction.QUICK_GUIDE: lambda: QuickGuideDialog(self).exec(),
            MainAction.SHORTCUTS: lambda: ShortcutsDialog(self).exec(),
            MainAction.TOGGLE_STEP_CAPTURE: self._toggle_capture,
            MainAction.SHOW_WINDOW: self._bring_forward,
        }[key]

    def _action(self, key: MainAction) -> QAction:
        """The window's action ``key``, made the first time it is asked for."""
        if key not in self.main_actions:
            self.main_actions[key] = make_action(key, self, self._handler(key))
        return self.main_actions[key]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for title, keys in MENUS.items():
            menu = bar.addMenu(title)
            for key in keys:
                if key is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self._action(key))
        self.stop_action = self.main_actions[MainAction.STOP_RECORDING]
        self.stop_action.setEnabled(False)

    def _preferences(self) -> None:
        SettingsDialog(self._services.settings, self).exec()

    def _open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._services.paths.data_dir)))

    def _open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._services.paths.log_dir)))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Baton",
            f"<b>Baton {__version__}</b><p>Record how you work once, hand it off as a package "
            "that opens in any browser, and see how your assistants are getting on.</p>"
            "<p>Free software under the GNU GPL version 3 or later.</p>",
        )

    # -- remembered state ------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self._state.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            keep_on_screen(self)
        else:
            fit_to_screen(self, QSize(1100, 700))
        page = str(self._state.value("main/page", Page.LIBRARY))
        self.show_page(page if page in PAGES else Page.LIBRARY)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.recording.state.capturing:
            self.recording.stop()
        if self.step_capture.running:
            self.step_capture.stop()
        self.capture_flow.indicator.close()
        for editor in list(self.editors.values()):
            editor.close()
        self.workflows.preparing.stop()
        self.shortcuts.close()
        self._state.setValue("main/geometry", self.saveGeometry())
        self._state.setValue("main/page", self.current_page().value)
        self._state.sync()
        super().closeEvent(event)


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "baton.svg")))


def make_state(path: Path) -> QSettings:
    """Window state in an INI file in this user's state folder (never in a shared library)."""
    return QSettings(str(path), QSettings.Format.IniFormat)


