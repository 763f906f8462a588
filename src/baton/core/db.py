"""The database: engine, SQLite pragmas, and upgrade-or-refuse on open.

A SQLite library that cannot be written (a read-only disk, a read-only ``baton.db`` or
folder) is opened read-only: everything can be shown, and a write fails with one line
saying the library is read-only (``ReadOnlyLibrary``, raised by ``transaction``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from baton.core.connection import (
    answer_deadline,
    postgres_connect_args,
    translate_errors,
    use_answer_deadline,
)
from baton.core.upgrade import Confirm, ask_before_team_upgrade, backup_or_refuse, migration_turn
from baton.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("baton.core")

MIGRATIONS = "baton.core:migrations"
# The newest migration. When the database is already there, Baton opens without loading
# Alembic at all (a test checks this matches the migrations folder).
SCHEMA_HEAD = "0006"


@dataclass
class Database:
    """An open, up-to-date database and the session factory services use."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    read_only: str | None = None  # why the library cannot be written, when it cannot

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def ping(self) -> str:
        """Ask the server for an answer; returns the kind of database (``sqlite``, ...)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and mean psycopg 3 by it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def read_only_reason(database: Path) -> str | None:
    """Why a SQLite library at ``database`` cannot be written, or None if it can.

    SQLite writes beside the file (``-wal``, ``-shm``), so a read-only folder counts too.
    """
    folder = database.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only disk"
    except (OSError, AttributeError):  # no statvfs on Windows
        pass
    if database.exists() and not os.access(database, os.W_OK):
        return f"{database.name} is read-only"
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f"its folder {folder} is read-only"
    return None


def _open_read_only(database: Path, reason: str) -> Engine:
    """A read-only engine: ``mode=ro``, or ``immutable=1`` where SQLite cannot even make
    the shared-memory file a WAL database needs (a read-only disk)."""
    if not database.is_file():
        raise UserError(f"There is no library to open at {database.parent}: {reason}.")
    for flags in ("mode=ro", "immutable=1"):
        engine = create_engine(f"sqlite:///file:{database}?{flags}&uri=true")
        event.listen(engine, "connect", _set_read_only_pragmas)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM sqlite_master"))
            log.info("opened %s read-only (%s, %s)", database, reason, flags)
            return engine
        except DBAPIError:
            engine.dispose()
    raise UserError(f"Cannot open the library at {database.parent}: {reason}.")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; PostgreSQL gets timeouts (``baton.core.connection``), and
    failures of the server or the connection become ``DatabaseUnavailable``."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"Not a database address: {url!r}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                folder = Path(database).parent
                if not folder.is_dir():
                    raise UserError(f"The database folder does not exist: {folder}")
            engine = create_engine(url)
            event.listen(engine, "connect", _set_sqlite_pragmas)
            translate_errors(engine)
            return engine
        if parsed.get_backend_name() != "postgresql":
            return create_engine(url, pool_pre_ping=True)
        connect_args = postgres_connect_args(parsed)
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        options = str(connect_args.get("options") or parsed.query.get("options") or "")
        use_answer_deadline(engine, answer_deadline(options))
        translate_errors(engine)
        return engine
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise UserError(f"This database is not supported here: {error}") from None


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def open_database(
    url: str, *, backup_dir: Path | None = None, confirm: Confirm = backup_or_refuse
) -> Database:
    """Open the database at ``url``, upgrading it to this Baton's schema.

    A SQLite file that needs upgrading is first copied aside (into ``backup_dir`` or beside
    it); a team library (PostgreSQL) is dumped with ``pg_dump`` there, and upgraded only if
    ``confirm`` agrees (by default: when the dump was written). Batons starting at once
    take turns (``baton.core.upgrade``). A database whose schema is newer than this Baton
    is refused. A SQLite library that cannot be written is opened read-only
    (``Database.read_only`` says why).

    Raises:
        UserError: the database cannot be reached, is not a database, or is too new; or
            it is read-only and needs an upgrade.
    """
    database = _sqlite_file(url)
    reason = read_only_reason(database) if database is not None else None
    if database is not None and reason is not None:
        engine = _open_read_only(database, reason)
        try:
            revision = _current_revision(engine)
        except DBAPIError:
            engine.dispose()
            raise UserError(f"Cannot open the library: {reason}.") from None
        if revision != SCHEMA_HEAD:
            engine.dispose()
            raise UserError(
                f"This library cannot be opened here: {reason}, and its schema "
                f"({revision}) is not this Baton's ({SCHEMA_HEAD})."
            )
        sessions = sessionmaker(engine, expire_on_commit=False)
        return Database(engine=engine, sessions=sessions, url=str(engine.url), read_only=reason)
    engine = create_db_engine(url)
    try:
        _upgrade_or_refuse(engine, backup_dir, confirm)
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise UserError(f"Cannot open the database {engine.url!r}: {reason}") from None
    except UserError:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions, url=str(engine.url))


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, memory, or a bad URL)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade_or_refuse(engine: Engine, backup_dir: Path | None, confirm: Confirm) -> None:
    if _current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None
    # Read the schema version again once it is our turn: another Baton may have just
    # upgraded (or created) the library while we waited.
    with migration_turn(engine) as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = bool(inspect(connection).get_table_names())
        if current == head:
            return
        if current is not None:
            try:
                script.get_revision(current)
            except Exception:  # noqa: BLE001 - unknown to this Baton, whatever Alembic says
                raise UserError(
                    f"This library was made by a newer version of Baton (schema {current}); "
                    "install the newer Baton to open it."
                ) from None
        elif has_tables:
            raise UserError(
                "This database was not made by Baton (it has tables but no Baton schema "
                "version)."
            )
        if current is not None and engine.dialect.name == "sqlite":
            _copy_aside(engine, current, backup_dir)
        elif current is not None:
            folder = backup_dir or Path.cwd()
            ask_before_team_upgrade(engine, current, head, folder, confirm)
        log.info("upgrading database from %s to %s", current, head)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _copy_aside(engine: Engine, revision: str, backup_dir: Path | None) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    source = Path(database)
    folder = backup_dir or source.parent
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{source.stem}.before-upgrade-{revision}-{stamp}{source.suffix}"
    # The backup API copies a consistent snapshot even with a WAL file beside it.
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    log.info("copied the database aside to %s before upgrading", target)
    return target
