"""The main window: a sidebar of views (Library, Assistants, Handoffs, Dashboard)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from baton import __version__
from baton.services import Services
from baton.ui.assistants_view import AssistantsView
from baton.ui.dashboard_view import DashboardView
from baton.ui.handoffs_view import HandoffsView
from baton.ui.library_view import LibraryView
from baton.ui.settings_dialog import SettingsDialog

PAGES = ("Library", "Assistants", "Handoffs", "Dashboard")


class MainWindow(QMainWindow):
    """Wires the views to the services; remembers its size and the page last shown."""

    def __init__(self, services: Services, state: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._state = state
        self.setWindowTitle("Baton")
        self.setMinimumSize(QSize(760, 480))

        self.library = LibraryView(services.library, self.notify)
        self.assistants = AssistantsView(services.tracking, self.notify)
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


