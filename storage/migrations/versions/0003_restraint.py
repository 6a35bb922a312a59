"""Never nag: nudges held back (new statuses, stored as strings, need no migration), prompts closed
when unanswered, the check question about a habit, the offer to follow the member's rhythm, the
member's latest answer and the slots they want less often.

The member's latest answer starts as their latest check-in, so that nobody who answered this week
goes into quiet mode by the upgrade.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("muted_slots", sa.String(), server_default="", nullable=False))
    op.execute(
        "UPDATE member SET last_answer_at = "
        "(SELECT max(checkin.created_at) FROM checkin WHERE checkin.member_id = member.id)"
    )

    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_as", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("open_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_nudge_open_until"), ["open_until"], unique=False)

    op.create_table(
        "checkquestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("habit", sa.String(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudge.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checkquestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkquestion_member_habit", ["member_id", "habit", "asked_on"], unique=False
        )

    op.create_table(
        "rhythmoffer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("slot_time", sa.Time(), nullable=False),
        sa.Column("suggested", sa.Time(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudge.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rhythmoffer", schema=None) as batch_op:
        batch_op.create_index("ix_rhythmoffer_member_offered_on", ["member_id", "offered_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rhythmoffer", schema=None) as batch_op:
        batch_op.drop_index("ix_rhythmoffer_member_offered_on")
    op.drop_table("rhythmoffer")
    with op.batch_alter_table("checkquestion", schema=None) as batch_op:
        batch_op.drop_index("ix_checkquestion_member_habit")
    op.drop_table("checkquestion")
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_open_until"))
        batch_op.drop_column("closed_at")
        batch_op.drop_column("open_until")
        batch_op.drop_column("shown_as")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("muted_slots")
        batch_op.drop_column("last_answer_at")
