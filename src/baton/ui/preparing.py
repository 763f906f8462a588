"""Prepare a process's package files in the background while the owner fills in a dialog.

Burning marks into the screenshots and painting the PDF checklist take a second or more
for a long process. The app starts that work as soon as the owner opens the send or export
dialog, for the version sending would freeze, so that by the time they press Send the
export only has to copy files. If they press Send sooner, the export waits for this work
instead of doing it twice (``baton.handoff.prepared`` takes turns through a lock file). If
they cancel the dialog, the work stops.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from baton.core.library import Library
from baton.core.media import MediaStore
from baton.errors import UserError

if TYPE_CHECKING:
    from baton.handoff.source import VersionSource

log = logging.getLogger("baton.ui")


class BackgroundPreparation:
    """At most one preparation at a time, on a thread of its own."""

    def __init__(self, library: Library, media: MediaStore) -> None:
        self._library = library
        self._media = media
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, process_id: int) -> None:
        """Start preparing what sending the process now would pack (stops any other)."""
        from baton.handoff.source import VersionSource  # not needed to start the app

        self.stop()
        try:
            version = VersionSource.of(self._library.pending_version(process_id))
        except UserError as error:
            log.info("nothing to prepare for process %s: %s", process_id, error)
            return
        cancel = threading.Event()
        self._cancel = cancel
        self._thread = threading.Thread(
            target=self._prepare, args=(version, cancel), name="baton-prepare-ahead", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the preparation (if any) and wait for its thread to end."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the preparation to end; False if it is still running after ``timeout``."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _prepare(self, version: VersionSource, cancel: threading.Event) -> None:
        from baton.handoff.preparation import prepare_version  # loads OpenCV: only when needed
        from baton.handoff.progress import ExportCancelled

        def check_cancel() -> None:
            if cancel.is_set():
                raise ExportCancelled()

        try:
            prepare_version(version, self._media, check_cancel=check_cancel)
        except ExportCancelled:
            log.info("preparing ahead stopped")
        except UserError as error:  # the export itself will say it to the owner
            log.info("preparing ahead failed: %s", error)
        except Exception:  # a bug: the export will meet it again and report it
            log.exception("preparing ahead failed")
