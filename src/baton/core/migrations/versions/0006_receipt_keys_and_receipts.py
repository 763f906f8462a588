"""receipt keys on handoffs, and the receipts imported for each handoff

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00.000000

Handoffs sent before this revision keep a NULL receipt key: their packages (format 1) carry
none, so their receipts stay unsigned. Receipts already imported are copied from the
timeline into ``handoff_receipt`` so that an older receipt imported later is recognised as
older (their content hash is the file's SHA-256, as format 1 recorded it).
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_key", sa.String(length=64), nullable=True))
    receipts = op.create_table(
        "handoff_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoff.id"],
            name=op.f("fk_handoff_receipt_handoff_id_handoff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_receipt")),
        sa.UniqueConstraint(
            "handoff_id", "content_sha256", name=op.f("uq_handoff_receipt_handoff_id")
        ),
    )
    with op.batch_alter_table("handoff_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_receipt_handoff_id"), ["handoff_id"], unique=False
        )
    _copy_imported_receipts(receipts)


def _copy_imported_receipts(receipts: sa.Table) -> None:
    events = sa.table(
        "handoff_event",
        sa.column("handoff_id", sa.Integer()),
        sa.column("at", sa.DateTime()),
        sa.column("kind", sa.String()),
        sa.column("data", sa.JSON()),
    )
    connection = op.get_bind()
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    query = sa.select(events.c.handoff_id, events.c.at, events.c.data).where(
        events.c.kind == "receipt-imported"
    )
    for handoff_id, at, data in connection.execute(query):
        if isinstance(data, str):
            data = json.loads(data)
        digest = data.get("receipt_sha256") if isinstance(data, dict) else None
        if not isinstance(digest, str) or len(digest) != 64:
            continue
        rows[(handoff_id, digest)] = {
            "handoff_id": handoff_id,
            "content_sha256": digest,
            "saved_at": _saved_at(data.get("saved_at"), at),
            "imported_at": at,
            "applied": True,
        }
    if rows:
        op.bulk_insert(receipts, list(rows.values()))


def _saved_at(value: Any, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return fallback
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def downgrade() -> None:
    with op.batch_alter_table("handoff_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_receipt_handoff_id"))
    op.drop_table("handoff_receipt")
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_column("receipt_key")
