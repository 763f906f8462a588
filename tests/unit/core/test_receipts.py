"""Receipt bookkeeping in the schema: the 0004 migration keeps what was imported before."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.clock import ManualClock
from baton.core.db import Database, alembic_config, create_db_engine, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import EventKind, Handoff, HandoffReceipt, HandoffStatus
from baton.core.receipts import (
    AlreadyImported,
    HandoffState,
    PlannedEvent,
    ReceiptPlan,
    Receipts,
)


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
            assert handoff is not None
            assert handoff.receipt_key is None
    finally:
        database.close()


def test_taking_in_receipts_once_and_in_order_on_every_database(
    database: Database, library: Library, handoffs: Handoffs, clock: ManualClock
) -> None:
    """Also on PostgreSQL, where the handoff row is locked while a receipt is taken in."""
    process = library.add_process(ProcessDraft("Payroll"))
    version = library.freeze_version(process.id)
    ana = Assistants(database.sessions).add(AssistantDraft("Ana")).id
    handoff = handoffs.create(version.id, ana)
    receipts = Receipts(database.sessions, clock)

    def plan(state: HandoffState) -> ReceiptPlan:
        return ReceiptPlan((PlannedEvent(EventKind.NOTE, "noted", 1),), "1 of 1 steps done",
                           {"steps_done": 1}, HandoffStatus.PRACTISING)

    newer = receipts.take_in(handoff.id, "a" * 64, datetime(2026, 3, 3, 12), plan)
    assert newer.applied
    assert newer.previous_status is HandoffStatus.SENT
    older = receipts.take_in(handoff.id, "b" * 64, datetime(2026, 3, 3, 11), plan)
    assert not older.applied
    assert older.newest_saved_at == datetime(2026, 3, 3, 12)
    with pytest.raises(AlreadyImported):
        receipts.take_in(handoff.id, "c" * 64, datetime(2026, 3, 4), plan, also_known_as="a" * 64)
    kinds = [event.kind for event in handoffs.events(handoff.id)]
    assert kinds == [EventKind.SENT, EventKind.NOTE, EventKind.RECEIPT_IMPORTED,
                     EventKind.RECEIPT_IGNORED]
    assert handoffs.get(handoff.id).status is HandoffStatus.PRACTISING
    assert isinstance(receipts.key(handoff.id), str)
