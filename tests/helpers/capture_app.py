"""Baton's window in its own process, capturing steps for a test (``helpers.capture_app``).

The app starts a step capture for a new process "Ledger" at once (the process picker is
the only part answered by the script) and prints JSON lines: ``{"bar": ..., "take": ...}``
when the capture bar shows, ``{"step": title, "id": id}`` for each step saved, and
``{"problem": text}`` for what it would tell the owner (no message box opens),
``{"taking": true}`` when Take step is pressed. Once the
test creates the file ``stop`` in the library folder, it stops the capture, prints
``{"steps": [...]}`` and exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

APP = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from baton.core.library import ProcessDraft
from baton.services import open_services
from baton.ui import messages
from baton.ui.main_window import MainWindow, make_state
from baton.ui.steps.capture_target import CaptureTarget, CaptureTargetDialog

data = Path(sys.argv[1])
app = QApplication(sys.argv)
services = open_services(str(data))
services.settings.set("recording.countdown_seconds", 0)
services.settings.set("recording.hide_baton_windows", True)
process = services.library.add_process(ProcessDraft("Ledger"))
CaptureTargetDialog.ask = classmethod(lambda cls, *args: CaptureTarget(process.id))
window = MainWindow(services, make_state(services.paths.ui_state_file), global_shortcuts=False)
window.setWindowTitle("Baton main window")
window.resize(500, 300)
window.show()
flow, bar = window.capture_flow, window.capture_flow.indicator

def say(**fields):
    print(json.dumps(fields), flush=True)

messages.show_problem = lambda parent, text, *args, **kwargs: say(problem=text)

def running():
    if not (window.step_capture.running and bar.isVisible()):
        return QTimer.singleShot(100, running)
    frame, take = bar.frameGeometry(), bar.take
    middle = take.mapToGlobal(take.rect().center())
    say(bar=[frame.x(), frame.y(), frame.width(), frame.height()],
        take=[middle.x(), middle.y()], tip=take.toolTip())

window.step_capture.step_saved.connect(lambda step: say(step=step.title, id=step.step_id))
window.step_capture.problem.connect(lambda error: say(problem=str(error)))
bar.take_clicked.connect(lambda: say(taking=True))
flow.finished.connect(lambda process_id, ids: (
    say(steps=[{"title": row.title, "window": row.window_title, "full": row.full_screenshot}
               for row in services.steps.list(process.id)]), app.quit()))

def stop_when_told():
    if (data / "stop").exists():
        flow.stop()
    else:
        QTimer.singleShot(100, stop_when_told)

flow.begin(process.id)
running()
stop_when_told()
app.exec()
services.close()
"""


class CaptureApp:
    """The app above, started with ``env`` (and ``QT_QPA_PLATFORM=platform``)."""

    def __init__(self, env: dict[str, str], platform: str, data: Path) -> None:
        environment = dict(env)
        environment["QT_QPA_PLATFORM"] = platform
        environment["PYTHONPATH"] = os.pathsep.join(sys.path)
        self.data = data
        self.problems: list[str] = []
        # Its own process group: the children it starts (the PipeWire reader) go with it.
        self.process = subprocess.Popen([sys.executable, "-c", APP, str(data)],
                                        env=environment, text=True, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True)
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()

    def _read_lines(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")

    def read(self, timeout: float = 90) -> dict[str, Any] | None:
        """The next JSON line; None when none came in ``timeout`` seconds (fails with the
        app's stderr when it ended)."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if not line:
            self.process.wait(10)
            raise AssertionError(self.process.stderr.read() if self.process.stderr else "")
        parsed: dict[str, Any] = json.loads(line)
        return parsed

    def read_until(self, key: str, timeout: float = 90) -> dict[str, Any] | None:
        """The next JSON line that has ``key`` (problems the app tells are kept meanwhile);
        None when it did not come in ``timeout`` seconds."""
        while True:
            found = self.read(timeout)
            if found is None:
                return None
            if key in found:
                return found
            if "problem" in found:
                self.problems.append(found["problem"])

    def expect(self, key: str) -> dict[str, Any]:
        """The next JSON line that has ``key``; fails when none comes."""
        found = self.read_until(key)
        assert found is not None, f"the app printed no {key!r} (problems: {self.problems})"
        return found

    def finish(self) -> list[dict[str, Any]]:
        """Stop the capture; the steps saved (title, window, full screenshot's media key)."""
        (self.data / "stop").touch()
        steps: list[dict[str, Any]] = self.expect("steps")["steps"]
        self.process.wait(30)
        return steps

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._reader.join(10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
