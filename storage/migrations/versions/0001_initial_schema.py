"""The initial schema: members, nudges, check-ins, pauses, weekly pictures and tip changes.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 07:19:09.016105
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("wake_time", sa.Time(), nullable=False),
        sa.Column("breakfast_time", sa.Time(), nullable=False),
        sa.Column("lunch_time", sa.Time(), nullable=False),
        sa.Column("dinner_time", sa.Time(), nullable=False),
        sa.Column("bedtime", sa.Time(), nullable=False),
        sa.Column("breathing_time", sa.Time(), nullable=False),
        sa.Column("water_on", sa.Boolean(), nullable=False),
        sa.Column("walk_on", sa.Boolean(), nullable=False),
        sa.Column("breathing_on", sa.Boolean(), nullable=False),
        sa.Column("sleep_on", sa.Boolean(), nullable=False),
        sa.Column("water_goal", sa.Integer(), nullable=False),
        sa.Column("water_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("snooze_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("onboarding_step", sa.String(), nullable=True),
        sa.Column("settings_screen", sa.String(), nullable=True),
        sa.Column("settings_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("menu_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schedule_cursor", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("walk_streak_rule", sa.String(), nullable=False),
        sa.Column("weekly_report_on", sa.Boolean(), nullable=False),
        sa.Column("weekly_report_weekday", sa.Integer(), nullable=False),
        sa.Column("weekly_report_time", sa.Time(), nullable=False),
        sa.Column("next_weekly_report_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("telegram_id"),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_member_next_weekly_report_at"), ["next_weekly_report_at"], unique=False
        )

    op.create_table(
        "tipchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=True),
        sa.Column("changed_by_name", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tipchange", schema=None) as batch_op:
        batch_op.create_index("ix_tipchange_tip_id_changed_at", ["tip_id", "changed_at"], unique=False)

    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("habit", sa.String(), nullable=False),
        sa.Column("slot", sa.String(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("tip_id", sa.String(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snooze_count", sa.Integer(), nullable=False),
        sa.Column("resend_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "habit", "local_date", "slot", name="uq_nudge_slot"),
    )
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.create_index("ix_nudge_member_sent_at", ["member_id", "sent_at"], unique=False)
        batch_op.create_index("ix_nudge_status_resend_at", ["status", "resend_at"], unique=False)

    op.create_table(
        "pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.create_index("ix_pause_member_starts_at", ["member_id", "starts_at"], unique=False)

    op.create_table(
        "weeklyreport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week_ending", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("tip_id", sa.String(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "week_ending", name="uq_weekly_report_week"),
    )
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("habit", sa.String(), nullable=False),
        sa.Column("slot", sa.String(), nullable=True),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudge.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_member_day", ["member_id", "local_date", "habit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_member_day")

    op.drop_table("checkin")
    op.drop_table("weeklyreport")
    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.drop_index("ix_pause_member_starts_at")

    op.drop_table("pause")
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_status_resend_at")
        batch_op.drop_index("ix_nudge_member_sent_at")

    op.drop_table("nudge")
    with op.batch_alter_table("tipchange", schema=None) as batch_op:
        batch_op.drop_index("ix_tipchange_tip_id_changed_at")

    op.drop_table("tipchange")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_next_weekly_report_at"))
        batch_op.drop_index(batch_op.f("ix_member_next_due_at"))

    op.drop_table("member")
