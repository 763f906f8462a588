"""Upgrading a library's schema safely when several Batons start at once.

Two or three Batons starting on one library (a team on PostgreSQL, or the app and the
command line on one SQLite file) must not run the migrations side by side: they would
create the same tables twice. So the upgrade takes turns:

- on PostgreSQL through a transaction-level advisory lock (released by the server when the
  transaction ends, even if the Baton holding it is killed);
- on SQLite by opening the transaction with ``BEGIN IMMEDIATE`` (the file's write lock).

Whoever comes second waits, then finds the schema up to date. The schema version is read
again after the turn is taken, and the upgrade runs in the same transaction.

A team library is shared: before upgrading it Baton writes a ``pg_dump`` of it beside the
library (when ``pg_dump`` is installed, Debian's ``postgresql-client``), and asks the owner
(``confirm``) before going on: the app shows a dialog; the command line goes on only when
the dump was written, or when the owner said ``--upgrade-without-backup``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from baton.errors import DatabaseUnavailable, UserError

log = logging.getLogger("baton.core")

# Any fixed 64-bit number; every Baton uses the same one for "the schema is being changed".
MIGRATION_LOCK = 0x6261746F6E5F6D67  # "baton_mg"
TURN_WAIT_S = 600.0
TURN_POLL_S = 0.2
PG_DUMP_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class UpgradeNotice:
    """A team library about to be upgraded (what the owner is asked to agree to).

    Attributes:
        current: the library's schema now.
        target: the schema this Baton needs.
        backup: the ``pg_dump`` written just now, or None.
        problem: why there is no backup (empty when there is one).
    """

    current: str
    target: str
    backup: Path | None
    problem: str

    def sentence(self) -> str:
        where = (f"A backup was written to {self.backup}." if self.backup
                 else f"No backup could be made ({self.problem}): back the database up first.")
        return (f"This team library will be upgraded from schema {self.current} to "
                f"{self.target}; Batons older than this one cannot open it afterwards. {where}")


Confirm = Callable[[UpgradeNotice], bool]


def backup_or_refuse(notice: UpgradeNotice) -> bool:
    """The command line's answer: go on when a backup was written."""
    return notice.backup is not None


def always(_notice: UpgradeNotice) -> bool:
    """Go on without asking (the owner said so, or a test)."""
    return True


@contextmanager
def migration_turn(engine: Engine, *, wait_s: float = TURN_WAIT_S) -> Iterator[Connection]:
    """A connection in a transaction that holds the library's migration turn.

    Commits when the block ends, rolls back on error.

    Raises:
        DatabaseUnavailable: another Baton held the turn for longer than ``wait_s``.
    """
    with engine.connect() as connection, _no_deadlines(connection):
        deadline = time.monotonic() + wait_s
        told = False
        while not _take_turn(connection):
            if time.monotonic() > deadline:
                raise DatabaseUnavailable(
                    "Another Baton has been upgrading the library for more than "
                    f"{wait_s / 60:.0f} minutes; try again later.")
            if not told:
                log.info("waiting for another Baton to finish upgrading the library")
                told = True
            time.sleep(TURN_POLL_S)
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


@contextmanager
def _no_deadlines(connection: Connection) -> Iterator[None]:
    """An upgrade may take long (a big table rebuilt): no deadline on our side (the
    server's are switched off for the transaction in ``_take_turn``)."""
    dbapi: Any = connection.connection.dbapi_connection
    before = getattr(dbapi, "answer_deadline", None)
    if before is not None:
        dbapi.answer_deadline = None
    try:
        yield
    finally:
        if before is not None:
            dbapi.answer_deadline = before


def _take_turn(connection: Connection) -> bool:
    """Start a transaction holding the migration turn; False if another Baton holds it."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
        taken = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK}).scalar()
        if not taken:
            connection.rollback()
        return bool(taken)
    if connection.dialect.name == "sqlite":
        try:
            # pysqlite opens transactions lazily and never before DDL: open one ourselves,
            # taking the file's write lock now (the driver then sees it and adds no BEGIN).
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except DatabaseUnavailable:
            connection.rollback()
            return False
        return True
    return True


def team_backup(engine: Engine, revision: str, folder: Path) -> tuple[Path | None, str]:
    """Write a ``pg_dump`` (custom format, for ``pg_restore``) of a team library.

    Returns:
        The dump written, or None and why not.
    """
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None, "pg_dump is not installed; on Debian it comes with postgresql-client"
    url = engine.url
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = url.database or "baton"
    target = folder / f"{name}.before-upgrade-{revision}-{stamp}.dump"
    address = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [pg_dump, "--format=custom", f"--file={target}", f"--dbname={address}"],
            env=environment, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_S,
            check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        target.unlink(missing_ok=True)
        return None, f"pg_dump failed: {error}"
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        lines = done.stderr.strip().splitlines()
        return None, f"pg_dump failed: {lines[-1] if lines else done.returncode}"
    log.info("wrote a backup of the team library to %s", target)
    return target, ""


def ask_before_team_upgrade(engine: Engine, current: str, target: str, folder: Path,
                            confirm: Confirm) -> None:
    """Back the team library up and ask the owner; refuse (``UserError``) if they say no."""
    backup, problem = team_backup(engine, current, folder)
    notice = UpgradeNotice(current, target, backup, problem)
    if not confirm(notice):
        if backup is not None:
            raise UserError(f"The team library was not upgraded: it has schema {current}, "
                            f"and this Baton needs {target}.")
        raise UserError(
            f"The team library needs an upgrade from schema {current} to {target}, and no "
            f"backup could be made ({problem}). Back the database up, then start Baton with "
            "--upgrade-without-backup.")
    log.info("%s", notice.sentence())
