"""Remove media nobody refers to any more, and never media someone still wants.

Cleanup runs as the app closes, on every owner's machine, over one shared media folder.
It goes by references, not by the age of files:

1. It lists what rows refer to (steps, recordings, frozen versions) and what the prepared
   packages of each process's latest version use.
2. A stored file nothing refers to gets a ``MediaOrphan`` row: since when (the
   *database's* clock, the one every owner shares, so a machine whose clock is off changes
   nothing) and the file's modification time then.
3. Only when a file has been unreferenced for the grace period (an hour) on that clock,
   and was not stored again meanwhile (storing the same content touches the file), is it
   deleted: renamed aside first, references checked once more, then removed (or put back).

A file referenced again, or stored again, loses its orphan row, so undo, re-import or a
second capture of the same screen always finds its media. Two Batons cleaning at once on
PostgreSQL take turns (an advisory lock); the second skips.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from baton.core.media import MediaStore
from baton.core.models import MediaOrphan, ProcessVersion, Recording, Step
from baton.core.transaction import transaction

log = logging.getLogger("baton.core")

GRACE = timedelta(hours=1)
CLEANUP_LOCK = 0x6261746F6E5F636C  # "baton_cl"


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


def database_now(session: Session) -> datetime:
    """The database server's current UTC time (without tzinfo, as rows store it)."""
    if session.get_bind().dialect.name == "sqlite":
        value = session.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar()
        return datetime.fromisoformat(str(value))
    now = session.execute(select(func.now())).scalar()
    assert isinstance(now, datetime)
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def clean_media(
    sessions: sessionmaker[Session], media: MediaStore, *, grace: timedelta = GRACE
) -> list[str]:
    """Delete media nothing has referred to for ``grace``; returns the deleted keys.

    Files prepared for packages are kept for the latest version of each process (an older
    version is prepared again if it is ever exported again); other indexes, and unreadable
    ones, are removed.

    Raises:
        DatabaseUnavailable: the database could not be reached (nothing was deleted).
    """
    with sessions() as session:
        keep = referenced_media(session) | _prepared_for_latest(session, media)
    media.remove_leftovers()
    stored = {key: when for key in media.keys()
              if (when := media.stored_time(key)) is not None}
    due = _mark_orphans(sessions, stored, keep, grace)
    removed = _remove(sessions, media, due)
    if removed:
        log.info("removed %d media files nothing referred to for %s", len(removed), grace)
    return removed


def _prepared_for_latest(session: Session, media: MediaStore) -> set[str]:
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
    keep: set[str] = set()
    for index in media.prepared_indexes():
        made_for, keys = _read_index(index)
        if made_for in latest:
            keep.update(keys)
        else:
            index.unlink(missing_ok=True)
            index.with_suffix(".lock").unlink(missing_ok=True)
    return keep


def _mark_orphans(
    sessions: sessionmaker[Session], stored: dict[str, int], keep: set[str], grace: timedelta
) -> dict[str, int]:
    """Record which stored files nothing refers to; returns those due for deletion
    (key → the file's time as seen)."""
    try:
        return _marked(sessions, stored, keep, grace)
    except IntegrityError:  # SQLite: another Baton recorded the same orphan first
        return {}


def _marked(
    sessions: sessionmaker[Session], stored: dict[str, int], keep: set[str], grace: timedelta
) -> dict[str, int]:
    due: dict[str, int] = {}
    with transaction(sessions, "The media list") as session:
        if not _our_turn(session):
            return {}
        now = database_now(session)
        orphans = {row.key: row for row in session.scalars(select(MediaOrphan))}
        wanted = [key for key in orphans if key in keep or key not in stored]
        if wanted:
            session.execute(delete(MediaOrphan).where(MediaOrphan.key.in_(wanted)))
        for key, when in stored.items():
            if key in keep:
                continue
            orphan = orphans.get(key)
            if orphan is None:
                session.add(MediaOrphan(key=key, since=now, mtime_ns=when))
                orphan_since = now
            elif orphan.mtime_ns != when:  # stored again since: the grace starts anew
                orphan.since, orphan.mtime_ns = now, when
                orphan_since = now
            else:
                orphan_since = orphan.since
            if now - orphan_since >= grace:
                due[key] = when
    return due


def _remove(sessions: sessionmaker[Session], media: MediaStore, due: dict[str, int]) -> list[str]:
    if not due:
        return []
    aside = [key for key, when in due.items() if media.set_aside(key, when)]
    try:
        with sessions() as session:
            # A row may have come to refer to a file since it was listed: ask again, now
            # that a put of the same content can no longer touch the file set aside.
            still = referenced_media(session)
    except BaseException:
        for key in aside:
            media.put_back(key)
        raise
    removed = []
    for key in aside:
        if key in still:
            media.put_back(key)
        else:
            media.delete_aside(key)
            removed.append(key)
    if removed:
        with transaction(sessions, "The media list") as session:
            session.execute(delete(MediaOrphan).where(MediaOrphan.key.in_(removed)))
    return removed


def _our_turn(session: Session) -> bool:
    """Whether no other Baton is cleaning the same library right now (PostgreSQL)."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: the first write waits for the other's transaction to end
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                {"key": CLEANUP_LOCK}).scalar())


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
