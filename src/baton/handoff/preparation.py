"""Preparing a version's package files: the slow part of an export, done once.

Making the files means decoding, painting, compressing, and reading every byte to check it
and to find the CRC-32 the zip needs; the documents are made on a worker thread while the
video is checked. What is made, and the index that keeps it, is ``baton.handoff.prepared``.

Two exports of the same version (the app preparing while the owner fills in the send
dialog, and the export itself; or two Baton processes) take turns through a lock file, so
the work is done once.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, cast

from baton.core.media import MediaStore
from baton.handoff.checklist import ChecklistHeader
from baton.handoff.documents import PlannedStep, plan_steps, prepare_documents
from baton.handoff.prepared import (
    PreparedFile,
    PreparedShot,
    PreparedVersion,
    load_prepared,
    prepared_name,
    save_prepared,
)
from baton.handoff.source import VersionSource

STEP_WEIGHT = 8 << 20  # one screenshot and its PDF page weigh like reading 8 MB
READ_CHUNK = 4 << 20
LOCK_POLL = 0.05


def prepare_version(
    version: VersionSource,
    media: MediaStore,
    *,
    progress: Callable[[float], None] = lambda fraction: None,
    check_cancel: Callable[[], None] = lambda: None,
) -> PreparedVersion:
    """Make (or find) the version's package files.

    Args:
        version: the version to prepare.
        media: the media store (read, and written with the made files and the index).
        progress: called with the fraction done (0..1), from this or a worker thread.
        check_cancel: called often; raise from it to stop (nothing is indexed then).

    Raises:
        UserError: a screenshot or the video is missing or damaged, a mark is malformed, or
            the media folder cannot be written.
    """
    name = prepared_name(version)
    with _turn(media.prepared_index(name).with_suffix(".lock"), check_cancel):
        found = load_prepared(version, media)
        if found is not None:
            return found
        prepared = _Preparation(version, media, progress, check_cancel).run()
        save_prepared(version, media, prepared)
        return prepared


def pdf_header(version: VersionSource) -> ChecklistHeader:
    """The printable checklist's title block: the same for every assistant."""
    snapshot = version.snapshot
    return ChecklistHeader(
        title=str(snapshot.get("title") or "Untitled process"),
        summary=str(snapshot.get("summary") or ""),
        version=version.number,
        assistant=None,
        package_id=prepared_name(version)[:32],
    )


class _Preparation:
    """One cold preparation: documents on a worker thread, the video checked meanwhile."""

    def __init__(
        self,
        version: VersionSource,
        media: MediaStore,
        progress: Callable[[float], None],
        check_cancel: Callable[[], None],
    ) -> None:
        self.version = version
        self.media = media
        self.steps: list[PlannedStep] = plan_steps(version.snapshot)
        self.check_cancel = check_cancel
        self._progress = progress
        self._lock = threading.Lock()
        self._done = 0
        key = version.snapshot.get("recording")
        self.video_key = key if isinstance(key, str) else None
        self._video_size = _size(media, self.video_key) if self.video_key else 0
        # The recording is read to check it, made into the package's video (or not), and
        # that is read for its checksums: three passes of about its size.
        self._total = max(len(self.steps) * STEP_WEIGHT + 3 * self._video_size, 1)
        self._failed = threading.Event()

    def advance(self, units: int) -> None:
        with self._lock:
            self._done += units
            fraction = min(self._done / self._total, 1.0)
        self._progress(fraction)
        self.check()

    def check(self) -> None:
        if self._failed.is_set():
            raise _Stopped()
        self.check_cancel()

    def run(self) -> PreparedVersion:
        with ThreadPoolExecutor(1, thread_name_prefix="baton-prepare") as pool:
            documents = pool.submit(self._documents_or_stop)
            video = None
            try:
                video = self._video() if self.video_key else None
            except _Stopped:
                pass  # the documents failed: their error is raised just below
            except BaseException:
                self._failed.set()  # the worker stops at its next check
                raise
            shots, pdf = documents.result()
        return PreparedVersion(video=video, pdf=pdf, shots=shots)

    def _documents_or_stop(self) -> tuple[dict[int, PreparedShot], PreparedFile]:
        try:
            return self._documents()
        except BaseException:
            self._failed.set()  # the video check stops at its next chunk
            raise

    def _documents(self) -> tuple[dict[int, PreparedShot], PreparedFile]:
        # Scratch files go to the system's temporary folder: a killed Baton leaves no
        # litter in the library.
        with tempfile.NamedTemporaryFile(prefix="baton-checklist-", suffix=".pdf") as named:
            pdf = cast(BinaryIO, named)
            shots = prepare_documents(
                self.steps,
                self.media,
                pdf_header(self.version),
                pdf,
                check_cancel=self.check,
                on_step=lambda: self.advance(STEP_WEIGHT),
            )
            pdf.flush()
            checked = checksums(pdf, lambda n: None, self.check)
            key = self.media.put_file(Path(pdf.name), "pdf")
        prepared = {
            position: PreparedShot(
                shot.name,
                PreparedFile.checked(
                    self.media, shot.media_key, shot.sha256, shot.size, shot.crc32
                ),
                shot.width,
                shot.height,
                shot.click,
            )
            for position, shot in shots.items()
        }
        return prepared, PreparedFile.checked(self.media, key, *checked)

    def _video(self) -> PreparedFile:
        from baton.handoff.package_video import prepare_video

        assert self.video_key is not None
        self.media.open(self.video_key).close()  # a colleague's file we may not read: say so
        chapters = [s.entry.video_time for s in self.steps if s.entry.video_time is not None]
        key, sha256, size, crc = prepare_video(
            self.media, self.video_key, self.version.snapshot.get("video_redactions"), chapters,
            advance=self.advance, check_cancel=self.check)
        return PreparedFile.checked(self.media, key, sha256, size, crc)


class _Stopped(Exception):
    """The other thread of a preparation failed; its error is the one reported."""


def _size(media: MediaStore, key: str) -> int:
    try:
        return media.path(key).stat().st_size
    except (OSError, ValueError):
        return 0


def checksums(
    handle: BinaryIO, on_bytes: Callable[[int], None], check_cancel: Callable[[], None]
) -> tuple[str, int, int]:
    """SHA-256, size and CRC-32 of an open file, read from its start."""
    digest, crc, size = hashlib.sha256(), 0, 0
    handle.seek(0)
    while chunk := handle.read(READ_CHUNK):
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        on_bytes(len(chunk))
        check_cancel()
    return digest.hexdigest(), size, crc


@contextlib.contextmanager
def _turn(lock_path: Path, check_cancel: Callable[[], None]) -> Iterator[None]:
    """Hold the lock file while preparing (waits, checking cancel, while another holds it)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; duplicate work is harmless there
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+b") as handle:
        locked = True
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                check_cancel()
                time.sleep(LOCK_POLL)
            except OSError:  # a shared folder without locks (some SMB mounts): go on unlocked
                locked = False
                break
        try:
            yield
        finally:
            if locked:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
