"""The reminder log is kept for REMINDER_LOG_DAYS, then deleted a batch per tick, oldest first; a
nudge still being sent never is, and check-ins stay (only their link to a deleted nudge goes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from scheduler.retention import FINAL, IN_PROGRESS, prune_reminder_log, reminder_log_cutoff
from storage.models import CheckIn, Member, Nudge, NudgeStatus, WeeklyReport
from tests.harness import button_data, make_settings, running_bot

NOW = datetime(2027, 12, 1, 12, 0, tzinfo=UTC)
DAYS = 400
OLD = NOW - timedelta(days=DAYS, hours=1)
RECENT = NOW - timedelta(days=DAYS - 1)
ALICE = 1001


def add_member(engine: Engine) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            insert(Member).values(telegram_id=ALICE, chat_id=ALICE, created_at=OLD, schedule_cursor=NOW)
        )
        member_id = result.inserted_primary_key
        assert member_id is not None
        return int(member_id[0])


def add_nudge(engine: Engine, member_id: int, status: str, due_at: datetime, slot: str) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            insert(Nudge).values(
                member_id=member_id,
                habit="walk",
                slot=slot,
                local_date=due_at.date(),
                due_at=due_at,
                status=status,
                claimed_at=due_at,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def rows(engine: Engine, table: type[SQLModel]) -> list[dict[str, object]]:
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(table.__table__))]  # type: ignore[attr-defined]


def test_the_cutoff_is_the_retention_before_now() -> None:
    assert reminder_log_cutoff(NOW, DAYS) == NOW - timedelta(days=400)
    with pytest.raises(ValueError, match="at least a day"):
        reminder_log_cutoff(NOW, 0)
    assert set(NudgeStatus) == FINAL | IN_PROGRESS
    assert {NudgeStatus.CLAIMED, NudgeStatus.SENDING, NudgeStatus.SNOOZED} == IN_PROGRESS


def test_old_final_nudges_go_in_batches_and_the_rest_stays(engine: Engine) -> None:
    member_id = add_member(engine)
    old_final = [
        add_nudge(engine, member_id, status, OLD - timedelta(minutes=index), f"old-{index}")
        for index, status in enumerate(sorted(FINAL))
    ]
    in_progress = {
        add_nudge(engine, member_id, status, OLD - timedelta(days=30), f"busy-{status}")
        for status in IN_PROGRESS
    }
    recent = add_nudge(engine, member_id, NudgeStatus.SENT, RECENT, "recent")
    with engine.begin() as connection:
        connection.execute(
            insert(CheckIn),
            [
                {
                    "member_id": member_id,
                    "habit": "walk",
                    "slot": "walk-lunch",
                    "nudge_id": nudge_id,
                    "local_date": date(2026, 11, 1),
                    "status": "done",
                    "source": "button",
                    "created_at": OLD,
                }
                for nudge_id in (old_final[0], recent)
            ],
        )
        connection.execute(
            insert(WeeklyReport),
            [
                {
                    "member_id": member_id,
                    "week_ending": (due_at - timedelta(days=1)).date(),
                    "due_at": due_at,
                    "status": status,
                    "claimed_at": due_at,
                }
                for due_at, status in ((OLD, "sent"), (OLD - timedelta(days=7), "claimed"), (RECENT, "sent"))
            ],
        )

    deleted = []
    while True:
        pruned = prune_reminder_log(engine=engine, now=NOW, days=DAYS, batch=3)
        deleted.append(pruned.nudges)
        if pruned.nudges == 0:
            break
    # Every final status once, three a batch, then nothing.
    full, rest = divmod(len(FINAL), 3)
    assert deleted == [3] * full + ([rest] if rest else []) + [0]
    left = {row["id"] for row in rows(engine, Nudge)}
    assert left == in_progress | {recent}
    checkins = rows(engine, CheckIn)
    assert len(checkins) == 2
    assert {row["nudge_id"] for row in checkins} == {None, recent}
    # A weekly claim is never taken over, so an old one goes by age alone.
    assert [row["due_at"] for row in rows(engine, WeeklyReport)] == [RECENT]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_tick_clears_what_is_past_the_retention(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{database_path}", reminder_log_days=1)
    alice = api.user(ALICE, first_name="Alice")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        await bot.onboard(alice)
        clock.advance(minutes=11)  # 07:16 in Amsterdam: the sleep question
        await bot.tick()
        question = api.last_message(ALICE)
        await bot.press(alice, question, button_data(question, "hours:7"))
        await bot.run_until(clock() + timedelta(hours=12))
        first_day = {nudge.id for nudge in bot.nudges(ALICE)}
        assert len(first_day) > 5

        # A day and an hour later, every nudge of the first day is more than a day old.
        await bot.run_until(clock() + timedelta(days=1, hours=1))
        left = {nudge.id for nudge in bot.nudges(ALICE)}
        assert left
        assert not left & first_day
        (checkin,) = bot.checkins(ALICE)
        assert (checkin.value, checkin.nudge_id) == (7.0, None)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_batch_walks_the_due_time_index_on_sqlite(engine: Engine) -> None:
    """Each tick runs it: it must never read every old row to find a batch."""
    statements: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        prune_reminder_log(engine=engine, now=NOW, days=DAYS)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as connection:
        for statement, parameters in statements:
            rows_ = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append(" ".join(str(row[-1]) for row in rows_))
    assert plans == [
        "SEARCH nudge USING INDEX ix_nudge_due_at (due_at<?)",
        "SEARCH weeklyreport USING COVERING INDEX ix_weeklyreport_due_at (due_at<?)",
    ]
