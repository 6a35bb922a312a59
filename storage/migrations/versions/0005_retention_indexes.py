"""Indexes for the reminder log's retention: the oldest nudges and weekly pictures by due time,
and check-ins by nudge (deleting a nudge sets its check-ins' nudge_id to NULL).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_nudge_due_at", "nudge", ["due_at"], unique=False)
    op.create_index("ix_checkin_nudge_id", "checkin", ["nudge_id"], unique=False)
    op.create_index("ix_weeklyreport_due_at", "weeklyreport", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_weeklyreport_due_at", table_name="weeklyreport")
    op.drop_index("ix_checkin_nudge_id", table_name="checkin")
    op.drop_index("ix_nudge_due_at", table_name="nudge")
