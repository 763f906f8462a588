"""Opening, upgrading and refusing databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from baton.core.db import _copy_aside, create_db_engine, head_revision, open_database, sqlite_url
from baton.core.models import Base
from baton.errors import UserError


def test_upgrade_from_empty_creates_every_table_at_head(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    try:
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            journal = connection.execute(text("PRAGMA journal_mode")).scalar()
            foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
    finally:
        db.close()
    assert set(Base.metadata.tables) <= tables
    assert revision == head_revision()
    assert journal == "wal"
    assert foreign_keys == 1


def test_migrations_match_the_models(tmp_path: Path) -> None:
    """A model change without a migration fails here (autogenerate finds no difference)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db = open_database(sqlite_url(tmp_path / "baton.db"))
    try:
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        db.close()
    assert diff == []


def test_opening_twice_is_a_no_op(tmp_path: Path) -> None:
    open_database(sqlite_url(tmp_path / "baton.db")).close()
    open_database(sqlite_url(tmp_path / "baton.db")).close()
    assert not list(tmp_path.glob("*before-upgrade*"))


def test_refuses_a_database_from_a_newer_baton(tmp_path: Path) -> None:
    path = tmp_path / "baton.db"
    open_database(sqlite_url(path)).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00d_from_the_future'")
    with pytest.raises(UserError, match="newer version of Baton"):
        open_database(sqlite_url(path))


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "baton.db"
    path.write_bytes(b"this is a spreadsheet, honest" * 100)
    with pytest.raises(UserError, match="Cannot open the database"):
        open_database(sqlite_url(path))
    assert path.read_bytes().startswith(b"this is a spreadsheet")


def test_refuses_a_foreign_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(UserError, match="not made by Baton"):
        open_database(sqlite_url(path))


def test_bad_urls_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Not a database address"):
        create_db_engine("not a url at all")
    with pytest.raises(UserError, match="folder does not exist"):
        create_db_engine(sqlite_url(tmp_path / "missing" / "baton.db"))
    with pytest.raises(UserError, match="not supported"):
        create_db_engine("nosuchdb://localhost/x")


def test_copy_aside_keeps_a_consistent_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "baton.db"
    db = open_database(sqlite_url(path))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO assistant (name, email, arrangement, engagement, hired_via, "
                "time_zone, notes, active, created_at, row_version) VALUES ('Ana', '', "
                "'offshore', 'part-time', '', '', '', 1, '2026-01-01 00:00:00', 1)"
            )
        )
    copy = _copy_aside(db.engine, "0001", tmp_path / "backups")
    db.close()
    assert copy is not None
    assert copy.parent == tmp_path / "backups"
    with sqlite3.connect(copy) as connection:
        names = connection.execute("SELECT name FROM assistant").fetchall()
    assert names == [("Ana",)]


@pytest.mark.postgres
def test_postgres_upgrades_from_empty_and_refuses_newer(postgres: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    url = postgres.new_database()
    db = open_database(url)
    with db.engine.connect() as connection:
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    db.close()
    with pytest.raises(UserError, match="newer version of Baton"):
        open_database(url)


def test_upgrade_from_the_first_schema_keeps_data_and_copies_aside(tmp_path: Path) -> None:
    from alembic import command

    from baton.core.db import alembic_config, create_db_engine

    path = tmp_path / "baton.db"
    engine = create_db_engine(sqlite_url(path))
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for statement in (
            "INSERT INTO process (id, title, summary, audience, complexity, minutes_per_run, "
            "runs_per_week, status, times_done_myself, created_at, updated_at, row_version) "
            "VALUES (1, 'Payroll', '', 'internal', 'simple', 30, 1, 'ready', 0, "
            "'2026-01-01 09:00:00', '2026-01-01 09:00:00', 1)",
            "INSERT INTO process_version (id, process_id, number, snapshot, content_hash, "
            "changelog, created_at) VALUES (1, 1, 1, '{}', 'x', '', '2026-01-01 09:00:00')",
            "INSERT INTO assistant (id, name, email, arrangement, engagement, hired_via, "
            "time_zone, notes, active, created_at, row_version) VALUES (1, 'Ana', '', "
            "'offshore', 'part-time', '', '', '', 1, '2026-01-01 09:00:00', 1)",
            "INSERT INTO handoff (id, version_id, assistant_id, sent_at, status, package_hash, "
            "row_version) VALUES (1, 1, 1, '2026-01-02 09:00:00', 'practising', '', 1)",
            "INSERT INTO handoff_event (handoff_id, at, kind, note, data) VALUES "
            "(1, '2026-01-02 09:00:00', 'sent', '', '{}'), "
            "(1, '2026-01-05 10:30:00', 'check-in', '', '{}')",
        ):
            connection.execute(text(statement))
    engine.dispose()

    db = open_database(sqlite_url(path))
    try:
        with db.engine.connect() as connection:
            last = connection.execute(text("SELECT last_activity_at FROM handoff")).scalar()
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.close()
    assert str(last).startswith("2026-01-05 10:30")
    assert revision == head_revision()
    [backup] = tmp_path.glob("baton.before-upgrade-0001-*.db")
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001",)]
        assert connection.execute("SELECT count(*) FROM handoff").fetchone() == (1,)


def test_the_fast_open_knows_the_newest_migration() -> None:
    from baton.core.db import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()
