"""The app's longer actions: send a process, export or import a package, import a receipt,
edit steps, record. The main window calls these; they call services and show dialogs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from baton.core.clock import utc_now
from baton.core.library import ProcessRow
from baton.errors import DatabaseUnavailable, UserError
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.send import SendDialog, SendRequest
from baton.ui.dialogs.stale import StaleDialog
from baton.ui.preparing import BackgroundPreparation
from baton.ui.progress_task import ProgressTask
from baton.ui.steps.from_video_dialog import ScenesDialog

log = logging.getLogger("baton.ui")


def default_package_folder() -> Path:
    documents = Path.home() / "Documents"
    return (documents if documents.is_dir() else Path.home()) / "Baton handoffs"


def ask_open_path(parent: QWidget, title: str, filter_: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filter_)
    return Path(path) if path else None


def show_in_folder(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class Workflows(QObject):
    """One per main window; ``changed`` asks the window to refresh what it shows."""

    changed = Signal()

    def __init__(
        self,
        window: QWidget,
        services: Services,
        notify: Callable[[str], None],
        package_folder: Path | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._notify = notify
        self._folder = package_folder or default_package_folder()
        self.running: ProgressTask | None = None
        self.preparing = BackgroundPreparation(services.library, services.media)

    # -- send and export -------------------------------------------------------------------

    def send(self, process_id: int) -> None:
        services = self._services
        process = services.library.get(process_id)
        self.preparing.start(process_id)  # while the owner fills in the dialog
        request = SendDialog.ask(
            self._window, process=process, assistants=services.assistants.list(),
            today=utc_now().date(), due_days=services.settings.get("handoff.default_due_days"),
            folder=self._folder, warn=services.ladder.warning,
        )
        if request is None:
            self.preparing.stop()
            return
        self._pack(process, request)

    def _pack(self, process: ProcessRow, request: SendRequest, shrink: bool = False) -> None:
        """Send in the background; a budget that smaller pictures would meet is offered."""
        from baton.handoff.budget import PackageTooLarge
        from baton.handoff.send import send_process

        services = self._services

        def work(progress: Callable[[float, str], None], cancel: threading.Event) -> Any:
            request.folder.mkdir(parents=True, exist_ok=True)
            return send_process(
                services.library, services.handoffs, services.sending, services.media, process.id,
                request.assistant_id, request.folder, due_on=request.due_on,
                changelog=request.note, size_budget=request.size_budget, progress=progress,
                cancel=cancel, shrink=shrink, questions=services.questions,
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, PackageTooLarge) and error.scale is not None and not shrink:
                question = f"{error}\n\nMake the pictures and the video smaller so it fits?"
                if messages.confirm(self._window, "Too large for the budget", question,
                                    "Shrink and send"):
                    self._pack(process, request, shrink=True)
                return
            self._failed(error)

        def done(sent: Any) -> None:
            self._folder = request.folder
            self.changed.emit()
            self._offer_folder(
                f"“{process.title}” is ready for {sent.handoff.assistant_name}: send them "
                f"{sent.package.path.name} ({sent.package.size / 1e6:.1f} MB).",
                sent.package.path,
            )

        self._start(f"Packing “{process.title}”…", work, done, failed)

    def update_holders(self, process_id: int) -> None:
        """Freeze the current version, list who holds an older one, re-send it to them."""
        services = self._services
        process = services.library.get(process_id)
        services.library.freeze_version(process_id)
        stale = services.changes.stale_handoffs(process_id)
        if not stale:
            self._notify(f"Everyone who has “{process.title}” has the latest version.")
            return
        self.preparing.start(process_id)
        if not StaleDialog.ask(self._window, process.title, stale):
            self.preparing.stop()
            return
        from baton.handoff.send import send_process

        folder = self._folder

        def work(progress: Callable[[float, str], None], cancel: threading.Event) -> Any:
            folder.mkdir(parents=True, exist_ok=True)
            sent = []
            for index, item in enumerate(stale):
                def step_progress(
                    fraction: float, what: str, index: int = index, name: str = item.assistant_name
                ) -> None:
                    progress((index + fraction) / len(stale), f"{name}: {what}")

                sent.append(send_process(
                    services.library, services.handoffs, services.sending, services.media,
                    process_id,
                    item.assistant_id, folder, changelog=item.diff.summary(),
                    progress=step_progress, cancel=cancel, questions=services.questions,
                ))
            return sent

        def done(sent: list[Any]) -> None:
            self._offer_folder(
                f"The new version of “{process.title}” is ready for "
                f"{', '.join(s.handoff.assistant_name for s in sent)}.",
                sent[-1].package.path,
            )

        self._start(f"Packing “{process.title}”…", work, done)

    def export(self, process_id: int) -> None:
        services = self._services
        process = services.library.get(process_id)
        self.preparing.start(process_id)
        target, _ = QFileDialog.getSaveFileName(
            self._window, "Export package", str(self._folder / f"{process.title}.zip"),
            "Baton packages (*.zip)",
        )
        if not target:
            self.preparing.stop()
            return
        from baton.handoff.package import build_package

        def work(progress: Callable[[float, str], None], cancel: threading.Event) -> Any:
            version = services.library.freeze_version(process_id)
            return build_package(version, services.media, Path(target), progress=progress,
                                 cancel=cancel)

        self._start(
            f"Exporting “{process.title}”…", work,
            lambda package: self._offer_folder(f"Exported {package.path.name}.", package.path),
        )

    def steps_from_video(self, process_id: int) -> None:
        """Cut steps where the screen changes in the process's recording or a video file."""
        services = self._services
        snapshot = services.library.snapshot(process_id)
        own = services.media.path(snapshot["recording"]) if snapshot["recording"] else None
        request = ScenesDialog.ask(self._window, own)
        if request is None:
            return
        from baton.capture.steps.from_video import import_video_steps

        def work(progress: Callable[[float, str], None], cancel: threading.Event) -> Any:
            def step(fraction: float) -> None:
                if cancel.is_set():
                    raise UserError("Cancelled: no steps were added.")
                progress(fraction, "Looking for changes on screen…")

            return import_video_steps(
                services.steps.appender(process_id), services.media, request.video,
                threshold=request.threshold, min_gap_s=request.min_gap, progress=step,
            )

        def done(saved: list[Any]) -> None:
            self.changed.emit()
            self._notify(f"Added {len(saved)} steps from {request.video.name}.")

        self._start("Making steps from the video…", work, done)

    # -- imports ---------------------------------------------------------------------------

    def import_package(self, path: Path | None = None) -> None:
        path = path or ask_open_path(self._window, "Open a Baton package",
                                     "Baton packages (*.zip)")
        if path is None:
            return
        from baton.handoff.importer import import_package

        services = self._services
        self._start(
            f"Importing {path.name}…",
            lambda progress, cancel: import_package(path, services.library, services.media),
            lambda process_id: self._imported(process_id),
        )

    def _imported(self, process_id: int) -> None:
        self.changed.emit()
        self._notify(f"Imported “{self._services.library.get(process_id).title}”.")

    def import_receipt(self, path: Path | None = None) -> None:
        path = path or ask_open_path(self._window, "Import a progress receipt",
                                     "Progress receipts (*.json)")
        if path is None:
            return
        from baton.handoff.receipt import import_receipt

        while True:
            try:
                result = import_receipt(path, self._services.handoffs, self._services.library,
                                        self._services.receipts)
                break
            except DatabaseUnavailable as error:
                if not messages.ask_retry(self._window, str(error)):
                    return
            except UserError as error:
                messages.show_problem(self._window, str(error))
                return
        self.changed.emit()
        if result.ignored:
            self._notify(
                f"{result.handoff.assistant_name}: this receipt is older than the one already "
                "imported, so nothing changed."
            )
            return
        self._notify(
            f"{result.handoff.assistant_name}: {result.steps_done} of {result.steps_total} steps "
            f"of “{result.handoff.process_title}” done"
            + (f", {result.new_questions} new question(s)." if result.new_questions else ".")
            + (f" {result.note}" if result.note else "")
        )

    def open_dropped(self, path: Path) -> None:
        """A file dropped on the window: a package or a receipt."""
        if path.suffix.lower() == ".zip":
            self.import_package(path)
        elif path.suffix.lower() == ".json":
            self.import_receipt(path)
        else:
            messages.show_problem(self._window, f"{path.name} is not a Baton package or receipt.")

    # -- shared ----------------------------------------------------------------------------

    def _offer_folder(self, text: str, path: Path) -> None:
        self.changed.emit()
        self._notify(text)
        box = QMessageBox(QMessageBox.Icon.Information, "Baton", text, parent=self._window)
        show = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()
        box.buttonClicked.connect(lambda button: show_in_folder(path) if button is show else None)

    def _start(
        self,
        title: str,
        work: Any,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work`` with a progress dialog; if the team library cannot be reached the
        owner may retry it. ``failed`` handles any other failure (default: say it)."""

        def on_error(error: BaseException) -> None:
            if failed is not None and not isinstance(error, DatabaseUnavailable):
                failed(error)
                return
            self._failed(error, lambda: self._start(title, work, done, failed))

        self.running = ProgressTask(self._window, title, work, done, on_error)

    def _failed(self, error: BaseException, again: Callable[[], None] | None = None) -> None:
        if isinstance(error, DatabaseUnavailable) and again is not None:
            if messages.ask_retry(self._window, str(error)):
                again()
            return
        if isinstance(error, UserError):
            messages.show_problem(self._window, str(error))
        else:
            log.error("unexpected failure", exc_info=error)
            raise error
