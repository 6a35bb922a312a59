"""The check-in statements run on the DB-API connection read and write exactly what SQLAlchemy does.

Each read is run both ways, through `Connection.execute` and through `DirectConnection`, on SQLite
and on PostgreSQL, and the snapshots must be equal; each write is read back through the ORM.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Executable, insert
from sqlalchemy.engine import Engine
from sqlmodel import select

from habits import members
from storage import checkin_queries
from storage.checkin_queries import MemberSnapshot, NudgeSnapshot
from storage.database import new_session
from storage.direct import DirectConnection, compile_for
from storage.models import CheckIn, Member, Nudge, NudgeStatus

NOW = datetime(2026, 11, 23, 7, 20, tzinfo=UTC)
DAY = date(2026, 11, 23)
TELEGRAM_ID = 4100


def _member_with_nudges(engine: Engine) -> tuple[int, list[int]]:
    """A member who changed every setting a snapshot holds, with three nudges sent this morning."""
    with new_session(engine) as session:
        member = members.register_member(
            session=session,
            telegram_id=TELEGRAM_ID,
            chat_id=TELEGRAM_ID,
            first_name="Ada",
            language_code="en",
            default_language="nl",
            default_timezone="Asia/Tokyo",
            now=NOW,
        ).member
        member.wake_time, member.bedtime = time(6, 45), time(23, 30, 15)
        member.walk_on, member.water_goal, member.settings_screen = False, 10, "meals"
        session.add(member)
        session.commit()
        assert member.id is not None
        nudge_ids = []
        for index, (habit, slot) in enumerate(
            [("water", "water-1"), ("walk", "walk-breakfast"), ("water", "water-2")]
        ):
            sent = NOW - timedelta(minutes=30 - index)
            nudge = Nudge(
                member_id=member.id,
                habit=habit,
                slot=slot,
                local_date=DAY,
                due_at=sent,
                status=NudgeStatus.SENT,
                sent_at=sent,
                message_id=900 + index,
                tip_id="water-1" if habit == "water" else None,
            )
            session.add(nudge)
            session.commit()
            assert nudge.id is not None
            nudge_ids.append(nudge.id)
        session.execute(
            insert(CheckIn),
            [
                {
                    "member_id": member.id,
                    "habit": "water",
                    "slot": None,
                    "nudge_id": None,
                    "local_date": DAY,
                    "value": value,
                    "status": "done",
                    "source": "text",
                    "created_at": NOW,
                }
                for value in (1.0, 2.5)
            ],
        )
        session.commit()
        return member.id, nudge_ids


def _both_ways(engine: Engine, statement: Executable, params: dict[str, Any]) -> tuple[Any, Any]:
    with engine.connect() as connection:
        through_sqlalchemy = connection.execute(statement, params).first()
    with DirectConnection(engine) as direct:
        straight = direct.first(statement, params)
    return None if through_sqlalchemy is None else tuple(through_sqlalchemy), straight


def test_every_read_gives_the_same_row_both_ways(engine: Engine) -> None:
    member_id, nudge_ids = _member_with_nudges(engine)
    since = NOW - timedelta(hours=12)
    reads: list[tuple[Executable, dict[str, Any]]] = [
        (
            checkin_queries._member_and_nudge_statement(),
            {"telegram_id": TELEGRAM_ID, "nudge_id": nudge_ids[1]},
        ),
        (checkin_queries._member_and_nudge_statement(), {"telegram_id": TELEGRAM_ID, "nudge_id": -1}),
        (checkin_queries._member_and_nudge_statement(), {"telegram_id": 1, "nudge_id": nudge_ids[1]}),
        (
            checkin_queries._member_and_open_nudge_statement(False),
            {"telegram_id": TELEGRAM_ID, "since": since},
        ),
        (
            checkin_queries._member_and_open_nudge_statement(True),
            {"telegram_id": TELEGRAM_ID, "since": since, "habit": "walk"},
        ),
        (
            checkin_queries._member_and_open_nudge_statement(True),
            {"telegram_id": TELEGRAM_ID, "since": NOW, "habit": "water"},
        ),
        (
            checkin_queries._member_and_nudge_by_message_statement(),
            {"telegram_id": TELEGRAM_ID, "message_id": 901, "since": since},
        ),
        (
            checkin_queries._member_and_nudge_by_message_statement(),
            {"telegram_id": TELEGRAM_ID, "message_id": 999, "since": since},
        ),
        (checkin_queries._water_glasses_statement(), {"member_id": member_id, "day": DAY}),
        (
            checkin_queries._checkin_for_slot_statement(),
            {"member_id": member_id, "day": DAY, "habit": "water", "slot": "water-1"},
        ),
    ]
    for statement, params in reads:
        through_sqlalchemy, straight = _both_ways(engine, statement, params)
        assert straight == through_sqlalchemy, params
        if straight is not None:
            assert [type(value) for value in straight] == [type(v) for v in through_sqlalchemy]


def test_the_snapshots_hold_the_member_and_the_latest_open_nudge(engine: Engine) -> None:
    member_id, nudge_ids = _member_with_nudges(engine)
    with DirectConnection(engine) as connection:
        member, nudge = checkin_queries.member_and_open_nudge(
            connection=connection, telegram_id=TELEGRAM_ID, since=NOW - timedelta(hours=12), habit="water"
        )
        glasses = checkin_queries.water_glasses_on(connection=connection, member_id=member_id, day=DAY)
    assert isinstance(member, MemberSnapshot)
    assert (member.id, member.language, member.timezone) == (member_id, "en", "Asia/Tokyo")
    assert (member.wake_time, member.bedtime) == (time(6, 45), time(23, 30, 15))
    assert (member.walk_on, member.water_on, member.water_goal) == (False, True, 10)
    assert member.has_screen_open
    assert nudge == NudgeSnapshot(
        id=nudge_ids[2],
        habit="water",
        slot="water-2",
        local_date=DAY,
        status="sent",
        snooze_count=0,
        message_id=902,
        tip_id="water-1",
    )
    assert glasses == 3  # 1 + 2.5, counted in whole glasses


def test_a_nudge_is_found_by_its_message_only_in_the_members_own_recent_nudges(engine: Engine) -> None:
    _, nudge_ids = _member_with_nudges(engine)
    since = NOW - timedelta(hours=12)
    with DirectConnection(engine) as connection:
        _, walk = checkin_queries.member_and_nudge_by_message(
            connection=connection, telegram_id=TELEGRAM_ID, message_id=901, since=since
        )
        member, unknown = checkin_queries.member_and_nudge_by_message(
            connection=connection, telegram_id=TELEGRAM_ID, message_id=950, since=since
        )
        _, too_old = checkin_queries.member_and_nudge_by_message(
            connection=connection, telegram_id=TELEGRAM_ID, message_id=901, since=NOW
        )
        stranger, theirs = checkin_queries.member_and_nudge_by_message(
            connection=connection, telegram_id=1, message_id=901, since=since
        )
    assert walk is not None
    assert (walk.id, walk.slot) == (nudge_ids[1], "walk-breakfast")
    assert member is not None
    assert unknown is None
    assert too_old is None
    assert (stranger, theirs) == (None, None)


def test_writes_are_stored_as_sqlalchemy_stores_them_and_only_when_committed(engine: Engine) -> None:
    member_id, nudge_ids = _member_with_nudges(engine)
    answered_at = datetime(2026, 11, 23, 16, 20, 5, 123456, tzinfo=UTC)
    with DirectConnection(engine) as connection:
        member, nudge = checkin_queries.member_and_nudge(
            connection=connection, telegram_id=TELEGRAM_ID, nudge_id=nudge_ids[1]
        )
        assert member is not None
        assert nudge is not None
        checkin_queries.add_checkin(
            connection=connection,
            member_id=member_id,
            habit="walk",
            slot="walk-breakfast",
            nudge_id=nudge.id,
            local_date=DAY,
            value=None,
            status="done",
            source="button",
            created_at=answered_at,
        )
        checkin_queries.mark_nudge_answered(connection=connection, nudge=nudge, at=answered_at)
        connection.commit()
        checkin_queries.add_checkin(
            connection=connection,
            member_id=member_id,
            habit="sleep",
            slot="sleep-morning",
            nudge_id=None,
            local_date=DAY,
            value=7.5,
            status="done",
            source="text",
            created_at=NOW,
        )
        # Closed without a commit: the sleep check-in must not be stored.
    with new_session(engine) as session:
        stored = session.exec(select(CheckIn).where(CheckIn.nudge_id == nudge_ids[1])).one()
        assert (stored.habit, stored.slot, stored.local_date) == ("walk", "walk-breakfast", DAY)
        assert stored.created_at == answered_at
        assert stored.created_at.tzinfo is not None
        walk = session.get_one(Nudge, nudge_ids[1])
        assert (walk.status, walk.answered_at) == (NudgeStatus.ANSWERED, answered_at)
        assert session.exec(select(CheckIn).where(CheckIn.habit == "sleep")).all() == []
        assert session.get_one(Member, member_id).water_goal == 10


def test_statements_are_compiled_once_per_dialect(engine: Engine) -> None:
    statement = checkin_queries._member_and_nudge_statement()
    assert compile_for(statement, engine.dialect) is compile_for(statement, engine.dialect)
    placeholder = "?" if engine.dialect.name == "sqlite" else "%(telegram_id)s"
    assert placeholder in compile_for(statement, engine.dialect).sql


def test_a_naive_time_is_refused_as_through_sqlalchemy(engine: Engine) -> None:
    naive = NOW.replace(tzinfo=None)
    with DirectConnection(engine) as connection, pytest.raises(ValueError, match="naive"):
        checkin_queries.member_and_open_nudge(connection=connection, telegram_id=TELEGRAM_ID, since=naive)
