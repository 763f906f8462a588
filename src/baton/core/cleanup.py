"""Remove media no row refers to any more (never anything still referenced)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
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


def clean_media(sessions: sessionmaker[Session], media: MediaStore) -> list[str]:
    """Delete unreferenced media files; returns their keys."""
    with sessions() as session:
        keep = referenced_media(session)
    return media.collect_garbage(keep)


def _keys_in_snapshot(snapshot: dict[str, Any]) -> set[str]:
    keys = {snapshot["recording"]} if snapshot.get("recording") else set()
    for step in snapshot.get("steps", []):
        if step.get("screenshot"):
            keys.add(step["screenshot"])
    return keys
