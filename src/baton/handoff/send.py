"""Send a process to an assistant: freeze a version, record the handoff, write its package.

The package carries the handoff's id and receipt key, so the handoff row comes first, in
the ``preparing`` state (``core.sending``): it is "sent" only once the package is durably
on disk. If the export fails or is cancelled the row is removed; if Baton is killed
meanwhile, the row's lease runs out and the next start removes it. So no handoff is ever
"sent" without its package. The SHA-256 of the package's manifest (which identifies it) is
stored on the handoff.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from baton.core.handoffs import HandoffRow, Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.questions import Questions
from baton.core.sending import Sending
from baton.handoff.answers import answers_for_version
from baton.handoff.package import PackageInfo, build_package
from baton.handoff.progress import ProgressCallback


@dataclass(frozen=True)
class SentHandoff:
    """The handoff that was recorded and the package written for it."""

    handoff: HandoffRow
    package: PackageInfo
    version_number: int
    new_version: bool


def send_process(
    library: Library,
    handoffs: Handoffs,
    sending: Sending,
    media: MediaStore,
    process_id: int,
    assistant_id: int,
    out: Path,
    *,
    due_on: date | None = None,
    changelog: str = "",
    size_budget: int | None = None,
    shrink: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    questions: Questions | None = None,
) -> SentHandoff:
    """Hand the process as it is now to an assistant, as a package written to ``out``.

    Args:
        library: the library service (freezes the version).
        handoffs: the handoffs service (reads the handoff back).
        sending: records the handoff around the writing of its package.
        media: the media store.
        process_id: the process to send.
        assistant_id: who receives it.
        out: the zip to write, or a folder for the default name.
        due_on: when to check in.
        changelog: what changed since the last version (kept on a new version and on the
            "sent" event).
        size_budget: the most bytes the zip may have (see ``build_package``).
        shrink: the pictures may be made smaller to fit the budget (``build_package``).
        progress: export progress, as for ``build_package`` (may come from a worker thread).
        cancel: set to stop; no handoff is recorded and no file written then.
        questions: the questions service; with it, the package carries the answers to
            this assistant's questions on this process that no package carried yet.

    Returns:
        The handoff, the package, the version number and whether it is a new version.

    Raises:
        UserError: the process or assistant does not exist, or the export failed or was
            cancelled (no handoff is recorded then).
    """
    earlier = {version.number for version in library.versions(process_id)}
    version = library.freeze_version(process_id, changelog)
    answers = questions.undelivered_answers(process_id, assistant_id) if questions else []
    row = sending.begin(version.id, assistant_id, due_on=due_on)
    package: PackageInfo | None = None
    try:
        with sending.lease(row.id):
            package = build_package(
                version,
                media,
                out,
                handoff_id=row.id,
                assistant=row.assistant_name,
                receipt_key=row.receipt_key,
                size_budget=size_budget,
                shrink=shrink,
                progress=progress,
                cancel=cancel,
                answers=answers_for_version(answers, version.snapshot),
            )
        sending.finish(row.id, package.manifest_sha256, changelog.strip())
    except BaseException:
        sending.abandon(row.id)
        if package is not None:  # written, but the handoff could not be recorded as sent
            package.path.unlink(missing_ok=True)
        raise
    library.mark_handed_off(process_id)
    if questions is not None:
        questions.mark_delivered(row.id, [answer.answer_id for answer in answers])
    return SentHandoff(
        handoff=handoffs.get(row.id),
        package=package,
        version_number=version.number,
        new_version=version.number not in earlier,
    )
