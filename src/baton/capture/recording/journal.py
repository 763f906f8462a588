"""Crash safety: a journal beside each recording in progress, and recovery after a crash.

While recording ``NAME.mp4`` Baton writes the fragmented video to ``NAME.recording.mp4``,
a small journal ``NAME.recording.json`` that it holds locked, and the clicks and keys as
they happen to ``NAME.recording.events.jsonl``. A clean stop remuxes the video to
``NAME.mp4``, writes ``NAME.mp4.events.json`` and deletes the rest. After a crash the lock
is gone with the process, so ``find_unfinished`` lists the recording and ``recover``
finishes it (remux, no re-encode; the events file from the journalled events).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from baton.capture.platform.input import events_path, read_event_journal, save_events
from baton.errors import UserError
from baton.util.atomic import sync_folder

try:
    import fcntl
except ImportError:  # Windows: fall back to checking the process id
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("baton.capture")

JOURNAL_FORMAT = "baton-recording-journal"
JOURNAL_SUFFIX = ".recording.json"
PARTIAL_SUFFIX = ".recording.mp4"
EVENTS_JOURNAL_SUFFIX = ".recording.events.jsonl"


def partial_path(output: Path) -> Path:
    """The fragmented file written while ``output`` is being recorded."""
    return output.with_name(output.stem + PARTIAL_SUFFIX)


def events_journal_path(output: Path) -> Path:
    """Where the clicks and keys of ``output`` are appended while it is being recorded."""
    return output.with_name(output.stem + EVENTS_JOURNAL_SUFFIX)


def journal_path(output: Path) -> Path:
    """The journal kept while ``output`` is being recorded."""
    return output.with_name(output.stem + JOURNAL_SUFFIX)


@dataclass(frozen=True)
class UnfinishedRecording:
    """A recording whose process ended without finishing it."""

    journal: Path
    partial: Path
    output: Path
    started: str
    size_bytes: int


class Journal:
    """The journal of one recording in progress, locked for as long as it is open."""

    def __init__(self, output: Path, details: dict[str, Any]) -> None:
        self.output = output
        self.path = journal_path(output)
        self.partial = partial_path(output)
        document = {
            "format": JOURNAL_FORMAT,
            "version": 1,
            "output": output.name,
            "partial": self.partial.name,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            **details,
        }
        self._file: IO[str] | None = open(self.path, "w", encoding="utf-8")
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._file.write(json.dumps(document, indent=1))
        self._file.flush()
        os.fsync(self._file.fileno())
        sync_folder(self.path.parent)  # the journal's name must survive a power cut too

    def finish(self) -> None:
        """The recording was finished: forget it."""
        self.release()
        self.path.unlink(missing_ok=True)

    def release(self) -> None:
        """Unlock but keep the journal (the recording still needs recovering)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _is_locked(path: Path, pid: int | None) -> bool:
    """True when the recording process that wrote ``path`` is still running."""
    if fcntl is None:
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def _read(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != JOURNAL_FORMAT:
        return None
    return document


def _region(document: dict[str, Any]) -> tuple[int, int, int, int]:
    region = document.get("region")
    if isinstance(region, list) and len(region) == 4 and all(isinstance(v, int) for v in region):
        return region[0], region[1], region[2], region[3]
    width, height = document.get("width"), document.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return 0, 0, width, height
    return 0, 0, 0, 0


def find_unfinished(*folders: Path) -> list[UnfinishedRecording]:
    """Recordings in these folders left unfinished by a crash, oldest first.

    Recordings still in progress (their process is alive) are not listed.
    """
    found = []
    journals = [path for folder in folders if folder.is_dir()
                for path in sorted(folder.glob("*" + JOURNAL_SUFFIX))]
    for path in journals:
        document = _read(path)
        if document is None:
            continue
        partial = path.with_name(str(document.get("partial", "")))
        pid = document.get("pid")
        if not partial.is_file() or _is_locked(path, pid if isinstance(pid, int) else None):
            continue
        output = path.with_name(str(document.get("output", "")))
        started = str(document.get("started", ""))
        found.append(UnfinishedRecording(path, partial, output, started, partial.stat().st_size))
    return sorted(found, key=lambda item: item.started)


def recover(path: Path) -> Path:
    """Finish an unfinished recording: remux what was saved into a playable MP4.

    Args:
        path: the journal (``*.recording.json``) or the partial video (``*.recording.mp4``).

    Returns:
        The finished MP4 (the intended name, or ``NAME (recovered).mp4`` if that exists).

    Raises:
        UserError: the recording is still in progress, or nothing playable was saved.
    """
    if path.name.endswith(PARTIAL_SUFFIX):
        journal = path.with_name(path.name[: -len(PARTIAL_SUFFIX)] + JOURNAL_SUFFIX)
    else:
        journal = path
    document = _read(journal) or {}
    if journal.exists() and _is_locked(journal, document.get("pid")):
        raise UserError(f"{journal.name} is still being recorded.")
    stem = journal.name[: -len(JOURNAL_SUFFIX)] if journal.name.endswith(JOURNAL_SUFFIX) else ""
    partial = journal.with_name(str(document.get("partial") or stem + PARTIAL_SUFFIX))
    if not partial.is_file():
        raise UserError(f"Nothing to recover: {partial.name} does not exist.")
    output = journal.with_name(str(document.get("output") or stem + ".mp4"))
    from baton.capture.recording.encoder import remux_faststart  # PyAV: only when there is work

    if output.exists():
        output = output.with_name(f"{output.stem} (recovered){output.suffix}")
    remux_faststart(partial, output)
    events = journal.with_name(stem + EVENTS_JOURNAL_SUFFIX) if stem else None
    if events is not None and events.is_file():
        save_events(events_path(output), _region(document), read_event_journal(events))
        events.unlink()
    partial.unlink(missing_ok=True)
    journal.unlink(missing_ok=True)
    log.info("recovered %s", output)
    return output
