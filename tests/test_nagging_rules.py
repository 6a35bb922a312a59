"""The rules against nagging where they meet the rest of the bot: pauses, typed answers, snoozes,
the daily cap as a setting, English, weekly pictures, and a database upgraded from the release."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import create_db_engine, new_session, upgrade_schema
from storage.models import NudgeStatus, PromptKind, WeeklyReportStatus
from tests.harness import ADMIN, BotHarness, button_data, buttons, make_settings, running_bot

ALICE = 1001
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2026, 11, 23)
RELEASE_DATABASE = Path(__file__).resolve().parent / "data" / "release-0.1.0.sqlite3"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def statuses_on(bot: BotHarness, day: date) -> dict[str, str]:
    return {n.slot: n.status for n in bot.nudges(ALICE) if n.local_date == day}


@pytest.fixture
async def capped_bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with UNANSWERED_A_DAY=3."""
    settings = make_settings(f"sqlite:///{database_path}", unanswered_a_day=3)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        yield harness


async def test_the_daily_cap_is_a_setting_and_an_answer_frees_a_place(
    capped_bot: BotHarness, api: FakeBotApi
) -> None:
    bot = capped_bot
    await bot.onboard(api.user(ALICE, language_code="en"))
    await bot.run_until(local(MONDAY, 9, 1))
    # 07:15 sleep, 08:15 walk, 09:00 water: three unanswered, and the cap is three.
    await bot.run_until(local(MONDAY, 12, 50))
    assert statuses_on(bot, MONDAY) == {
        "sleep-morning": NudgeStatus.SENT,
        "walk-breakfast": NudgeStatus.SENT,
        "water-0900": NudgeStatus.SENT,
        "water-1100": NudgeStatus.CAPPED,
        "walk-lunch": NudgeStatus.CAPPED,
    }
    walk = next(m for m in api.sent_messages(ALICE) if m["text"].startswith("🚶"))
    await bot.press(api.user(ALICE), walk, button_data(walk, "snooze"))
    member = bot.member(ALICE)
    assert member is not None
    assert member.last_answer_at == bot.clock()  # a snooze is an answer
    await bot.run_until(local(MONDAY, 13, 1))
    assert statuses_on(bot, MONDAY)["water-1300"] == NudgeStatus.SENT
    # The earlier water nudge lost its button, in the member's language.
    nine = next(n for n in bot.nudges(ALICE) if n.slot == "water-0900")
    assert nine.message_id is not None
    assert api.message(ALICE, nine.message_id)["text"] == "💧 09:00 · not answered"
    assert nine.closed_at == local(MONDAY, 13, 0)


async def test_a_typed_answer_ends_quiet_mode_from_the_next_slot(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard(api.user(ALICE))
    day8 = MONDAY + timedelta(days=7)
    await bot.run_until(local(day8, 10, 0))
    assert statuses_on(bot, day8) == {
        "water-0700": NudgeStatus.QUIET_MODE,
        "sleep-morning": NudgeStatus.SENT,  # as the checklist
        "walk-breakfast": NudgeStatus.QUIET_MODE,
        "water-0900": NudgeStatus.QUIET_MODE,
    }
    checklist = next(n for n in bot.nudges(ALICE) if n.local_date == day8 and n.slot == "sleep-morning")
    assert checklist.shown_as == PromptKind.CHECKLIST
    await bot.say(api.user(ALICE), "2 glazen")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 2/8 glazen vandaag."
    await bot.run_until(local(day8, 11, 1))
    assert statuses_on(bot, day8)["water-1100"] == NudgeStatus.SENT
    assert api.last_message(ALICE)["text"].startswith("💧 Tijd voor een glas water (2/8)")
    # The checklist covers every habit: it closes when a nudge goes out again.
    assert checklist.message_id is not None
    assert api.message(ALICE, checklist.message_id)["text"] == "📋 07:15 · niet beantwoord"


async def test_a_week_s_pause_does_not_count_as_a_silent_week(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE)
    await bot.onboard(alice)
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "1 week")
    day9 = MONDAY + timedelta(days=8)
    await bot.run_until(local(day9, 9, 1))
    assert NudgeStatus.QUIET_MODE not in statuses_on(bot, day9).values()
    assert statuses_on(bot, day9)["water-0900"] == NudgeStatus.SENT


async def test_typed_water_does_not_answer_the_open_question_about_water(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard(api.user(ALICE))
    day4 = MONDAY + timedelta(days=3)
    await bot.run_until(local(day4, 8, 0))
    question = next(
        m for m in api.sent_messages(ALICE) if m["text"].startswith("💧 Op de waterherinneringen")
    )
    await bot.say(api.user(ALICE), "2 glazen")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 2/8 glazen vandaag."
    assert buttons(api.message(ALICE, question["message_id"]))  # still waiting for its answer
    await bot.run_until(local(day4, 9, 1))
    assert statuses_on(bot, day4)["water-0900"] == NudgeStatus.QUESTION_OPEN


async def test_no_picture_for_a_week_paused_throughout(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    await bot.onboard(alice)
    await bot.say(alice, "2 glazen")
    clock.set(local(date(2026, 11, 29), 10))
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "Tot ik verder ga")
    await bot.run_until(local(date(2026, 12, 6), 20))
    member = bot.member(ALICE)
    assert member is not None
    assert member.id is not None
    with new_session(bot.engine) as session:
        reports = queries.weekly_reports_of_member(session=session, member_id=member.id)
    assert [(r.week_ending, r.status) for r in reports] == [
        (date(2026, 11, 29), WeeklyReportStatus.SENT),
        (date(2026, 12, 6), WeeklyReportStatus.PAUSED),
    ]
    assert len(api.calls_named("sendPhoto")) == 1


def test_an_upgraded_release_database_starts_the_latest_answer_at_the_latest_check_in(tmp_path: Path) -> None:
    copy = tmp_path / "release.sqlite3"
    shutil.copyfile(RELEASE_DATABASE, copy)
    engine = create_db_engine(f"sqlite:///{copy}")
    try:
        upgrade_schema(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT member.id, member.last_answer_at, member.muted_slots,"
                    " (SELECT max(created_at) FROM checkin WHERE checkin.member_id = member.id)"
                    " FROM member ORDER BY member.id"
                )
            ).all()
            open_nudges = connection.execute(
                text("SELECT count(*) FROM nudge WHERE open_until IS NOT NULL OR closed_at IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert rows
    assert any(latest is not None for _, _, _, latest in rows)
    assert all(answer == latest for _, answer, _, latest in rows)
    assert all(muted == "" for _, _, muted, _ in rows)
    # The release's nudges are left as they were: none is taken for an open prompt to close.
    assert open_nudges == 0


async def test_tip_stats_count_what_was_held_back(admin_bot: BotHarness, api: FakeBotApi) -> None:
    await admin_bot.onboard(api.user(ALICE))
    await admin_bot.run_until(local(MONDAY + timedelta(days=1), 3, 30))
    await admin_bot.say(api.user(ADMIN), "/tip stats")
    stats = api.sent_messages(ADMIN)[-1]["text"]
    assert stats.splitlines()[2] == (
        "Niet verstuurd om niet te zeuren, 7 · 30 dagen: water gehalveerd 2 · 2, daglimiet 3 · 3,"
        " rustmodus 0 · 0, vraag open 0 · 0"
    )
