"""Upgrades keep the data: a database made by release 0.1.0, upgraded by every migration since,
still holds every row, and each says the same, on SQLite and on PostgreSQL.

`tests/data/release-0.1.0.sqlite3` is made by `tests/data/make_release_db.py` and never rebuilt.
The rows below are what it holds, column by column, as that release wrote them. A later migration
may add tables and columns (they are not compared here) but must leave these values as they are;
one that changes what a value means must convert it, and this test then states the converted value.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.types import DateTime
from sqlmodel import SQLModel

from storage.database import MIGRATIONS, create_db_engine, migration_config, new_session, upgrade_schema
from storage.models import (
    CheckIn,
    Member,
    Nudge,
    NudgeStatus,
    Pause,
    TipChange,
    WeeklyReport,
    WeeklyReportStatus,
)
from tests.backends import fresh_schema, server_url

RELEASE_DATABASE = Path(__file__).resolve().parent / "data" / "release-0.1.0.sqlite3"
RELEASE_REVISION = "0001"
ROUND_A = "6f1c2a9e4b7d4e0f8a3b5c6d7e8f9a01"
ROUND_B = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
MONDAY = date(2026, 11, 23)


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


MEMBER_DEFAULTS: dict[str, Any] = {
    "first_name": "",
    "language": "nl",
    "timezone": "Europe/Amsterdam",
    "wake_time": time(7, 0),
    "breakfast_time": time(8, 0),
    "lunch_time": time(12, 30),
    "dinner_time": time(18, 30),
    "bedtime": time(23, 0),
    "breathing_time": time(16, 0),
    "water_on": True,
    "walk_on": True,
    "breathing_on": True,
    "sleep_on": True,
    "water_goal": 8,
    "water_interval_minutes": 120,
    "snooze_minutes": 15,
    "active": True,
    "quiet_start": None,
    "quiet_end": None,
    "onboarding_step": None,
    "settings_screen": None,
    "settings_opened_at": None,
    "menu_message_id": None,
    "walk_streak_rule": "one",
    "weekly_report_on": True,
    "weekly_report_weekday": 6,
    "weekly_report_time": time(19, 0),
}
NUDGE_DEFAULTS: dict[str, Any] = {
    "tip_id": None,
    "message_id": None,
    "claimed_at": None,
    "claimed_by": None,
    "sent_at": None,
    "answered_at": None,
    "snooze_count": 0,
    "resend_at": None,
}
CHECKIN_DEFAULTS: dict[str, Any] = {"slot": None, "nudge_id": None, "value": None}

EXPECTED: dict[str, list[dict[str, Any]]] = {
    "member": [
        {
            **MEMBER_DEFAULTS,
            "id": 1,
            "telegram_id": 1001,
            "chat_id": 1001,
            "first_name": "Anna",
            "created_at": utc(16, 7, 2),
            "schedule_cursor": utc(23, 10),
            "next_due_at": utc(23, 11, 30),
            "next_weekly_report_at": utc(29, 18),
        },
        {
            **MEMBER_DEFAULTS,
            "id": 2,
            "telegram_id": 8_000_000_001,
            "chat_id": 8_000_000_001,
            "first_name": "Ben",
            "language": "en",
            "timezone": "America/New_York",
            "wake_time": time(6, 30),
            "breakfast_time": time(7, 0),
            "lunch_time": time(12, 0),
            "dinner_time": time(19, 15),
            "bedtime": time(22, 30),
            "breathing_time": time(15, 0),
            "breathing_on": False,
            "water_goal": 10,
            "water_interval_minutes": 90,
            "snooze_minutes": 10,
            "quiet_start": time(21, 0),
            "quiet_end": time(7, 30),
            "created_at": utc(17, 13, 45, 30),
            "schedule_cursor": utc(23, 12),
            "next_due_at": utc(23, 13, 30),
            "walk_streak_rule": "all",
            "weekly_report_weekday": 4,
            "weekly_report_time": time(18, 30),
            "next_weekly_report_at": utc(27, 23, 30),
        },
        {
            **MEMBER_DEFAULTS,
            "id": 3,
            "telegram_id": 1003,
            "chat_id": 1003,
            "first_name": "Chloé",
            "timezone": "Asia/Tokyo",
            "water_on": False,
            "sleep_on": False,
            "onboarding_step": "meals",
            "menu_message_id": 17,
            "created_at": utc(22, 23, 59, 59),
            "schedule_cursor": utc(22, 23, 59, 59),
            "next_due_at": utc(23, 3, 15),
            "next_weekly_report_at": utc(29, 10),
        },
        {
            **MEMBER_DEFAULTS,
            "id": 4,
            "telegram_id": 1004,
            "chat_id": 1004,
            "first_name": "Dirk",
            "wake_time": time(8, 30),
            "bedtime": time(0, 30),
            "water_goal": 6,
            "water_interval_minutes": 180,
            "snooze_minutes": 30,
            "active": False,
            "quiet_start": time(0, 0),
            "quiet_end": time(0, 0),
            "settings_screen": "timezone",
            "settings_opened_at": utc(21, 9, 12, 3),
            "menu_message_id": 42,
            "created_at": utc(18, 8),
            "schedule_cursor": utc(21, 9),
            "next_due_at": None,
            "weekly_report_on": False,
            "next_weekly_report_at": None,
        },
        {
            **MEMBER_DEFAULTS,
            "id": 5,
            "telegram_id": 1005,
            "chat_id": 1005,
            "first_name": "Ëve 🌱",
            "language": "en",
            "timezone": "Europe/London",
            "onboarding_step": "language",
            "created_at": utc(23, 9, 30),
            "schedule_cursor": utc(23, 9, 30),
            "next_due_at": utc(23, 12, 15),
            "next_weekly_report_at": utc(29, 19),
        },
    ],
    "nudge": [
        {
            **NUDGE_DEFAULTS,
            "id": 1,
            "member_id": 1,
            "habit": "water",
            "slot": "water-0700",
            "local_date": MONDAY,
            "due_at": utc(23, 6),
            "status": "sent",
            "tip_id": "water-why",
            "message_id": 101,
            "claimed_at": utc(23, 6, 0, 5),
            "claimed_by": ROUND_A,
            "sent_at": utc(23, 6, 0, 6),
        },
        {
            **NUDGE_DEFAULTS,
            "id": 2,
            "member_id": 1,
            "habit": "walk",
            "slot": "walk-breakfast",
            "local_date": MONDAY,
            "due_at": utc(23, 7, 15),
            "status": "answered",
            "tip_id": "walk-digestion",
            "message_id": 102,
            "claimed_at": utc(23, 7, 15, 2),
            "claimed_by": ROUND_A,
            "sent_at": utc(23, 7, 15, 3),
            "answered_at": utc(23, 7, 41, 10),
        },
        {
            **NUDGE_DEFAULTS,
            "id": 3,
            "member_id": 1,
            "habit": "sleep",
            "slot": "sleep-morning",
            "local_date": MONDAY,
            "due_at": utc(23, 6, 15),
            "status": "answered",
            "message_id": 103,
            "claimed_at": utc(23, 6, 15, 1),
            "claimed_by": ROUND_A,
            "sent_at": utc(23, 6, 15, 2),
            "answered_at": utc(23, 6, 20),
        },
        {
            **NUDGE_DEFAULTS,
            "id": 4,
            "member_id": 1,
            "habit": "breathing",
            "slot": "breathing",
            "local_date": date(2026, 11, 22),
            "due_at": utc(22, 15),
            "status": "snoozed",
            "tip_id": "breathing-box",
            "message_id": 98,
            "claimed_at": utc(22, 15, 0, 4),
            "claimed_by": ROUND_B,
            "sent_at": utc(22, 15, 0, 5),
            "snooze_count": 1,
            "resend_at": utc(22, 15, 15, 30),
        },
        {
            **NUDGE_DEFAULTS,
            "id": 5,
            "member_id": 1,
            "habit": "walk",
            "slot": "walk-lunch",
            "local_date": date(2026, 11, 22),
            "due_at": utc(22, 11, 45),
            "status": "missed",
        },
        {
            **NUDGE_DEFAULTS,
            "id": 6,
            "member_id": 1,
            "habit": "water",
            "slot": "water-0900",
            "local_date": MONDAY,
            "due_at": utc(23, 8),
            "status": "unconfirmed",
            "tip_id": "water-bottle-in-sight",
            "claimed_at": utc(23, 8, 0, 3),
            "claimed_by": ROUND_B,
        },
        {
            **NUDGE_DEFAULTS,
            "id": 7,
            "member_id": 1,
            "habit": "water",
            "slot": "water-1100",
            "local_date": MONDAY,
            "due_at": utc(23, 10),
            "status": "sending",
            "tip_id": "water-refill-break",
            "claimed_at": utc(23, 10, 0, 2),
            "claimed_by": ROUND_A,
        },
        {
            **NUDGE_DEFAULTS,
            "id": 8,
            "member_id": 1,
            "habit": "water",
            "slot": "water-1300",
            "local_date": MONDAY,
            "due_at": utc(23, 12),
            "status": "claimed",
            "claimed_at": utc(23, 12, 0, 1),
            "claimed_by": ROUND_A,
        },
        {
            **NUDGE_DEFAULTS,
            "id": 9,
            "member_id": 2,
            "habit": "water",
            "slot": "water-0830",
            "local_date": MONDAY,
            "due_at": utc(23, 13, 30),
            "status": "suppressed",
        },
        {
            **NUDGE_DEFAULTS,
            "id": 10,
            "member_id": 2,
            "habit": "walk",
            "slot": "walk-dinner",
            "local_date": date(2026, 11, 20),
            "due_at": utc(21, 0, 30),
            "status": "paused",
        },
        {
            **NUDGE_DEFAULTS,
            "id": 11,
            "member_id": 2,
            "habit": "sleep",
            "slot": "sleep-winddown",
            "local_date": date(2026, 11, 22),
            "due_at": utc(23, 2, 45),
            "status": "quiet",
        },
        {
            **NUDGE_DEFAULTS,
            "id": 12,
            "member_id": 2,
            "habit": "walk",
            "slot": "walk-breakfast",
            "local_date": date(2026, 11, 22),
            "due_at": utc(22, 12, 15),
            "status": "sent",
            "tip_id": "walk-ten-minutes",
            "message_id": 7,
            "claimed_at": utc(22, 12, 45, 1),
            "claimed_by": ROUND_B,
            "sent_at": utc(22, 12, 45, 2),
            "snooze_count": 2,
        },
        {
            **NUDGE_DEFAULTS,
            "id": 13,
            "member_id": 4,
            "habit": "walk",
            "slot": "walk-breakfast",
            "local_date": date(2026, 11, 21),
            "due_at": utc(21, 7, 15),
            "status": "undelivered",
            "tip_id": "walk-indoors",
            "claimed_at": utc(21, 7, 15, 6),
            "claimed_by": ROUND_B,
        },
    ],
    "checkin": [
        {
            **CHECKIN_DEFAULTS,
            "id": 1,
            "member_id": 1,
            "habit": "water",
            "nudge_id": 1,
            "local_date": MONDAY,
            "value": 1.0,
            "status": "done",
            "source": "button",
            "created_at": utc(23, 6, 2, 11),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 2,
            "member_id": 1,
            "habit": "water",
            "local_date": MONDAY,
            "value": 2.0,
            "status": "done",
            "source": "text",
            "created_at": utc(23, 9, 14, 59),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 3,
            "member_id": 1,
            "habit": "walk",
            "slot": "walk-breakfast",
            "nudge_id": 2,
            "local_date": MONDAY,
            "status": "done",
            "source": "button",
            "created_at": utc(23, 7, 41, 10),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 4,
            "member_id": 1,
            "habit": "sleep",
            "slot": "sleep-morning",
            "nudge_id": 3,
            "local_date": MONDAY,
            "value": 7.5,
            "status": "done",
            "source": "text",
            "created_at": utc(23, 6, 20),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 5,
            "member_id": 2,
            "habit": "sleep",
            "slot": "sleep-morning",
            "local_date": MONDAY,
            "value": 9.0,
            "status": "done",
            "source": "button",
            "created_at": utc(23, 11, 50),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 6,
            "member_id": 2,
            "habit": "breathing",
            "slot": "breathing",
            "local_date": date(2026, 11, 22),
            "status": "skipped",
            "source": "text",
            "created_at": utc(22, 20, 5),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 7,
            "member_id": 2,
            "habit": "walk",
            "slot": "walk-breakfast",
            "nudge_id": 12,
            "local_date": date(2026, 11, 22),
            "status": "skipped",
            "source": "button",
            "created_at": utc(22, 13, 1, 30),
        },
        {
            **CHECKIN_DEFAULTS,
            "id": 8,
            "member_id": 4,
            "habit": "water",
            "local_date": date(2026, 11, 20),
            "value": 1.0,
            "status": "done",
            "source": "text",
            "created_at": utc(20, 23, 20),
        },
    ],
    "pause": [
        {"id": 1, "member_id": 2, "starts_at": utc(20, 6), "ends_at": utc(21, 6)},
        {"id": 2, "member_id": 4, "starts_at": utc(22, 10, 0, 30), "ends_at": None},
        {"id": 3, "member_id": 1, "starts_at": utc(17, 9), "ends_at": utc(17, 9, 30)},
    ],
    "weeklyreport": [
        {
            "id": 1,
            "member_id": 1,
            "week_ending": date(2026, 11, 22),
            "due_at": utc(22, 18),
            "status": "sent",
            "tip_id": "general-gut-skin-link",
            "claimed_at": utc(22, 18, 0, 4),
            "sent_at": utc(22, 18, 0, 9),
        },
        {
            "id": 2,
            "member_id": 2,
            "week_ending": date(2026, 11, 20),
            "due_at": utc(20, 23, 30),
            "status": "missed",
            "tip_id": None,
            "claimed_at": utc(21, 8, 0, 1),
            "sent_at": None,
        },
        {
            "id": 3,
            "member_id": 3,
            "week_ending": date(2026, 11, 22),
            "due_at": utc(22, 10),
            "status": "undelivered",
            "tip_id": "general-daylight-outside",
            "claimed_at": utc(22, 10, 0, 2),
            "sent_at": None,
        },
        {
            "id": 4,
            "member_id": 1,
            "week_ending": date(2026, 11, 29),
            "due_at": utc(29, 18),
            "status": "claimed",
            "tip_id": None,
            "claimed_at": utc(29, 18, 0, 1),
            "sent_at": None,
        },
    ],
    "tipchange": [
        {
            "id": 1,
            "tip_id": "water-why",
            "changed_at": utc(18, 10),
            "changed_by": 4242,
            "changed_by_name": "Ada",
            "field": "nl",
            "before": "Water helpt je spijsvertering.",
            "after": "Water helpt je spijsvertering op gang.",
        },
        {
            "id": 2,
            "tip_id": "walk-digestion",
            "changed_at": utc(19, 14, 30),
            "changed_by": None,
            "changed_by_name": "",
            "field": "enabled",
            "before": "true",
            "after": "false",
        },
        {
            "id": 3,
            "tip_id": "walk-after-rain",
            "changed_at": utc(20, 8, 5),
            "changed_by": 4242,
            "changed_by_name": "Ada",
            "field": "tip",
            "before": None,
            "after": "Na de regen ruikt het buiten heerlijk. | The air smells great after rain.",
        },
    ],
}
MODELS: dict[str, type[SQLModel]] = {
    "member": Member,
    "nudge": Nudge,
    "checkin": CheckIn,
    "pause": Pause,
    "weeklyreport": WeeklyReport,
    "tipchange": TipChange,
}


def normalized(value: Any) -> Any:
    """Instants as aware UTC datetimes: SQLite hands them back naive (stored as UTC), PostgreSQL
    aware in the session's time zone."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def reflected(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def stored_rows(engine: Engine, table_name: str, columns: list[str], ids: list[int]) -> list[dict[str, Any]]:
    """The rows with these ids as stored (read through the schema's own column types, not the
    models); rows a later migration adds are not the release's."""
    table = reflected(engine).tables[table_name]
    statement = (
        select(*(table.c[name] for name in columns)).where(table.c["id"].in_(ids)).order_by(table.c["id"])
    )
    with engine.connect() as connection:
        return [
            {name: normalized(value) for name, value in row._mapping.items()}
            for row in connection.execute(statement)
        ]


def ids_of(table_name: str) -> list[int]:
    return [row["id"] for row in EXPECTED[table_name]]


def revision_of(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def newest_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def release_copy(tmp_path: Path) -> Path:
    """A copy of the release database: opening the file itself would change it."""
    copy = tmp_path / "release.sqlite3"
    shutil.copyfile(RELEASE_DATABASE, copy)
    return copy


@pytest.fixture
def release_engine(release_copy: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{release_copy}")
    yield engine
    engine.dispose()


def load_into_postgresql(source: Engine, target: Engine) -> None:
    """Every row of the release database into a PostgreSQL schema at the same revision."""
    source_tables = reflected(source).tables
    target_metadata = reflected(target)
    with source.connect() as reading, target.begin() as writing:
        for table in target_metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(row._mapping) for row in reading.execute(select(source_tables[table.name]))]
            for row in rows:
                for column in table.columns:
                    # Stored as UTC on SQLite, without an offset; timestamptz needs to be told.
                    if isinstance(column.type, DateTime) and isinstance(row.get(column.name), datetime):
                        row[column.name] = row[column.name].replace(tzinfo=UTC)
            if rows:
                writing.execute(table.insert(), rows)
            if "id" in table.c:
                writing.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"), false)'
                    ),
                    {"table": f'"{table.name}"'},
                )


def assert_rows_as_released(engine: Engine, *, through_the_models: bool = True) -> None:
    """The release's rows as stored, and (`through_the_models`: the schema is this release's) as
    this release's models read them."""
    for table_name, expected in EXPECTED.items():
        assert stored_rows(engine, table_name, list(expected[0]), ids_of(table_name)) == expected, table_name
    if not through_the_models:
        return
    with new_session(engine) as session:
        for table_name, model in MODELS.items():
            # The models of this release read the old rows as the same values.
            columns = [name for name in EXPECTED[table_name][0] if name in model.model_fields]
            table = model.__table__  # type: ignore[attr-defined]
            statement = select(model).where(table.c.id.in_(ids_of(table_name))).order_by(table.c.id)
            loaded = session.scalars(statement).all()
            assert [{name: getattr(item, name) for name in columns} for item in loaded] == [
                {name: row[name] for name in columns} for row in EXPECTED[table_name]
            ], table_name
    with engine.connect() as connection:
        statuses = [row[0] for row in connection.execute(text("SELECT DISTINCT status FROM nudge"))]
        reports = [row[0] for row in connection.execute(text("SELECT DISTINCT status FROM weeklyreport"))]
    assert all(NudgeStatus(status) for status in statuses)
    assert all(WeeklyReportStatus(status) for status in reports)


def test_the_release_database_holds_what_this_test_states(release_engine: Engine) -> None:
    """Every table and column of the release is stated above, so none goes unchecked."""
    assert RELEASE_DATABASE.stat().st_size < 200_000
    assert revision_of(release_engine) == [RELEASE_REVISION]
    tables = set(inspect(release_engine).get_table_names()) - {"alembic_version"}
    assert tables == set(EXPECTED)
    for table_name, rows in EXPECTED.items():
        columns = [column["name"] for column in inspect(release_engine).get_columns(table_name)]
        assert all(list(row) == list(rows[0]) for row in rows), table_name
        assert sorted(rows[0]) == sorted(columns), table_name
        assert stored_rows(release_engine, table_name, list(rows[0]), ids_of(table_name)) == rows, table_name
        with release_engine.connect() as connection:
            count = connection.execute(text(f'SELECT count(*) FROM "{table_name}"')).scalar_one()
        assert count == len(rows), table_name


def test_upgrading_the_release_database_keeps_every_row_on_sqlite(release_engine: Engine) -> None:
    upgrade_schema(release_engine)
    assert revision_of(release_engine) == [newest_revision()]
    assert_rows_as_released(release_engine)


def test_members_of_the_release_get_the_breathing_defaults(release_engine: Engine) -> None:
    upgrade_schema(release_engine)
    with release_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT DISTINCT breathing_pattern, breathing_minutes, breathing_guidance FROM member")
        ).all()
    new_member = Member(telegram_id=1, chat_id=1, created_at=utc(23, 9), schedule_cursor=utc(23, 9))
    assert [tuple(row) for row in rows] == [
        (new_member.breathing_pattern, new_member.breathing_minutes, new_member.breathing_guidance)
    ]


@pytest.mark.postgres
def test_upgrading_the_release_rows_keeps_every_row_on_postgresql(release_engine: Engine) -> None:
    with fresh_schema(server_url()) as url:
        engine = create_db_engine(url)
        try:
            upgrade_schema(engine, RELEASE_REVISION)
            load_into_postgresql(release_engine, engine)
            # Loaded faithfully, before any upgrade (the models know columns added since).
            assert_rows_as_released(engine, through_the_models=False)
            upgrade_schema(engine)
            assert revision_of(engine) == [newest_revision()]
            assert_rows_as_released(engine)
            with engine.begin() as connection:  # the ids go on after the loaded rows
                new_id = connection.execute(
                    text("INSERT INTO pause (member_id, starts_at) VALUES (1, now()) RETURNING id")
                ).scalar_one()
            assert new_id == len(EXPECTED["pause"]) + 1
        finally:
            engine.dispose()


LATER_MIGRATION = """\
from alembic import op
import sqlalchemy as sa

revision = "later"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    raise NotImplementedError
"""
# What a later release's migration may well do: on SQLite, altering a column copies the table
# and drops the old one, the table that the others refer to included.
REBUILDS = """\
    with op.batch_alter_table("member", recreate="always") as batch:
        batch.add_column(sa.Column("streak_record", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("nudge", recreate="always") as batch:
        batch.alter_column("tip_id", type_=sa.String(64))"""


def with_later_migration(tmp_path: Path, body: str) -> Config:
    """This release's migrations and one more after them, in a folder of their own."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_later.py").write_text(
        LATER_MIGRATION.format(head=newest_revision(), body=body)
    )
    config = Config()
    config.set_main_option("script_location", str(folder))
    return config


def test_a_later_migration_that_rebuilds_tables_on_sqlite_keeps_the_rows_that_refer_to_them(
    release_engine: Engine, tmp_path: Path
) -> None:
    upgrade_schema(release_engine, config=with_later_migration(tmp_path, REBUILDS))
    assert revision_of(release_engine) == ["later"]
    assert_rows_as_released(release_engine)
    with release_engine.connect() as connection:  # and the foreign keys are enforced again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_a_migration_that_leaves_rows_referring_to_nothing_is_undone_on_sqlite(
    release_engine: Engine, tmp_path: Path
) -> None:
    dangling = (
        "    op.execute(\"INSERT INTO pause (member_id, starts_at) VALUES (99, '2026-12-01 00:00:00')\")"
    )
    with pytest.raises(RuntimeError, match="refer to nothing"):
        upgrade_schema(release_engine, config=with_later_migration(tmp_path, dangling))
    assert revision_of(release_engine) == [RELEASE_REVISION]
    assert_rows_as_released(release_engine, through_the_models=False)
