"""video redaction boxes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("w", sa.Integer(), nullable=False),
        sa.Column("h", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=False),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_video_redaction_recording_id_recording"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
            name=op.f("fk_video_redaction_step_id_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_redaction")),
    )
    with op.batch_alter_table("video_redaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_video_redaction_recording_id"), ["recording_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_video_redaction_step_id"), ["step_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("video_redaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_redaction_step_id"))
        batch_op.drop_index(batch_op.f("ix_video_redaction_recording_id"))
    op.drop_table("video_redaction")
