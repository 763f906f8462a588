"""Build a handoff package (format 1) from a process version.

The version's screenshots, PDF checklist and video are prepared once and kept
(``baton.handoff.prepared``); an export then writes the small texts (viewer, Markdown
checklist, manifest) and copies the prepared files into the zip inside the kernel. The zip
is written into a nameless file in the target folder and only linked into place when
complete, so a failed, cancelled or killed export leaves nothing at ``out``. Entries have
fixed timestamps and permissions and a fixed order (media first, manifest last), so the
same version gives the same bytes. The layout and these rules are specified in
docs/package-format.md.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from baton.core.media import CorruptMedia, MediaStore
from baton.core.versions import ProcessVersionRow
from baton.errors import UserError
from baton.handoff.answers import AnswerEntry
from baton.handoff.checklist import ChecklistHeader
from baton.handoff.documents import plan_steps
from baton.handoff.manifest import (
    VIDEO_NAME,
    FileEntry,
    Manifest,
    make_package_id,
)
from baton.handoff.markdown import render_markdown
from baton.handoff.preparation import checksums, prepare_version
from baton.handoff.prepared import PreparedFile, PreparedShot, PreparedVersion, load_prepared
from baton.handoff.progress import ExportCancelled, ProgressCallback, Tracker
from baton.handoff.source import VersionSource, package_file_name, process_info, slugify
from baton.handoff.viewer import ViewerAssets, render_index
from baton.handoff.zipwriter import ReproducibleZip, SourceChanged, StoredFile, deflated_size
from baton.util.atomic import AtomicOutput, disk_error

__all__ = ["ExportCancelled", "PackageInfo", "build_package", "package_file_name", "slugify"]

ENTRY_OVERHEAD = 512  # zip headers per entry, generously
PREPARING = "Preparing screenshots and checklist"
PREPARING_SHARE = 0.9  # of the bar, when the version is prepared during the export


@dataclass(frozen=True)
class PackageInfo:
    """A package that was written.

    ``manifest_sha256`` identifies the package: the manifest lists every other file with
    its SHA-256, and the zip is reproducible, so the same manifest means the same zip.
    """

    path: Path
    manifest_sha256: str
    size: int
    package_id: str
    manifest: Manifest


def build_package(
    source: ProcessVersionRow | Mapping[str, Any],
    media: MediaStore,
    out: Path,
    *,
    handoff_id: int | None = None,
    assistant: str | None = None,
    size_budget: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    assets: ViewerAssets | None = None,
    answers: tuple[AnswerEntry, ...] = (),
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
        answers: the owner's answers to the assistant's questions, shown at their steps.

    Returns:
        Where the package went, the SHA-256 of its manifest, its size and its manifest.

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
    manifest = Manifest(
        package_id=make_package_id(
            version.process_id, version.number, version.content_hash, handoff_id
        ),
        process=process_info(version, title),
        handoff_id=handoff_id,
        assistant=assistant or None,
        video=VIDEO_NAME if isinstance(version.snapshot.get("recording"), str) else None,
        steps=tuple(step.entry for step in steps),
        files=(),
        answers=answers,
    )
    tracker = Tracker(progress, cancel, 1)
    try:
        prepared = load_prepared(version, media)
        if prepared is None:
            tracker.begin_phase(PREPARING_SHARE, PREPARING)
            prepared = prepare_version(
                version,
                media,
                progress=lambda fraction: tracker.phase_progress(fraction, PREPARING),
                check_cancel=tracker.check,
            )
            tracker.end_phase()
        tracker.set_total(prepared.size)
        export = _Export(
            _with_shots(manifest, prepared.shots),
            prepared,
            media,
            target,
            tracker,
            assets or ViewerAssets.load(),
        )
        digest, size = export.run(size_budget)
    except SourceChanged as error:
        raise CorruptMedia(f"A media file changed or is damaged ({error}); export again.") from None
    except OSError as error:
        raise disk_error(error, target.parent) from None
    tracker.report(1.0, "Done")
    return PackageInfo(
        path=target,
        manifest_sha256=digest,
        size=size,
        package_id=export.manifest.package_id,
        manifest=export.manifest,
    )


class _Export:
    """One export: the zip is written in a fixed order, media first and manifest last."""

    def __init__(
        self,
        manifest: Manifest,
        prepared: PreparedVersion,
        media: MediaStore,
        target: Path,
        tracker: Tracker,
        assets: ViewerAssets,
    ) -> None:
        self.manifest = manifest
        self.prepared = prepared
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

    def run(self, budget: int | None) -> tuple[str, int]:
        """Write the package; returns the SHA-256 of its manifest and its size."""
        prepared = self.prepared
        with ExitStack() as stack:
            output = stack.enter_context(AtomicOutput(self.target))
            zipped = ReproducibleZip(output.file)
            if prepared.video is not None:
                video = (
                    prepared.video if budget is None else self._fit(prepared.video, budget, stack)
                )
                self._copy(zipped, VIDEO_NAME, video, "video")
            for shot in prepared.shots.values():
                self._copy(zipped, shot.name, shot.file, "screenshots")
            self._copy(zipped, "checklist.pdf", prepared.pdf, "checklist")
            for name, data in self._texts():
                digest = hashlib.sha256(data).hexdigest()
                self.files.append(zipped.add_bytes(name, data, sha256=digest, compress=True))
            self.manifest = replace(self.manifest, files=tuple(self.files))
            encoded = self.manifest.encode()
            digest = hashlib.sha256(encoded).hexdigest()
            zipped.add_bytes("manifest.json", encoded, sha256=digest, compress=True)
            zipped.close()
            self.tracker.check()
            size = zipped.size
            if budget is not None and size > budget:
                raise UserError(
                    f"The package needs {size / 1e6:.1f} MB, more than the "
                    f"{budget / 1e6:.1f} MB budget; raise the budget."
                )
            output.commit()
        return digest, size

    def _copy(
        self, zipped: ReproducibleZip, name: str, file: PreparedFile | _Scratch, what: str
    ) -> None:
        path = file.path if isinstance(file, _Scratch) else self.media.path(file.media_key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise CorruptMedia(f"A media file is missing from the library: {path}") from None
        with handle:
            source = StoredFile(handle, file.size, file.crc32, file.sha256)
            on_bytes = self.tracker.bytes_written(f"Packing the {what}")
            self.files.append(zipped.add_file(name, source, on_bytes=on_bytes))

    def _texts(self) -> list[tuple[str, bytes]]:
        process = self.manifest.process
        slug = package_file_name(process.title, process.version, self.manifest.assistant)[
            : -len(".zip")
        ]
        sizes = {
            position: (shot.width, shot.height) for position, shot in self.prepared.shots.items()
        }
        return [
            ("checklist.md", render_markdown(self._header(), self.manifest.steps).encode("utf-8")),
            ("index.html", render_index(self.assets, self.manifest, slug, sizes)),
        ]

    def _fit(self, video: PreparedFile, budget: int, stack: ExitStack) -> PreparedFile | _Scratch:
        """The video under a size budget: the prepared one if it fits, else a re-encode."""
        from baton.handoff.video import fit_to_budget

        texts = self._texts()
        shots = list(self.prepared.shots.values())
        names = [VIDEO_NAME, "checklist.pdf"] + [s.name for s in shots] + [n for n, _ in texts]
        placeholder = replace(
            self.manifest, files=tuple(FileEntry(name, "0" * 64, budget) for name in names)
        )
        others = self.prepared.pdf.size + sum(deflated_size(data) for _, data in texts)
        others += deflated_size(placeholder.encode()) + ENTRY_OVERHEAD * (len(names) + 2)
        others += sum(shot.file.size for shot in shots)
        room = budget - others
        megabytes = budget / 1e6
        if room <= 0:
            raise UserError(
                f"The screenshots and checklist alone take more than "
                f"{megabytes:.1f} MB; raise the size budget."
            )
        if video.size <= room:
            return video
        temporary = tempfile.TemporaryDirectory(prefix=".baton-export-", dir=self.folder)
        scratch = Path(stack.enter_context(temporary))
        fitted = scratch / "walkthrough.mp4"
        label = f"Re-encoding the video to fit {megabytes:.1f} MB"
        self.tracker.begin_phase(0.8, label)
        fit_to_budget(
            self.media.path(video.media_key),
            room,
            fitted,
            check_cancel=self.tracker.check,
            progress=lambda fraction: self.tracker.phase_progress(fraction, label),
        )
        self.tracker.end_phase()
        with fitted.open("rb") as handle:
            sha256, size, crc = checksums(handle, lambda n: None, self.tracker.check)
        return _Scratch(fitted, sha256, size, crc)


@dataclass(frozen=True)
class _Scratch:
    """A file made for this export only (the video re-encoded to a budget)."""

    path: Path
    sha256: str
    size: int
    crc32: int


def _with_shots(manifest: Manifest, shots: Mapping[int, PreparedShot]) -> Manifest:
    """The steps with their click points as they fall on the packaged screenshots."""
    steps = []
    for step in manifest.steps:
        shot = shots.get(step.position)
        steps.append(replace(step, click=shot.click) if shot else step)
    return replace(manifest, steps=tuple(steps))
