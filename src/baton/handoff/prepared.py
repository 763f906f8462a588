"""A version's package files, prepared once and kept.

Everything in a package but its small texts is the same for every export of a version: the
screenshots with the owner's marks burned in, the printable checklist, and the video (with
the version's redaction boxes burned in, a keyframe at every chapter and its colours tagged:
``baton.handoff.video_redaction``; otherwise the recording as it is, remuxed to start fast
if it did not). Making them is the slow part of an export: decoding,
painting, compressing, and reading every byte to check it and to find the CRC-32 the zip
needs. So it is done once per version: the files go into the media store, and an index
under ``media/prepared/`` lists them with their sizes, CRC-32s and SHA-256s. Every later
export of the version (to the next assistant, or again) only copies them into the zip.

When a version is prepared, every file is read and checked against its media key. Later
exports trust the content-addressed store as ``cp`` trusts a disk: a file of another size,
or written since it was checked, makes the version be prepared (and checked) again; the
receiver's ``baton package verify`` checks every hash.

Two exports of the same version (the app preparing while the owner fills in the send
dialog, and the export itself; or two Baton processes) take turns through a lock file, so
the work is done once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from baton import __version__
from baton.core.media import MediaStore
from baton.handoff.checklist import ChecklistHeader
from baton.handoff.documents import PlannedStep, plan_steps, prepare_documents
from baton.handoff.source import VersionSource

FORMAT = 2  # bump when what is prepared changes (the PDF layout, the PNG encoding...)
# 2: the video has the version's redaction boxes, chapter keyframes and colour tags.
STEP_WEIGHT = 8 << 20  # one screenshot and its PDF page weigh like reading 8 MB
READ_CHUNK = 4 << 20
LOCK_POLL = 0.05


@dataclass(frozen=True)
class PreparedFile:
    """A file in the media store, with what the zip needs to store it without reading it.

    ``mtime_ns`` is when the file was last written as it was checked: stored media is never
    rewritten, so a file with another size or time has been changed, and is checked again.
    """

    media_key: str
    sha256: str
    size: int
    crc32: int
    mtime_ns: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.media_key,
            "sha256": self.sha256,
            "size": self.size,
            "crc32": self.crc32,
            "mtime_ns": self.mtime_ns,
        }

    @classmethod
    def from_json(cls, data: Any) -> PreparedFile:
        return cls(
            str(data["key"]),
            str(data["sha256"]),
            int(data["size"]),
            int(data["crc32"]),
            int(data["mtime_ns"]),
        )

    @classmethod
    def checked(
        cls, media: MediaStore, key: str, sha256: str, size: int, crc32: int
    ) -> PreparedFile:
        """A stored file just checked (its time is read now)."""
        return cls(key, sha256, size, crc32, media.path(key).stat().st_mtime_ns)


@dataclass(frozen=True)
class PreparedShot:
    """A step's screenshot as packed: its file, pixel size and click point in it."""

    name: str
    file: PreparedFile
    width: int
    height: int
    click: tuple[int, int] | None


@dataclass(frozen=True)
class PreparedVersion:
    """What every package of a version holds besides its texts."""

    video: PreparedFile | None
    pdf: PreparedFile
    shots: dict[int, PreparedShot]  # by step position

    def media_keys(self) -> list[str]:
        keys = [self.pdf.media_key] + [s.file.media_key for s in self.shots.values()]
        return keys + ([self.video.media_key] if self.video else [])

    @property
    def size(self) -> int:
        """Bytes of all the files (what an export copies)."""
        return sum(f.size for f in [self.pdf, *(s.file for s in self.shots.values())]) + (
            self.video.size if self.video else 0
        )


def prepared_name(version: VersionSource) -> str:
    """The index name of a version's prepared files: what they are made from, and by which
    Baton (a new release, with perhaps another Qt or PDF layout, prepares again)."""
    basis = (
        f"baton-prepared/{FORMAT}/{__version__}|{version.process_id}|{version.number}"
        f"|{version.content_hash}"
    )
    return hashlib.sha256(basis.encode()).hexdigest()


def load_prepared(version: VersionSource, media: MediaStore) -> PreparedVersion | None:
    """The version's prepared files, if they were made and are all still there."""
    path = media.prepared_index(prepared_name(version))
    try:
        data = json.loads(path.read_bytes())
        made_for = data["made_for"]
        if (made_for["process_id"], made_for["version"], made_for["content_hash"]) != (
            version.process_id,
            version.number,
            version.content_hash,
        ):
            return None
        prepared = PreparedVersion(
            video=PreparedFile.from_json(data["video"]) if data["video"] else None,
            pdf=PreparedFile.from_json(data["pdf"]),
            shots={
                int(shot["position"]): PreparedShot(
                    str(shot["name"]),
                    PreparedFile.from_json(shot["file"]),
                    int(shot["width"]),
                    int(shot["height"]),
                    (int(shot["click"][0]), int(shot["click"][1])) if shot["click"] else None,
                )
                for shot in data["shots"]
            },
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # not made yet, or an index from a damaged disk: make it again
    for file in [prepared.pdf, *(s.file for s in prepared.shots.values())]:
        if not _has(media, file):
            return None
    if prepared.video is not None and not _has(media, prepared.video):
        return None
    return prepared


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
        index = {
            "format": FORMAT,
            "made_for": {
                "process_id": version.process_id,
                "version": version.number,
                "content_hash": version.content_hash,
            },
            "media": prepared.media_keys(),
            "video": prepared.video.to_json() if prepared.video else None,
            "pdf": prepared.pdf.to_json(),
            "shots": [
                {
                    "position": position,
                    "name": shot.name,
                    "file": shot.file.to_json(),
                    "width": shot.width,
                    "height": shot.height,
                    "click": list(shot.click) if shot.click else None,
                }
                for position, shot in sorted(prepared.shots.items())
            ],
        }
        media.write_prepared_index(name, json.dumps(index, sort_keys=True).encode())
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
        chapters = [s.entry.video_time for s in self.steps if s.entry.video_time is not None]
        key, sha256, size, crc = prepare_video(
            self.media, self.video_key, self.version.snapshot.get("video_redactions"), chapters,
            advance=self.advance, check_cancel=self.check)
        return PreparedFile.checked(self.media, key, sha256, size, crc)


class _Stopped(Exception):
    """The other thread of a preparation failed; its error is the one reported."""


def _has(media: MediaStore, file: PreparedFile) -> bool:
    """Whether the file is still there as it was checked (same size, not written since)."""
    try:
        stat = media.path(file.media_key).stat()
    except (OSError, ValueError):
        return False
    return stat.st_size == file.size and stat.st_mtime_ns == file.mtime_ns


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
