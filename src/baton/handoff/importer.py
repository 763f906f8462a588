"""Import a handoff package into this library as a new process (File → Open package).

The package goes through the same validation as ``package verify`` (``validation``), with
its screenshots and video written to a staging folder inside the media store as they
stream past. Only when every check passed are they moved into the store and the process,
its steps and its recording added through the library service in one transaction. A
refused package leaves nothing in the media store or the database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypeVar

from baton.core.library import MAX_TITLE, Library, ProcessDraft, RecordingInfo
from baton.core.media import MediaStore
from baton.core.models import Audience, Complexity, ProcessStatus, RecordingState
from baton.core.steps import StepContent
from baton.errors import UserError
from baton.handoff.manifest import Manifest
from baton.handoff.reader import DEFAULT_LIMITS, Limits
from baton.handoff.validation import CheckedPackage, checked_package

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
        UserError: the media folder or the database cannot be written.
    """
    try:
        media.root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"Cannot import into {media.root}: {error.strerror or error}.") from None
    with checked_package(path, limits, staging=media.root) as package:
        added: list[str] = []
        try:
            keys = _store(package, media, added)
            return _add_process(library, package.manifest, keys, _recording(package, keys))
        except BaseException:
            for key in added:  # stored by this import only: nothing refers to them
                media.path(key).unlink(missing_ok=True)
            raise


def _store(package: CheckedPackage, media: MediaStore, added: list[str]) -> dict[str, str]:
    """Move the staged files into the media store; returns their keys by package path."""
    keys: dict[str, str] = {}
    for name, staged in package.staged.items():
        kind = package.pictures[name].kind if name in package.pictures else "mp4"
        existed = f"{package.manifest.file(name).sha256}.{kind}" in media
        keys[name] = media.put_file(staged, kind)
        if not existed:
            added.append(keys[name])
    return keys


def _recording(package: CheckedPackage, keys: dict[str, str]) -> RecordingInfo | None:
    manifest = package.manifest
    if manifest.video is None or package.video is None:
        return None
    info = package.video
    return RecordingInfo(
        media=keys[manifest.video],
        duration=info.duration,
        size=manifest.file(manifest.video).bytes,
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
