"""Nudge windows: members are taken earliest deadline first (member.next_deadline_at), and a
nudge records whether it went out as a paid broadcast (nudge.paid, counted per day).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_deadline_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_member_next_deadline_at"), ["next_deadline_at"], unique=False)
    # Until its next claim, a member's deadline is taken to be its next slot's due time: the
    # order members are taken in stays what it was.
    op.execute("UPDATE member SET next_deadline_at = next_due_at")
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index("ix_nudge_paid_sent_at", ["paid", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_paid_sent_at")
        batch_op.drop_column("paid")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_next_deadline_at"))
        batch_op.drop_column("next_deadline_at")
