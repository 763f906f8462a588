"""Opening the step editor on a process with 200 steps of 1920x1080 screenshots.

Target (issue 4): under 0.5 s from "open" to the first paint of the editor window.

Measured side by side in one run, each repeated and alternated:
- baton: construct ``StepEditor`` (which lists the steps through the service), show it, and
  process events until its step list has painted. Also: until the thumbnails of the rows in
  view have arrived from the worker threads.
- reference: the same 200 rows read through the same service into a plain ``QListWidget``
  with titles only (no thumbnails), shown and painted: the floor for "a list of 200 things".
- eager (once): a ``QListWidget`` that decodes all 200 screenshots into thumbnails before
  showing, which is what a naive editor does.

Prints one JSON document. Run: ``.venv/bin/python benchmarks/editor_open.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import PySide6
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem, QWidget

from baton.core.library import ProcessDraft
from baton.core.steps import StepContent, Steps
from baton.services import Services, open_services
from baton.ui.steps.editor import StepEditor

STEPS = 200
WIDTH, HEIGHT = 1920, 1080
TARGET_S = 0.5


class PaintWatch(QObject):
    """Notes when a widget gets its first paint event."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.painted = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def screen_like(number: int) -> bytes:
    """A desktop-like 1080p screenshot (window chrome, text, a highlighted field), as PNG."""
    image = np.full((HEIGHT, WIDTH, 3), 236, np.uint8)
    cv2.rectangle(image, (0, 0), (WIDTH, 40), (60, 48, 36), -1)
    cv2.rectangle(image, (0, 40), (260, HEIGHT), (245, 240, 235), -1)
    for row in range(24):
        y = 90 + row * 38
        cv2.putText(image, f"Invoice {number:03d}-{row:02d}   ACME Supplies   {row * 37 % 900}.00",
                    (300, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (40, 40, 40), 1, cv2.LINE_AA)
    x = 300 + (number * 53) % 1200
    cv2.rectangle(image, (x, 500), (x + 380, 560), (255, 255, 255), -1)
    cv2.rectangle(image, (x, 500), (x + 380, 560), (200, 120, 30), 2)
    cv2.putText(image, f"Step {number}", (x + 20, 540), cv2.FONT_HERSHEY_SIMPLEX, 0.9,
                (30, 30, 30), 2, cv2.LINE_AA)
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok
    return bytes(data.tobytes())


def build_library(folder: Path) -> tuple[Services, Steps, int]:
    services = open_services(str(folder))
    steps = Steps(services.database.sessions)
    process = services.library.add_process(ProcessDraft("Month-end invoices"))
    for number in range(1, STEPS + 1):
        key = services.media.put_bytes(screen_like(number), "png")
        steps.add(process.id, StepContent(
            title=f"Click “Invoice {number:03d}” in “Invoices — Mozilla Firefox”",
            instruction="Check the amount against the supplier's PDF.",
            screenshot=key, click_x=960, click_y=530))
    return services, steps, process.id


def wait_painted(events: QEventLoop, watch: PaintWatch, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not watch.painted:
        events.processEvents()
        if time.perf_counter() > deadline:
            raise RuntimeError("the window was never painted")
    events.processEvents()


def open_baton(events: QEventLoop, services: Services, steps: Steps,
               process_id: int) -> tuple[float, float]:
    """Seconds to the first paint, and to the thumbnails of the rows in view."""
    start = time.perf_counter()
    editor = StepEditor(steps, services.media, services.library, process_id)
    watch = PaintWatch(editor.list.viewport())
    editor.show()
    wait_painted(events, watch)
    painted = time.perf_counter() - start
    model, view = editor.model, editor.list
    visible = [model.index(row) for row in range(model.rowCount())
               if view.visualRect(model.index(row)).intersects(view.viewport().rect())]

    def thumbnails_in() -> bool:
        return all(model.data(index, Qt.ItemDataRole.DecorationRole)
                   is not editor.thumbnails.placeholder for index in visible)

    while not thumbnails_in():
        events.processEvents()
    thumbs = time.perf_counter() - start
    editor.close()
    editor.deleteLater()
    events.processEvents()
    return painted, thumbs


def open_reference(events: QEventLoop, steps: Steps, process_id: int,
                   icon: Callable[[str], QIcon] | None = None) -> float:
    start = time.perf_counter()
    widget = QListWidget()
    widget.resize(1200, 760)
    for row in steps.list(process_id):
        item = QListWidgetItem(f"{row.position}. {row.title}", widget)
        if icon is not None and row.screenshot is not None:
            item.setIcon(icon(row.screenshot))
    watch = PaintWatch(widget.viewport())
    widget.show()
    wait_painted(events, watch)
    elapsed = time.perf_counter() - start
    widget.close()
    widget.deleteLater()
    events.processEvents()
    return elapsed


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-eager", action="store_true", help="skip the slow eager list")
    args = parser.parse_args()
    _app = QApplication([])  # kept alive until main() returns
    # Poll with an event loop object: with PySide6 6.12 on CPython 3.11 the static
    # QCoreApplication.processEvents() drops a reference to None on every call, and a few
    # thousand polls deallocate None (a fatal error). QEventLoop.processEvents() does not.
    events = QEventLoop()
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="editor-open-", dir=out))
    try:
        built = time.perf_counter()
        services, steps, process_id = build_library(folder)
        built = time.perf_counter() - built
        baton, thumbs, reference = [], [], []
        open_baton(events, services, steps, process_id)  # warm-up: imports, fonts, file cache
        open_reference(events, steps, process_id)
        for _ in range(args.runs):
            painted, loaded = open_baton(events, services, steps, process_id)
            baton.append(painted)
            thumbs.append(loaded)
            reference.append(open_reference(events, steps, process_id))
        result: dict[str, Any] = {
            "benchmark": "editor_open",
            "steps": STEPS,
            "screenshot": f"{WIDTH}x{HEIGHT} PNG",
            "runs": args.runs,
            "baton_open_to_first_paint_s": summary(baton),
            "baton_thumbnails_in_view_s": summary(thumbs),
            "reference_plain_qlistwidget_s": summary(reference),
            "ratio_baton_to_reference": round(
                statistics.median(baton) / statistics.median(reference), 2),
            "target_s": TARGET_S,
            "meets_target": statistics.median(baton) < TARGET_S,
            "setup_s": round(built, 1),
        }
        if not args.no_eager:
            size = QSize(160, 90)

            def eager_icon(key: str) -> QIcon:
                image = QImage(str(services.media.path(key)))
                return QIcon(QPixmap.fromImage(image.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation)))

            result["eager_qlistwidget_all_thumbnails_s"] = round(
                open_reference(events, steps, process_id, eager_icon), 3)
        result.update({"qpa": os.environ.get("QT_QPA_PLATFORM"), "qt": PySide6.__version__,
                       "python": platform.python_version(), "cpus": os.cpu_count()})
        services.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
