"""Receipt bookkeeping in the schema: the 0004 migration keeps what was imported before."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text

from baton.core.db import alembic_config, create_db_engine, open_database, sqlite_url
from baton.core.models import Handoff, HandoffReceipt
from baton.core.receipts import Receipts


def test_upgrading_keeps_old_handoffs_unsigned_and_remembers_their_receipts(
    tmp_path: Path,
) -> None:
    """Handoffs sent before receipts were signed keep no key (their packages have none),
    and the receipts already imported still count: an older one imported later is older."""
    from alembic import command

    path = tmp_path / "baton.db"
    engine = create_db_engine(sqlite_url(path))
    config = alembic_config()
    digest = "ab" * 32
    data = json.dumps({"receipt_sha256": digest, "saved_at": "2026-01-04T08:00:00"})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
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
            "row_version, last_activity_at) VALUES (1, 1, 1, '2026-01-02 09:00:00', "
            "'practising', '', 1, '2026-01-05 10:30:00')",
        ):
            connection.execute(text(statement))
        connection.execute(
            text("INSERT INTO handoff_event (handoff_id, at, kind, note, data) VALUES "
                 "(1, '2026-01-05 10:30:00', 'receipt-imported', '2 of 3 steps done', :data)"),
            {"data": data},
        )
    engine.dispose()

    database = open_database(sqlite_url(path))
    try:
        assert Receipts(database.sessions).key(1) is None
        with database.sessions() as session:
            [row] = session.scalars(select(HandoffReceipt))
            assert (row.handoff_id, row.content_sha256, row.applied) == (1, digest, True)
            assert row.saved_at.isoformat() == "2026-01-04T08:00:00"
            handoff = session.get(Handoff, 1)
            assert handoff is not None and handoff.receipt_key is None
    finally:
        database.close()
