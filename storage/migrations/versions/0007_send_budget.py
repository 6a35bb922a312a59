"""The send budget that several processes share on PostgreSQL (sendbudget): one row per budget,
its token buckets and the pause after Telegram's 429.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Its rows are made by the bot as it starts (storage/send_budget.py), so a restore or an
    # emptied table needs nothing from here.
    op.create_table(
        "sendbudget",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("share_tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sendbudget")
