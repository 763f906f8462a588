"""Import a handoff package into this library as a new process (File → Open package).

The whole package is verified first (see ``reader``); only then are its screenshots and video
copied into the media store, each hashed again on the way in, and the process, its steps
and its recording added in one transaction. A refused package writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import zipfile
from pathlib import Path
from typing import TypeVar

from baton.core.library import MAX_TITLE, Library, ProcessDraft, RecordingInfo
from baton.core.media import MediaStore
from baton.core.models import Audience, Complexity, ProcessStatus, RecordingState
from baton.core.steps import StepContent
from baton.errors import UserError
from baton.handoff.manifest import FileEntry, Manifest
from baton.handoff.reader import (
    CHUNK,
    DEFAULT_LIMITS,
    BadPackage,
    Limits,
    check_entries,
    open_package,
    verify_package,
)
from baton.handoff.video import probe

log = logging.getLogger("baton.handoff")

E = TypeVar("E", Audience, Complexity)


def import_package(
    path: Path,
    library: Library,
    media: MediaStore,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """Add the process in a package to this library (as a new process, status ready).

    Screenshots come in as they are in the package (annotations and redactions already
    burned in, so the imported steps carry none), the video as the process's recording.
    A title already in use gets " (imported)" added.

    Returns:
        The new process's id.

    Raises:
        BadPackage: the package is not valid or intact (nothing is written then).
    """
    manifest = verify_package(path, limits)
    keys: dict[str, str] = {}
    with open_package(path, limits) as archive:
        files = check_entries(archive, path.name, limits)
        shots = {step.screenshot for step in manifest.steps if step.screenshot}
        for shot in sorted(shots):
            data = _read_small(archive, files[shot], path.name)
            keys[shot] = _store(media, data, manifest.file(shot), path.name)
        recording = _import_video(archive, files, manifest, media, path.name)
    return _add_process(library, manifest, keys, recording)


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise BadPackage(f"{name} is damaged: {info.orig_filename!r} cannot be read.") from None


def _store(media: MediaStore, data: bytes, entry: FileEntry, name: str) -> str:
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise BadPackage(f"{name} changed while it was being imported; try again.")
    return media.put_bytes(data, "png")


def _import_video(
    archive: zipfile.ZipFile,
    files: dict[str, zipfile.ZipInfo],
    manifest: Manifest,
    media: MediaStore,
    name: str,
) -> RecordingInfo | None:
    if manifest.video is None:
        return None
    entry = manifest.file(manifest.video)
    media.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".import-", dir=media.root) as scratch:
        temp = Path(scratch) / "walkthrough.mp4"
        digest = hashlib.sha256()
        try:
            with archive.open(files[manifest.video]) as source, temp.open("wb") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise BadPackage(f"{name} is damaged: its video cannot be read.") from None
        except OSError as error:
            raise UserError(
                f"Cannot save the package's video in {media.root}: {error.strerror or error}."
            ) from None
        if digest.hexdigest() != entry.sha256:
            raise BadPackage(f"{name} changed while it was being imported; try again.")
        try:
            info = probe(temp)
        except UserError:
            raise BadPackage(f"The video in {name} cannot be read.") from None
        key = media.put_file(temp, "mp4")
    return RecordingInfo(
        media=key,
        duration=info.duration,
        size=entry.bytes,
        fps=info.fps,
        width=info.width,
        height=info.height,
        has_audio=info.has_audio,
        state=RecordingState.COMPLETE,
    )


def _add_process(
    library: Library,
    manifest: Manifest,
    keys: dict[str, str],
    recording: RecordingInfo | None,
) -> int:
    info = manifest.process
    draft = ProcessDraft(
        title=info.title.strip()[:MAX_TITLE] or "Imported process",
        summary=info.summary,
        audience=_enum(Audience, info.audience, Audience.INTERNAL),
        complexity=_enum(Complexity, info.complexity, Complexity.SIMPLE),
        minutes_per_run=info.minutes_per_run,
        runs_per_week=info.runs_per_week,
        status=ProcessStatus.READY,
    )
    steps = [
        StepContent(
            title=step.title,
            instruction=step.instruction,
            caution=step.caution,
            screenshot=keys.get(step.screenshot) if step.screenshot else None,
            click_x=step.click[0] if step.click else None,
            click_y=step.click[1] if step.click else None,
            video_time=step.video_time,
            # No marks: the package's screenshots have them drawn in already.
        )
        for step in sorted(manifest.steps, key=lambda step: step.position)
    ]
    process = library.add_imported(draft, steps, recording)
    log.info("imported package %s as process %d", manifest.package_id, process.id)
    return process.id


def _enum(kind: type[E], value: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default
