"""Build a handoff package (format 1) from a process version.

The zip is streamed into a nameless file in the target folder and only linked into place
when complete, so a failed, cancelled or killed export leaves nothing at ``out``. Entries
have fixed timestamps and permissions and a fixed order (media first, manifest last), so
the same version gives the same bytes. While the video streams into the zip, a worker
thread burns redactions into the screenshots and paints the PDF checklist.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from baton.core.media import CorruptMedia, MediaStore
from baton.core.models import ProcessVersion
from baton.errors import UserError
from baton.handoff.atomic import AtomicOutput, anonymous_temp, disk_error
from baton.handoff.checklist import ChecklistHeader, render_markdown
from baton.handoff.documents import PlannedStep, Shot, plan_steps, prepare_documents
from baton.handoff.manifest import (
    VIDEO_NAME,
    FileEntry,
    Manifest,
    make_package_id,
)
from baton.handoff.progress import ExportCancelled, ProgressCallback, Tracker
from baton.handoff.source import VersionSource, package_file_name, process_info, slugify
from baton.handoff.video import fit_to_budget, starts_fast
from baton.handoff.viewer import ViewerAssets, render_index
from baton.handoff.zipwriter import ReproducibleZip, Slice, SourceChanged

__all__ = ["ExportCancelled", "PackageInfo", "build_package", "package_file_name", "slugify"]

STEP_UNITS = 8 << 20  # one screenshot + PDF page weighs like 8 MB of copying
ENTRY_OVERHEAD = 512  # zip headers per entry, generously


@dataclass(frozen=True)
class PackageInfo:
    """A package that was written."""

    path: Path
    sha256: str
    size: int
    package_id: str
    manifest: Manifest


def build_package(
    source: ProcessVersion | Mapping[str, Any],
    media: MediaStore,
    out: Path,
    *,
    handoff_id: int | None = None,
    assistant: str | None = None,
    size_budget: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    assets: ViewerAssets | None = None,
) -> PackageInfo:
    """Write the handoff package for a process version.

    Args:
        source: a frozen version, or a version snapshot dict (``Library.snapshot``) with an
            optional ``"version"`` number.
        media: the library's media store (screenshots and the recording).
        out: the zip to write, or an existing folder to write the default name into.
        handoff_id: the handoff this package is sent under (goes into the receipt).
        assistant: the assistant's name, shown in the viewer and the file name.
        size_budget: if set, the most bytes the zip may have; the video is re-encoded to
            fit when needed.
        progress: called with (fraction 0..1, what is happening); may be called from a
            worker thread.
        cancel: set it to stop; the export then raises ``ExportCancelled``.
        assets: the viewer's template, script and style (read from the package if None).

    Returns:
        Where the package went, its SHA-256 and size, and its manifest.

    Raises:
        UserError: a screenshot or the video is missing or damaged, a redaction box is
            malformed, the folder cannot be written, the budget cannot be met, or the export
            was cancelled (``ExportCancelled``). Nothing is left at ``out`` then.
    """
    version = VersionSource.of(source)
    steps = plan_steps(version.snapshot)
    title = str(version.snapshot.get("title") or "Untitled process")
    target = out / package_file_name(title, version.number, assistant) if out.is_dir() else out
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist: choose another folder.")
    video_key = version.snapshot.get("recording")
    video = _Video.stored(media, video_key) if isinstance(video_key, str) else None
    manifest = Manifest(
        package_id=make_package_id(
            version.process_id, version.number, version.content_hash, handoff_id
        ),
        process=process_info(version, title),
        handoff_id=handoff_id,
        assistant=assistant or None,
        video=VIDEO_NAME if video is not None else None,
        steps=tuple(step.entry for step in steps),
        files=(),
    )
    shot_bytes = sum(
        media.path(s.media_key).stat().st_size
        for s in steps
        if s.media_key and media.path(s.media_key).is_file()
    )
    total = len(steps) * STEP_UNITS + shot_bytes + (video.size if video else 0)
    export = _Export(
        manifest,
        steps,
        media,
        target,
        Tracker(progress, cancel, total),
        assets or ViewerAssets.load(),
    )
    try:
        digest, size = export.run(video, size_budget)
    except SourceChanged as error:
        raise CorruptMedia(f"A media file changed or is damaged ({error}); export again.") from None
    except OSError as error:
        raise disk_error(error, target.parent) from None
    export.tracker.report(1.0, "Done")
    return PackageInfo(
        path=target,
        sha256=digest,
        size=size,
        package_id=export.manifest.package_id,
        manifest=export.manifest,
    )


@dataclass(frozen=True)
class _Video:
    """The video to pack, and the hash it must have if it is the stored original."""

    path: Path
    sha256: str | None

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @classmethod
    def stored(cls, media: MediaStore, key: str) -> _Video:
        path = media.path(key)
        if not path.is_file():
            raise CorruptMedia(f"The process's recording is missing from the library: {path}")
        return cls(path, key.split(".", 1)[0])


class _Export:
    """One export: the zip is written in a fixed order, media first and manifest last."""

    def __init__(
        self,
        manifest: Manifest,
        steps: list[PlannedStep],
        media: MediaStore,
        target: Path,
        tracker: Tracker,
        assets: ViewerAssets,
    ) -> None:
        self.manifest = manifest
        self.steps = steps
        self.media = media
        self.target = target
        self.folder = target.parent
        self.tracker = tracker
        self.assets = assets
        self.files: list[FileEntry] = []

    def _header(self) -> ChecklistHeader:
        process = self.manifest.process
        return ChecklistHeader(
            process.title,
            process.summary,
            process.version,
            self.manifest.assistant,
            self.manifest.package_id,
        )

    def run(self, video: _Video | None, budget: int | None) -> tuple[str, int]:
        """Write the package; returns its SHA-256 and size."""
        header = self._header()
        with ExitStack() as stack:
            staging = stack.enter_context(anonymous_temp(self.folder))
            pdf = stack.enter_context(anonymous_temp(self.folder))
            output = stack.enter_context(AtomicOutput(self.target))
            pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="baton-export"))
            stack.callback(self.tracker.stop)  # runs before the pool waits for its worker
            documents = pool.submit(
                prepare_documents,
                self.steps,
                self.media,
                header,
                staging,
                pdf,
                check_cancel=self.tracker.check,
                on_step=lambda: self.tracker.advance(
                    STEP_UNITS, "Preparing screenshots and checklist"
                ),
            )
            zipped = ReproducibleZip(output.file)
            stack.callback(zipped.abandon)
            if video is not None:
                if budget is not None:
                    video = self._fit(video, budget, documents.result(), pdf, stack)
                elif not starts_fast(video.path):
                    video = _Video(_remux(video.path, self.folder, stack), None)
                self._add(
                    zipped,
                    VIDEO_NAME,
                    Slice(stack.enter_context(video.path.open("rb")), 0, video.size),
                    video.sha256,
                    "video",
                )
            shots = documents.result()
            self.manifest = _with_shots(self.manifest, shots)
            for shot in shots.values():
                self._add_shot(zipped, shot)
            self._add(zipped, "checklist.pdf", Slice(pdf, 0, pdf.seek(0, 2)), None, "checklist")
            for name, data in self._texts(header, shots):
                self.files.append(zipped.add(name, data, compress=True))
            self.manifest = replace(self.manifest, files=tuple(self.files))
            zipped.add("manifest.json", self.manifest.encode(), compress=True)
            zipped.close()
            self.tracker.check()
            self.tracker.report(0.995, "Checking the package")
            digest, size = _sha256_and_size(output.file)
            if budget is not None and size > budget:
                raise UserError(
                    f"The package needs {size / 1e6:.1f} MB, more than the "
                    f"{budget / 1e6:.1f} MB budget; raise the budget."
                )
            output.commit()
        return digest, size

    def _add(
        self, zipped: ReproducibleZip, name: str, source: Slice, sha256: str | None, what: str
    ) -> None:
        self.files.append(
            zipped.add(
                name,
                source,
                compress=False,
                expected_sha256=sha256,
                on_bytes=self.tracker.bytes_written(f"Packing the {what}"),
            )
        )

    def _add_shot(self, zipped: ReproducibleZip, shot: Shot) -> None:
        if shot.staged is not None:
            self._add(zipped, shot.name, shot.staged, shot.sha256, "screenshots")
            return
        path = self.media.path(str(shot.media_key))
        with path.open("rb") as handle:
            self._add(
                zipped, shot.name, Slice(handle, 0, path.stat().st_size), shot.sha256, "screenshots"
            )

    def _texts(self, header: ChecklistHeader, shots: Mapping[int, Shot]) -> list[tuple[str, bytes]]:
        process = self.manifest.process
        slug = package_file_name(process.title, process.version, self.manifest.assistant)[
            : -len(".zip")
        ]
        sizes = {position: (shot.width, shot.height) for position, shot in shots.items()}
        manifest = _with_shots(self.manifest, shots)
        return [
            ("checklist.md", render_markdown(header, manifest.steps).encode("utf-8")),
            ("index.html", render_index(self.assets, manifest, slug, sizes)),
        ]

    def _fit(
        self, video: _Video, budget: int, shots: Mapping[int, Shot], pdf: BinaryIO, stack: ExitStack
    ) -> _Video:
        """The video under a size budget: the original if it fits, else a re-encode."""
        header = self._header()
        texts = self._texts(header, shots)
        names = (
            [VIDEO_NAME, "checklist.pdf"]
            + [s.name for s in shots.values()]
            + [name for name, _ in texts]
        )
        placeholder = replace(
            self.manifest, files=tuple(FileEntry(name, "0" * 64, budget) for name in names)
        )
        others = pdf.seek(0, 2) + sum(_deflated_size(data) for _, data in texts)
        others += len(placeholder.encode()) + ENTRY_OVERHEAD * (len(names) + 2)
        for shot in shots.values():
            others += (
                shot.staged.size
                if shot.staged
                else self.media.path(str(shot.media_key)).stat().st_size
            )
        room = budget - others
        megabytes = budget / 1e6
        if room <= 0:
            raise UserError(
                f"The screenshots and checklist alone take more than "
                f"{megabytes:.1f} MB; raise the size budget."
            )
        if video.size <= room and starts_fast(video.path):
            return video
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="baton-export-")))
        fitted = scratch / "walkthrough.mp4"
        label = f"Re-encoding the video to fit {megabytes:.1f} MB"
        self.tracker.begin_phase(0.8, label)
        fit_to_budget(
            video.path,
            room,
            fitted,
            check_cancel=self.tracker.check,
            progress=lambda fraction: self.tracker.phase_progress(fraction, label),
        )
        self.tracker.end_phase()
        return _Video(fitted, None)


def _with_shots(manifest: Manifest, shots: Mapping[int, Shot]) -> Manifest:
    """The steps with their click points as they fall on the packaged screenshots."""
    steps = []
    for step in manifest.steps:
        shot = shots.get(step.position)
        steps.append(replace(step, click=shot.click) if shot else step)
    return replace(manifest, steps=tuple(steps))


def _remux(video: Path, folder: Path, stack: ExitStack) -> Path:
    from baton.capture.encoder import remux_faststart

    scratch = Path(
        stack.enter_context(tempfile.TemporaryDirectory(prefix=".baton-export-", dir=folder))
    )
    return remux_faststart(video, scratch / "walkthrough.mp4")


def _deflated_size(data: bytes) -> int:
    """The size of ``data`` deflated as the zip will store it."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return len(compressor.compress(data)) + len(compressor.flush())


def _sha256_and_size(handle: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of an open file, read from the start."""
    digest = hashlib.sha256()
    handle.seek(0)
    size = 0
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
