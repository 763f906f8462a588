"""step row version, media orphans, handoff activity for older clients

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("step", schema=None) as batch_op:
        # The server default also fills the steps older Batons add while this one runs.
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), server_default="1", nullable=False)
        )
    op.create_table(
        "media_orphan",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_media_orphan")),
    )
    # Handoffs that Batons from before 0002 wrote meanwhile have no last-activity time.
    op.execute(
        "UPDATE handoff SET last_activity_at = COALESCE("
        "(SELECT max(handoff_event.at) FROM handoff_event "
        "WHERE handoff_event.handoff_id = handoff.id), handoff.sent_at) "
        "WHERE last_activity_at IS NULL"
    )


def downgrade() -> None:
    op.drop_table("media_orphan")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_column("row_version")
