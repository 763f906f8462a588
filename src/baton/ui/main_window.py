"""The main window: a sidebar of views (Library, Assistants, Handoffs, Dashboard)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
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
    QKeySequence,
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
from baton.capture.recording.hotkeys import STOP_RECORDING, GlobalHotkey
from baton.errors import UserError
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.settings import SettingsDialog
from baton.ui.pages.assistants import AssistantsView
from baton.ui.pages.dashboard import DashboardView
from baton.ui.pages.handoffs import HandoffsView
from baton.ui.pages.library import LibraryView
from baton.ui.recording import lazy_capture
from baton.ui.recording.clip import probe_duration
from baton.ui.recording.controller import MakeRecorder, RecordingController, RecordTargets
from baton.ui.steps.capture import (
    TOGGLE_LABEL,
    TOGGLE_STEP_CAPTURE,
    Capture,
    OpenCapture,
    StepCaptureController,
)
from baton.ui.steps.editor import StepEditor
from baton.ui.tray import Tray
from baton.ui.workflows import Workflows

log = logging.getLogger("baton.ui")

PAGES = ("Library", "Assistants", "Handoffs", "Dashboard")


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
        self.toggle_requested.connect(lambda: self.step_capture.toggle(self._selected_process()))
        self.recording = RecordingController(
            self, services.library, services.media, services.settings,
            services.paths.recordings_dir, make_recorder or lazy_capture.screen_recorder,
            desktop or lazy_capture.ScreenTargets(), self.notify, lazy_capture.trim,
            steps=self.step_capture, retime_step=self._retime_step,
            redactions=services.redactions,
        )
        self.recording.attached.connect(lambda _id: self.refresh())
        self.recording.state_changed.connect(self._recording_state)
        self.stop_requested.connect(self.recording.stop)
        self._hotkey: GlobalHotkey | None = None
        self.editors: dict[int, StepEditor] = {}

        self.library = LibraryView(services.library, self.notify, open_steps=self.open_steps)
        self.step_capture.step_saved.connect(lambda _step: self.library.refresh())
        # Recording comes first: it is how a process gets written down at all.
        self.library.add_action("Record…", self._record_selected, "Ctrl+R")
        self.capture_action = self.library.add_action(
            "Capture steps", lambda: self.step_capture.toggle(self._selected_process()),
            "Ctrl+Shift+C")
        self.capture_action.setCheckable(True)
        self.capture_action.setToolTip(
            f"Every click in other programs becomes a step ({TOGGLE_LABEL} from anywhere)")
        for text, action, shortcut in (
            ("Send…", self.workflows.send, "Ctrl+Shift+S"),
            ("Export…", self.workflows.export, "Ctrl+E"),
            ("Update holders…", self.workflows.update_holders, None),
            ("Steps from video…", self.workflows.steps_from_video, None),
        ):
            self.library.add_action(text, self._on_selected(action), shortcut,
                                    needs_selection=True)
        self.assistants = AssistantsView(services.tracking, self.notify,
                                         ladder=services.ladder)
        self.handoffs = HandoffsView(services.tracking, self.notify)
        self.dashboard = DashboardView(services.dashboard)
        self.handoffs.go_to_library.connect(lambda: self.show_page("Library"))

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget()
        pages: tuple[QWidget, ...] = (self.library, self.assistants, self.handoffs, self.dashboard)
        for name, page in zip(PAGES, pages, strict=True):
            QListWidgetItem(name, self.sidebar)
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
        QTimer.singleShot(0, self.offer_recovery)
        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(app_icon(), [
                ("Record a walkthrough…", self._record_selected),
                ("Stop recording", self.recording.stop),
                ("Capture steps on/off", lambda: self.step_capture.toggle(
                    self._selected_process())),
                ("Show Baton", self._bring_forward),
                ("Quit", self.close),
            ], self)
            self.tray.recording(False)
            self.tray.show()
        self._capture_hotkey: GlobalHotkey | None = None
        if global_shortcuts:
            self._capture_hotkey = GlobalHotkey(TOGGLE_STEP_CAPTURE, self.toggle_requested.emit)
            try:
                self._capture_hotkey.start()
            except UserError as error:
                self._capture_hotkey = None
                log.info("no global step-capture shortcut: %s", error)

    def _open_step_capture(self, process_id: int, **options: Any) -> Capture:
        from baton.capture.steps.live import open_step_capture

        services = self._services
        return open_step_capture(services.database.sessions, services.media, process_id,
                                 **options)

    def _retime_step(self, step_id: int, seconds: float | None) -> None:
        steps = self._services.steps
        steps.replace(step_id, dataclasses.replace(steps.get(step_id).content,
                                                   video_time=seconds))

    def _step_capture_changed(self, running: bool) -> None:
        self.capture_action.setChecked(running)
        self.capture_action.setText("Stop capturing" if running else "Capture steps")

    # -- steps, recording, handoffs --------------------------------------------------------

    def open_steps(self, process_id: int) -> None:
        editor = self.editors.get(process_id)
        if editor is None:
            services = self._services
            editor = StepEditor(services.steps, services.media, services.library, process_id,
                                redactions=services.redactions)
            editor.changed.connect(self.library.refresh)
            editor.closed.connect(lambda pid: self.editors.pop(pid, None))
            self.editors[process_id] = editor
        editor.show()
        editor.raise_()
        editor.activateWindow()

    def _selected_process(self) -> int | None:
        row = self.library.selected()
        return row.id if row is not None else None

    def _on_selected(self, action: Callable[[int], None]) -> Callable[[], None]:
        """``action`` for the process selected in the Library, if there is one."""

        def run() -> None:
            process_id = self._selected_process()
            if process_id is not None:
                action(process_id)

        return run

    def _record_selected(self) -> None:
        self.recording.begin(self._selected_process() if self.current_page() == "Library"
                             else None)

    def _bring_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _recording_state(self, state: str) -> None:
        self.stop_action.setEnabled(state in ("recording", "paused"))
        if self.tray is not None:
            self.tray.recording(state in ("recording", "paused"))
        if state == "recording" and self._hotkey is None:
            self._hotkey = GlobalHotkey(STOP_RECORDING, self.stop_requested.emit)
            try:
                self._hotkey.start()
            except UserError as error:
                self._hotkey = None
                self.recording.bar.say(str(error))
        elif state not in ("recording", "paused") and self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None

    def offer_recovery(self) -> None:
        """Baton was killed while recording: offer to finish and attach what was saved."""
        from baton.capture.recording.journal import find_unfinished, recover

        for unfinished in find_unfinished(self._services.paths.recordings_dir):
            question = (
                f"Baton was closed while recording (started {unfinished.started}, "
                f"{unfinished.size_bytes / 1e6:.1f} MB saved). Recover the recording?"
            )
            if not messages.confirm(self, "Recover recording", question, "Recover"):
                continue
            try:
                video = recover(unfinished.journal)
                duration = probe_duration(video)
            except UserError as error:
                messages.show_problem(self, str(error))
                continue
            self.recording.review(video, duration)
            return

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
        self.sidebar.setCurrentRow(PAGES.index(name))

    def current_page(self) -> str:
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
        self.show_page("Library")
        self.library.add_process()

    def _new_assistant(self) -> None:
        self.show_page("Assistants")
        self.assistants.add_assistant()

    # -- menus -----------------------------------------------------------------------------

    def _action(self, menu_name: str, text: str, slot: object, shortcut: object = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[call-overload]
        action.triggered.connect(slot)
        self._menus[menu_name].addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._menus = {name: bar.addMenu(f"&{name}") for name in ("File", "View", "Help")}
        self._action("File", "New &process…", self._new_process, "Ctrl+N")
        self._action("File", "New &assistant…", self._new_assistant, "Ctrl+Shift+N")
        self._menus["File"].addSeparator()
        self._action("File", "&Record a walkthrough…", self._record_selected)
        self.stop_action = self._action("File", "S&top recording", self.recording.stop)
        self.stop_action.setEnabled(False)
        self._menus["File"].addSeparator()
        self._action("File", "&Open package…", lambda: self.workflows.import_package(),
                     "Ctrl+Shift+O")
        self._action("File", "&Import progress receipt…", lambda: self.workflows.import_receipt(),
                     "Ctrl+I")
        self._menus["File"].addSeparator()
        self._action("File", "Open &data folder", self._open_data_folder)
        self._action("File", "P&references…", self._preferences,
                     QKeySequence.StandardKey.Preferences)
        self._menus["File"].addSeparator()
        self._action("File", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        for index, name in enumerate(PAGES, start=1):
            self._action("View", f"&{name}", lambda _=False, n=name: self.show_page(n),
                         f"Ctrl+{index}")
        self._menus["View"].addSeparator()
        self._action("View", "&Find", self._focus_search, QKeySequence.StandardKey.Find)
        self._action("View", "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh)
        self._action("Help", "Open the &log folder", self._open_log_folder)
        self._action("Help", "&About Baton", self._about)

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
        else:
            self.resize(1100, 700)
        page = str(self._state.value("main/page", "Library"))
        self.show_page(page if page in PAGES else "Library")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.recording.state in ("recording", "paused"):
            self.recording.stop()
        if self.step_capture.running:
            self.step_capture.stop()
        if self._capture_hotkey is not None:
            self._capture_hotkey.stop()
        for editor in list(self.editors.values()):
            editor.close()
        self.workflows.preparing.stop()
        if self._hotkey is not None:
            self._hotkey.stop()
        self._state.setValue("main/geometry", self.saveGeometry())
        self._state.setValue("main/page", self.current_page())
        self._state.sync()
        super().closeEvent(event)


def app_icon() -> QIcon:
    icon_file = Path(__file__).resolve().parent.parent / "resources" / "icons" / "baton.svg"
    return QIcon(str(icon_file))


def make_state(path: Path) -> QSettings:
    """Window state in an INI file inside the library's data folder."""
    return QSettings(str(path), QSettings.Format.IniFormat)


