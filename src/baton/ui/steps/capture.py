"""Step capture from the app: every click in other programs becomes a step of a process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from baton.capture.platform.base import WindowInfo
from baton.capture.recording.hotkeys import TAKE_STEP_LABEL
from baton.core.library import Library
from baton.errors import UserError
from baton.ui import messages

if TYPE_CHECKING:
    from baton.capture.steps.capture import CaptureStats
    from baton.capture.steps.sink import SavedStep

log = logging.getLogger("baton.ui")

TOGGLE_LABEL = "Ctrl+Alt+C"


class Capture(Protocol):
    def start(self) -> None: ...

    def stop(self) -> CaptureStats: ...

    def take_step(self, on_taken: Callable[[], None] | None = None) -> bool: ...


OpenCapture = Callable[..., Capture]


def baton_windows() -> set[int]:
    """X ids of Baton's own top-level windows (their clicks make no step)."""
    return {int(widget.winId()) for widget in QApplication.topLevelWidgets() if widget.isVisible()}


class StepCaptureController(QObject):
    """Starts and stops one step capture; its signals arrive on the GUI thread."""

    step_saved = Signal(object)  # SavedStep
    problem = Signal(object)  # UserError
    running_changed = Signal(bool)
    take_requested = Signal()
    """The "Take step" shortcut was pressed while another program had the focus."""

    def __init__(
        self,
        window: QWidget,
        library: Library,
        open_capture: OpenCapture,
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._library = library
        self._open = open_capture
        self._notify = notify
        self.capture: Capture | None = None
        self.process_id: int | None = None
        self.saved: list[SavedStep] = []
        self.step_saved.connect(self._saved)
        self.problem.connect(lambda error: self._notify(str(error)))

    @property
    def running(self) -> bool:
        return self.capture is not None

    def start(self, process_id: int | None, video_clock: Callable[[], float | None] | None = None,
              quiet: bool = False, ignore_click: Callable[[int, int], bool] | None = None
              ) -> bool:
        """Begin capturing steps for ``process_id``; False (and a message) when it cannot.

        ``ignore_click`` tells screen points whose clicks make no step (the capture bar).
        """
        if self.capture is not None:
            return True
        if process_id is None:
            if not quiet:
                messages.show_problem(self._window, "Select the process the steps are for in "
                                                    "the Library first (or add one with Ctrl+N).")
            return False
        own = baton_windows()

        def skip(window: WindowInfo | None) -> bool:
            return window is not None and window.window_id in own

        options: dict[str, Any] = {
            "video_clock": video_clock, "skip_window": skip, "ignore_keys": {TOGGLE_LABEL},
            "on_step": self.step_saved.emit, "on_error": self.problem.emit,
            "take_step_key": TAKE_STEP_LABEL, "on_take_step_key": self.take_requested.emit,
            "take_step_only": True, "ignore_click": ignore_click,
        }
        try:
            capture = self._open(process_id, **options)
            capture.start()
        except UserError as error:
            if not quiet:
                messages.show_problem(self._window, str(error))
            return False
        self.capture, self.process_id, self.saved = capture, process_id, []
        self.running_changed.emit(True)
        title = self._library.get(process_id).title
        self._notify(f"Capturing steps for “{title}”: every click is a step. "
                     f"{TOGGLE_LABEL} stops.")
        return True

    def stop(self) -> list[SavedStep]:
        """End the capture; returns the steps it saved."""
        capture, self.capture = self.capture, None
        if capture is None:
            return []
        stats = capture.stop()
        self.running_changed.emit(False)
        self._notify(f"Step capture stopped: {stats.steps_saved} steps saved"
                     + (f", {stats.steps_failed} failed." if stats.steps_failed else "."))
        return list(self.saved)

    def take_step(self, on_taken: Callable[[], None] | None = None) -> bool:
        """A step of the screen as it is now (``StepCapture.take_step``); False when not
        capturing (``on_taken`` is then called at once)."""
        capture = self.capture
        if capture is None:
            if on_taken is not None:
                on_taken()
            return False
        return capture.take_step(on_taken)

    def toggle(self, process_id: int | None) -> None:
        if self.running:
            self.stop()
        else:
            self.start(process_id)

    def _saved(self, step: SavedStep) -> None:
        known = [i for i, seen in enumerate(self.saved) if seen.step_id == step.step_id]
        if known:  # a click that became a double-click: the same step, retitled
            self.saved[known[0]] = step
        else:
            self.saved.append(step)
        self._notify(f"Step {step.position}: {step.title}")
