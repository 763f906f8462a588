"""handoff last activity and list indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:40:13.146011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_handoff_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            "ix_handoff_status_due_on",
            ["status", "due_on", "version_id", "assistant_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_handoff_assistant_status", ["assistant_id", "status", "version_id"], unique=False
        )
    op.execute(
        "UPDATE handoff SET last_activity_at = COALESCE("
        "(SELECT max(handoff_event.at) FROM handoff_event "
        "WHERE handoff_event.handoff_id = handoff.id), handoff.sent_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_index("ix_handoff_assistant_status")
        batch_op.drop_index("ix_handoff_status_due_on")
        batch_op.drop_index(batch_op.f("ix_handoff_sent_at"))
        batch_op.drop_column("last_activity_at")

