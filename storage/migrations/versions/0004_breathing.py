"""Guided breathing: the running and past sessions, the members' choices for them, and the
animations' file_ids.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:21:29.265580
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "animationfile",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("file_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "breathingsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("pattern", sa.String(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("guidance", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudge.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("breathingsession", schema=None) as batch_op:
        batch_op.create_index("ix_breathingsession_member_status", ["member_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_breathingsession_status"), ["status"], unique=False)

    # Members who were there before get the defaults a new member starts with.
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("breathing_pattern", sa.String(), nullable=False, server_default="calm")
        )
        batch_op.add_column(sa.Column("breathing_minutes", sa.Integer(), nullable=False, server_default="2"))
        batch_op.add_column(
            sa.Column("breathing_guidance", sa.String(), nullable=False, server_default="text")
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("breathing_guidance")
        batch_op.drop_column("breathing_minutes")
        batch_op.drop_column("breathing_pattern")

    with op.batch_alter_table("breathingsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breathingsession_status"))
        batch_op.drop_index("ix_breathingsession_member_status")

    op.drop_table("breathingsession")
    op.drop_table("animationfile")
