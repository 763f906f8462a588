"""Capture steps from the app, start to finish: pick the process, count down, step aside,
show a small bar while capturing, then come back and open the new steps in the editor.

The capture itself is ``StepCaptureController``'s; this is what the owner sees around it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

from baton.capture.recording.hotkeys import TAKE_STEP_LABEL
from baton.capture.steps.sink import SavedStep
from baton.core.library import Library, ProcessDraft
from baton.core.states import ProcessStatus
from baton.errors import UserError
from baton.settings import Settings
from baton.ui import messages
from baton.ui.recording.countdown import Countdown
from baton.ui.steps.capture import TOGGLE_LABEL, StepCaptureController
from baton.ui.steps.capture_target import CaptureTargetDialog

HIDE_SETTLE_MS = 250
"""How long the bar stays hidden before the screen is read for "Take step": the
display server and the windows under it must repaint first."""


class CaptureIndicator(QWidget):
    """The small always-on-top bar while steps are captured: what for, how many, Take
    step (the screen as it is, for desktops where clicks cannot be watched), Stop."""

    stop_clicked = Signal()
    take_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setWindowTitle("Baton — capturing steps")
        self.setObjectName("recordBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        dot = QLabel("●")
        dot.setObjectName("recordDot")
        self.label = QLabel()
        self.label.setObjectName("captureLabel")
        self.take = QPushButton("Take step")
        self.take.setToolTip(f"Make a step of the screen as it is now ({TAKE_STEP_LABEL}). "
                             "This bar is not in the picture.")
        self.take.setAccessibleName("Take step")
        self.take.clicked.connect(self.take_clicked)
        self.take_shortcut = QShortcut(QKeySequence(TAKE_STEP_LABEL), self)
        self.take_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.take_shortcut.activated.connect(self.take_clicked)
        self._area_lock = threading.Lock()
        self._area: tuple[int, int, int, int] | None = None  # screen pixels
        self.stop = QPushButton(f"Stop ({TOGGLE_LABEL})")
        self.stop.setObjectName("primaryButton")
        self.stop.clicked.connect(self.stop_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(dot)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.take)
        layout.addWidget(self.stop)
        self.count(0, "")

    def covers(self, x: int, y: int) -> bool:
        """Whether screen pixel ``x, y`` is on the bar (where it was, while hidden for a
        step). Any thread: step capture asks from its input thread."""
        with self._area_lock:
            area = self._area
        return area is not None and area[0] <= x < area[2] and area[1] <= y < area[3]

    def _placed(self) -> None:
        frame, ratio = self.frameGeometry(), self.devicePixelRatioF()
        area = (round(frame.left() * ratio), round(frame.top() * ratio),
                round((frame.left() + frame.width()) * ratio),
                round((frame.top() + frame.height()) * ratio))
        with self._area_lock:
            self._area = area

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._placed()

    def moveEvent(self, event: QMoveEvent) -> None:  # noqa: N802 - Qt's name
        super().moveEvent(event)
        self._placed()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._placed()

    def count(self, steps: int, title: str) -> None:
        noun = "step" if steps == 1 else "steps"
        self.label.setText(f"Capturing steps for “{title}”: {steps} {noun}")

    def show_at_top(self) -> None:
        """Show in the top right corner of the main screen, out of the way."""
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.right() - self.width() - 16, area.top() + 16)
        self.show()


class CaptureFlow(QObject):
    """One step capture as the owner sees it.

    Signals:
        finished(process_id, step_ids): the capture stopped; the steps it saved, in order.
    """

    finished = Signal(int, list)
    _taken = Signal()  # a "Take step" step is saved (from a capture thread)

    def __init__(
        self,
        window: QWidget,
        controller: StepCaptureController,
        library: Library,
        settings: Settings,
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._controller = controller
        self._library = library
        self._settings = settings
        self._notify = notify
        self.indicator = CaptureIndicator()
        self.indicator.stop_clicked.connect(self.stop)
        self.indicator.take_clicked.connect(self.take_step)
        controller.take_requested.connect(self.take_step)
        self._taken.connect(self._show_again)
        self.taking = False
        self.countdown: Countdown | None = None
        self.process_id: int | None = None
        self._title = ""
        self._stepped_aside: list[QWidget] = []
        controller.step_saved.connect(self._step_saved)

    @property
    def active(self) -> bool:
        """A capture this flow started is counting down or running."""
        return self.process_id is not None

    def toggle(self, selected: int | None) -> None:
        """Stop a running capture, or ask what to capture for and start one."""
        if self._controller.running or self.active:
            self.stop()
        else:
            self.begin(selected)

    def begin(self, selected: int | None) -> None:
        """Ask which process (``selected`` comes first), count down, then capture."""
        try:
            processes = self._library.list_processes()
        except UserError as error:
            messages.show_problem(self._window, str(error))
            return
        target = CaptureTargetDialog.ask(self._window, processes, selected)
        if target is None:
            return
        process_id = target.process_id
        try:
            if process_id is None:
                process_id = self._library.add_process(
                    ProcessDraft(target.new_title, status=ProcessStatus.DRAFT)).id
            self._title = self._library.get(process_id).title
        except UserError as error:
            messages.show_problem(self._window, str(error))
            return
        self.process_id = process_id
        self._step_aside()
        self.countdown = Countdown(self._settings.get("recording.countdown_seconds"),
                                   "Capturing steps starts… (Esc cancels)")
        self.countdown.finished.connect(self._start)
        self.countdown.cancelled.connect(self._cancelled)
        self.countdown.start()

    def _start(self) -> None:
        process_id = self.process_id
        if process_id is None:
            return
        # The bar is shown first, so the capture counts it among Baton's own windows.
        self.indicator.count(0, self._title)
        self.indicator.show_at_top()
        if not self._controller.start(process_id, ignore_click=self.indicator.covers):
            self.indicator.hide()
            self.process_id = None
            self._come_back()

    def _cancelled(self) -> None:
        self.process_id = None
        self._come_back()
        self._notify("Step capture cancelled.")

    def stop(self) -> None:
        """End the capture, come back, and open the new steps in the editor."""
        if self.countdown is not None and self.countdown.isVisible():
            self.countdown.cancel()
            return
        saved: list[SavedStep] = self._controller.stop()
        process_id, self.process_id = self.process_id, None
        self.indicator.hide()
        self._come_back()
        if process_id is None:
            return
        if not saved:
            self._notify("No steps were captured: click in another program while capturing.")
            return
        self.finished.emit(process_id, [step.step_id for step in saved])

    def take_step(self) -> None:
        """Hide the bar, let the screen repaint, take the step, then show the bar again."""
        if self.taking or not self._controller.running:
            return
        if not self.indicator.isVisible():  # a capture started with a recording: no bar
            self._controller.take_step()
            return
        self.taking = True
        self.indicator.hide()
        QTimer.singleShot(HIDE_SETTLE_MS, self._take_now)

    def _take_now(self) -> None:
        if not self._controller.take_step(self._taken.emit):
            self._show_again()

    def _show_again(self) -> None:
        if self.taking:
            self.taking = False
            if self.active and self._controller.running:
                self.indicator.show_at_top()

    def _step_saved(self, _step: SavedStep) -> None:
        if self.active:
            self.indicator.count(len(self._controller.saved), self._title)

    def _step_aside(self) -> None:
        """Minimise Baton's windows so the first screenshot is of the owner's work."""
        self._stepped_aside = []
        if not self._settings.get("recording.hide_baton_windows"):
            return
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget.isWindow() and not widget.isMinimized() and (
                    widget is self._window or widget.windowType() == Qt.WindowType.Window):
                self._stepped_aside.append(widget)
                widget.showMinimized()

    def _come_back(self) -> None:
        for widget in self._stepped_aside:
            widget.showNormal()
        self._stepped_aside = []
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
