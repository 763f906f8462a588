"""Remove media no row refers to any more (never anything still referenced)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.media import MediaStore
from baton.core.models import ProcessVersion, Recording, Step


def referenced_media(session: Session) -> set[str]:
    """Every media key a step, recording or frozen version still refers to."""
    keys: set[str] = set()
    for screenshot, full in session.execute(select(Step.screenshot, Step.full_screenshot)):
        keys.update(key for key in (screenshot, full) if key)
    for media, events in session.execute(select(Recording.media, Recording.events_media)):
        keys.update(key for key in (media, events) if key)
    for (snapshot,) in session.execute(select(ProcessVersion.snapshot)):
        keys.update(_keys_in_snapshot(snapshot))
    return keys


def clean_media(
    sessions: sessionmaker[Session], media: MediaStore, *, now: float | None = None
) -> list[str]:
    """Delete unreferenced media files; returns their keys.

    Files prepared for packages are kept for the latest version of each process (an older
    version is prepared again if it is ever exported again); other indexes, and unreadable
    ones, are removed. Files younger than an hour are never deleted: another Baton (the
    command line, or a colleague on the same team library) may have just stored one and
    not yet written the row that refers to it.
    """
    with sessions() as session:
        keep = referenced_media(session)
        newest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.number).label("number"))
            .group_by(ProcessVersion.process_id)
            .subquery()
        )
        latest = {
            (process_id, number, content)
            for process_id, number, content in session.execute(
                select(
                    ProcessVersion.process_id, ProcessVersion.number, ProcessVersion.content_hash
                ).join(
                    newest,
                    (ProcessVersion.process_id == newest.c.process_id)
                    & (ProcessVersion.number == newest.c.number),
                )
            )
        }
    for index in media.prepared_indexes():
        made_for, keys = _read_index(index)
        if made_for in latest:
            keep.update(keys)
        else:
            index.unlink(missing_ok=True)
            index.with_suffix(".lock").unlink(missing_ok=True)
    return media.collect_garbage(keep, now=now)


def _read_index(path: Path) -> tuple[tuple[Any, Any, Any] | None, list[str]]:
    try:
        data = json.loads(path.read_bytes())
        made_for = data["made_for"]
        keys = [key for key in data["media"] if isinstance(key, str)]
        return (made_for["process_id"], made_for["version"], made_for["content_hash"]), keys
    except (OSError, ValueError, KeyError, TypeError):
        return None, []


def _keys_in_snapshot(snapshot: dict[str, Any]) -> set[str]:
    keys = {snapshot["recording"]} if snapshot.get("recording") else set()
    for step in snapshot.get("steps", []):
        if step.get("screenshot"):
            keys.add(step["screenshot"])
    return keys
