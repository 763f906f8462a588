"""Build a handoff package (format 2) from a process version.

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

import errno
import hashlib
import tempfile
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from baton.core.media import CorruptMedia, MediaStore, unreadable
from baton.core.versions import ProcessVersionRow
from baton.errors import UserError
from baton.handoff.answers import AnswerEntry
from baton.handoff.budget import PackageTooLarge, Plan, Sizes, megabytes, plan
from baton.handoff.checklist import ChecklistHeader
from baton.handoff.documents import plan_steps
from baton.handoff.fields import printable
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
from baton.handoff.shrink import SCALES, ShrunkFile, saving, shrink_pictures
from baton.handoff.source import VersionSource, package_file_name, process_info, slugify
from baton.handoff.viewer import ViewerAssets, render_index
from baton.handoff.zipwriter import ReproducibleZip, SourceChanged, StoredFile, deflated_size
from baton.util.atomic import AtomicOutput

__all__ = [
    "ExportCancelled",
    "PackageInfo",
    "PackageTooLarge",
    "build_package",
    "package_file_name",
    "slugify",
]

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
    receipt_key: str | None = None,
    size_budget: int | None = None,
    shrink: bool = False,
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
        receipt_key: the handoff's secret; the viewer signs receipts with it. Required
            with ``handoff_id``.
        size_budget: if set, the most bytes the zip may have; the video is re-encoded to
            fit when needed.
        shrink: under a size budget, the pictures may be made smaller too (else a budget
            that needs that raises ``PackageTooLarge``, which says by how much).
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
    if (handoff_id is None) != (receipt_key is None):
        raise ValueError("a package sent under a handoff needs that handoff's receipt key")
    version = VersionSource.of(source)
    steps = plan_steps(version.snapshot)
    title = str(version.snapshot.get("title") or "Untitled process")
    target = out / package_file_name(title, version.number, assistant) if out.is_dir() else out
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist: choose another folder.")
    manifest = _printable(Manifest(
        package_id=make_package_id(
            version.process_id, version.number, version.content_hash, handoff_id
        ),
        process=process_info(version, title),
        handoff_id=handoff_id,
        assistant=assistant or None,
        video=VIDEO_NAME if isinstance(version.snapshot.get("recording"), str) else None,
        steps=tuple(step.entry for step in steps),
        files=(),
        receipt_key=receipt_key,
        answers=answers,
    ))
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
        digest, size = export.run(size_budget, shrink)
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
        # What goes in: as prepared, unless a size budget makes smaller copies.
        self.shots = {position: _Shot(shot.name, shot.file, shot.width, shot.height)
                      for position, shot in prepared.shots.items()}
        self.pdf: _File = prepared.pdf
        self.video: _File | None = prepared.video

    def _header(self) -> ChecklistHeader:
        process = self.manifest.process
        return ChecklistHeader(
            process.title,
            process.summary,
            process.version,
            self.manifest.assistant,
            self.manifest.package_id,
        )

    def run(self, budget: int | None, shrink: bool = False) -> tuple[str, int]:
        """Write the package; returns the SHA-256 of its manifest and its size."""
        with ExitStack() as stack:
            output = stack.enter_context(AtomicOutput(self.target))
            zipped = ReproducibleZip(output.file)
            if budget is not None:
                self._fit(budget, shrink, stack)
            if self.video is not None:
                self._copy(zipped, VIDEO_NAME, self.video, "video")
            for shot in self.shots.values():
                self._copy(zipped, shot.name, shot.file, "screenshots")
            self._copy(zipped, "checklist.pdf", self.pdf, "checklist")
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
                raise PackageTooLarge(
                    f"The package came out at {megabytes(size)}, more than the "
                    f"{megabytes(budget)} budget; raise the budget.", None)
            output.commit()
        return digest, size

    def _copy(self, zipped: ReproducibleZip, name: str, file: _File, what: str) -> None:
        path = file.path if isinstance(file, _Scratch | ShrunkFile) else self.media.path(
            file.media_key)
        try:
            handle = path.open("rb")
        except OSError as error:  # missing, or a colleague's file we may not read
            raise unreadable(path, error) from None
        with handle:
            source = StoredFile(handle, file.size, file.crc32, file.sha256)
            on_bytes = self.tracker.bytes_written(f"Packing the {what}")
            self.files.append(zipped.add_file(name, source, on_bytes=on_bytes))

    def _texts(self) -> list[tuple[str, bytes]]:
        process = self.manifest.process
        slug = package_file_name(process.title, process.version, self.manifest.assistant)[
            : -len(".zip")
        ]
        sizes = {position: (shot.width, shot.height) for position, shot in self.shots.items()}
        return [
            ("checklist.md", render_markdown(self._header(), self.manifest.steps).encode("utf-8")),
            ("index.html", render_index(self.assets, self.manifest, slug, sizes)),
        ]

    def _sizes(self, budget: int) -> Sizes:
        """The parts' bytes; the texts and manifest as they will be deflated."""
        from baton.handoff.video import probe

        texts = self._texts()
        shots = list(self.shots.values())
        names = [VIDEO_NAME, "checklist.pdf"] + [s.name for s in shots] + [n for n, _ in texts]
        placeholder = replace(
            self.manifest, files=tuple(FileEntry(name, "0" * 64, budget) for name in names)
        )
        fixed = sum(deflated_size(data) for _, data in texts)
        fixed += deflated_size(placeholder.encode()) + ENTRY_OVERHEAD * (len(names) + 2)
        video = self.prepared.video
        info = probe(self.media.path(video.media_key)) if video is not None else None
        return Sizes(fixed, sum(shot.file.size for shot in shots), self.pdf.size,
                     video.size if video is not None else 0, info)

    def _fit(self, budget: int, shrink: bool, stack: ExitStack) -> None:
        """Meet the budget: the video re-encoded, and the pictures shrunk if agreed."""
        sizes = self._sizes(budget)
        shots = list(self.prepared.shots.values())
        decided = plan(sizes, budget, shrink, lambda scale: saving(shots, self.media, scale))
        if decided.scale == 1.0 and decided.video_room is None:
            return
        temporary = tempfile.TemporaryDirectory(prefix=".baton-export-", dir=self.folder)
        scratch = Path(stack.enter_context(temporary))
        if decided.scale < 1.0:
            decided = self._shrink_to_fit(decided.scale, budget, scratch)
        if decided.video_room is not None and self.prepared.video is not None:
            self.video = self._fit_video(self.prepared.video, decided.video_room, budget,
                                         scratch)

    def _shrink_to_fit(self, scale: float, budget: int, scratch: Path) -> Plan:
        """Shrink the pictures from ``scale`` down until the rest fits with a watchable video
        (the estimate that chose ``scale`` came from a sample)."""
        for candidate in [factor for factor in SCALES if factor <= scale]:
            self._shrink_pictures(candidate, scratch)
            sizes = self._sizes(budget)
            room = budget - sizes.fixed - sizes.pictures - sizes.pdf
            if room >= sizes.smallest_video():
                return Plan(candidate, room if sizes.video > room else None)
        needed = budget - room + sizes.smallest_video()
        raise PackageTooLarge(
            f"With the pictures at {candidate:.0%} the package still needs "
            f"{megabytes(needed)}, more than {megabytes(budget)}; raise the budget.", None)

    def _shrink_pictures(self, scale: float, scratch: Path) -> None:
        label = f"Shrinking the pictures to {scale:.0%}"
        self.tracker.begin_phase(0.5, label)
        folder = scratch / f"pictures-{scale:g}"
        folder.mkdir()
        shots, pdf, steps = shrink_pictures(
            self.manifest.steps, self.prepared.shots, self.media, scale, folder,
            self._header(), check_cancel=self.tracker.check,
            progress=lambda fraction: self.tracker.phase_progress(fraction, label),
        )
        self.tracker.end_phase()
        self.shots = {position: _Shot(shot.name, shot.file, shot.width, shot.height)
                      for position, shot in shots.items()}
        self.pdf = pdf
        self.manifest = replace(self.manifest, steps=steps)

    def _fit_video(self, video: PreparedFile, room: int, budget: int, scratch: Path) -> _Scratch:
        """The video re-encoded into ``room`` bytes."""
        from baton.handoff.video import fit_to_budget

        fitted = scratch / "walkthrough.mp4"
        label = f"Re-encoding the video to fit {megabytes(budget)}"
        self.tracker.begin_phase(0.8, label)
        fit_to_budget(
            self.media.path(video.media_key),
            room,
            fitted,
            check_cancel=self.tracker.check,
            progress=lambda fraction: self.tracker.phase_progress(fraction, label),
            keyframes_at=[s.video_time for s in self.manifest.steps if s.video_time is not None],
        )
        self.tracker.end_phase()
        with fitted.open("rb") as handle:
            sha256, size, crc = checksums(handle, lambda n: None, self.tracker.check)
        return _Scratch(fitted, sha256, size, crc)


def disk_error(error: OSError, folder: Path) -> UserError:
    """Turn an OS error while writing into ``folder`` into a sentence the user can act on."""
    if error.errno == errno.ENOSPC:
        return UserError(f"The disk is full: free some space in {folder} and export again.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"Baton may not write to {folder}: choose another folder.")
    if error.errno == errno.ENOENT:
        return UserError(f"The folder {folder} does not exist: choose another folder.")
    return UserError(f"Cannot write the package to {folder}: {error.strerror or error}.")


@dataclass(frozen=True)
class _Scratch:
    """A file made for this export only (the video re-encoded to a budget)."""

    path: Path
    sha256: str
    size: int
    crc32: int


_File = PreparedFile | _Scratch | ShrunkFile


@dataclass(frozen=True)
class _Shot:
    """A picture as this export packs it."""

    name: str
    file: _File
    width: int
    height: int


def _printable(manifest: Manifest) -> Manifest:
    """The manifest with control characters dropped from its texts (pasted text can hold a
    form feed or an escape): a reader refuses them, and every package Baton makes must
    pass its own checks. The viewer and the Markdown checklist are made from this."""
    process = manifest.process
    return replace(
        manifest,
        process=replace(process, title=printable(process.title),
                        summary=printable(process.summary)),
        assistant=printable(manifest.assistant) if manifest.assistant else manifest.assistant,
        steps=tuple(
            replace(step, title=printable(step.title), instruction=printable(step.instruction),
                    caution=printable(step.caution))
            for step in manifest.steps
        ),
    )


def _with_shots(manifest: Manifest, shots: Mapping[int, PreparedShot]) -> Manifest:
    """The steps with their click points as they fall on the packaged screenshots."""
    steps = []
    for step in manifest.steps:
        shot = shots.get(step.position)
        steps.append(replace(step, click=shot.click) if shot else step)
    return replace(manifest, steps=tuple(steps))
