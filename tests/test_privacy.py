"""Privacy end to end: /privacy, /export files equal the database, /delete erases every linked row."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, String, Table, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from fakegram import FakeBotApi, FakeUser, UploadedFile
from scheduler.clock import SteppedClock
from storage import breathing_queries, queries
from storage.database import create_schema, new_session
from storage.models import (
    BreathingSession,
    CheckIn,
    CheckQuestion,
    Member,
    Nudge,
    Pause,
    RhythmOffer,
    WeeklyReport,
)
from tests.harness import BotHarness, button_data, buttons

ALICE, BOB = 1001, 2002
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The stored words and how a Dutch member reads them in checkins.csv.
DUTCH = {
    "habit": {"water": "water", "walk": "wandelen", "breathing": "ademen", "sleep": "slaap"},
    "moment": {"": "", "walk-breakfast": "na het ontbijt", "sleep-morning": "ochtend", "breathing": ""},
    "status": {"done": "gedaan", "skipped": "overgeslagen"},
    "source": {"button": "knop", "text": "tekst"},
}
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)  # 08:15 in Amsterdam


def documents(api: FakeBotApi, chat_id: int) -> dict[str, bytes]:
    """Every document the bot uploaded to this chat, by file name."""
    found: dict[str, bytes] = {}
    for call in api.calls_named("sendDocument"):
        upload = call.params["document"]
        if call.params["chat_id"] == chat_id and isinstance(upload, UploadedFile):
            found[upload.filename] = upload.data
    return found


async def member_with_data(bot: BotHarness, user: FakeUser, clock: SteppedClock) -> None:
    """/start, a walk tapped done on its nudge, typed water and sleep, a breathing session, a pause,
    a weekly report."""
    clock.set(datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    await bot.say(user, "/start")
    clock.set(WALK_TIME)
    await bot.tick()
    nudge = bot.api.last_message(user.id)
    await bot.press(user, nudge, button_data(nudge, "done"))
    await bot.say(user, "2 glazen")
    await bot.say(user, "7,5 uur")
    await bot.say(user, "ademen overslaan")
    await bot.say(user, "/adem")
    member = bot.member(user.id)
    assert member is not None
    assert member.id is not None
    with new_session(bot.engine) as session:
        queries.add_pause(
            session=session,
            pause=Pause(
                member_id=member.id,
                starts_at=WALK_TIME + timedelta(days=2),
                ends_at=WALK_TIME + timedelta(days=3),
            ),
        )
        queries.add_weekly_report(
            session=session,
            report=WeeklyReport(
                member_id=member.id, week_ending=date(2026, 11, 22), due_at=WALK_TIME, claimed_at=WALK_TIME
            ),
        )
        session.add(CheckQuestion(member_id=member.id, habit="water", asked_on=date(2026, 11, 23)))
        session.add(
            RhythmOffer(
                member_id=member.id,
                slot="walk-lunch",
                offered_on=date(2026, 11, 23),
                slot_time=time(12, 45),
                suggested=time(13, 20),
            )
        )
        session.commit()


def confirm_button(question: dict[str, Any]) -> str:
    (data,) = [data for _, data in buttons(question) if data.startswith("del:yes:")]
    return data


def rows_referencing(engine: Engine, member_id: int) -> dict[str, int]:
    """Per table of the real schema with a foreign key to members, the rows pointing at this one.

    Read from the database itself (not from the models), so a table added later is checked too.
    """
    schema = inspect(engine)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table_name in schema.get_table_names():
            for foreign_key in schema.get_foreign_keys(table_name):
                if foreign_key["referred_table"] != "member":
                    continue
                table = Table(table_name, MetaData(), autoload_with=connection)
                (column_name,) = foreign_key["constrained_columns"]
                counts[table_name] = connection.execute(
                    select(func.count()).select_from(table).where(table.c[column_name] == member_id)
                ).scalar_one()
        counts["member"] = connection.execute(
            text("SELECT count(*) FROM member WHERE id = :id"), {"id": member_id}
        ).scalar_one()
    return counts


async def test_privacy_says_what_why_how_long_and_how(bot: BotHarness) -> None:
    await bot.say(bot.api.user(ALICE, language_code="nl"), "/privacy")
    reply = bot.api.last_message(ALICE)["text"]
    for needed in (
        "Telegram-id",
        "voornaam",
        "tijdzone",
        "check-ins",
        "Waarom",
        "Hoe lang",
        "/export",
        "/delete",
    ):
        assert needed in reply
    assert len(reply.splitlines()) <= 6
    await bot.say(bot.api.user(BOB, language_code="en"), "/privacy")
    assert "How long" in bot.api.last_message(BOB)["text"]


async def test_export_files_equal_the_database(bot: BotHarness, clock: SteppedClock) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await member_with_data(bot, alice, clock)
    await bot.say(alice, "/export")

    files = documents(bot.api, ALICE)
    assert set(files) == {"checkins.csv", "settings.json"}
    assert files["checkins.csv"].decode("utf-8-sig").splitlines()[0] == (
        "datum,tijd,gewoonte,moment,status,waarde,bron"
    )
    rows = list(csv.DictReader(io.StringIO(files["checkins.csv"].decode("utf-8-sig"))))
    stored = bot.checkins(ALICE)
    assert len(stored) == 4
    # Every stored check-in, field by field, in the words a Dutch member reads.
    assert rows == [
        {
            "datum": c.local_date.isoformat(),
            "tijd": c.created_at.astimezone(AMSTERDAM).isoformat(timespec="seconds"),
            "gewoonte": DUTCH["habit"][c.habit],
            "moment": DUTCH["moment"][c.slot or ""],
            "status": DUTCH["status"][c.status],
            "waarde": "" if c.value is None else f"{c.value:g}".replace(".", ","),
            "bron": DUTCH["source"][c.source],
        }
        for c in stored
    ]
    assert {(r["gewoonte"], r["moment"], r["status"], r["waarde"], r["bron"]) for r in rows} == {
        ("wandelen", "na het ontbijt", "gedaan", "", "knop"),
        ("water", "", "gedaan", "2", "tekst"),
        ("slaap", "ochtend", "gedaan", "7,5", "tekst"),
        ("ademen", "", "overgeslagen", "", "tekst"),
    }
    assert rows[0]["tijd"] == "2026-11-23T08:15:00+01:00"  # the walk tapped at 08:15 in Amsterdam
    settings = json.loads(files["settings.json"])
    member = bot.member(ALICE)
    assert member is not None
    assert settings["settings"]["telegram_id"] == ALICE
    assert settings["settings"]["first_name"] == "Alice"
    assert settings["settings"]["timezone"] == "Europe/Amsterdam"
    assert settings["settings"]["bedtime"] == "23:00:00"
    assert settings["settings"]["weekly_report_on"] is True
    assert len(settings["pauses"]) == 1
    assert len(settings["weekly_reports"]) == 1
    assert len(settings["reminders"]) == len(bot.nudges(ALICE))
    (session,) = settings["breathing_sessions"]
    assert (session["pattern"], session["minutes"], session["status"]) == ("calm", 2, "running")
    captions = [m.get("caption") for m in bot.api.sent_messages(ALICE) if "document" in m]
    assert captions == ["4 check-ins", "Instellingen, pauzes en weekoverzichten"]


async def test_export_in_english_with_local_times(bot: BotHarness, clock: SteppedClock) -> None:
    bob = bot.api.user(BOB, first_name="Bob", language_code="en")
    await member_with_data(bot, bob, clock)
    bot.set_routine(BOB, timezone="Asia/Tokyo")
    await bot.say(bob, "/export")
    lines = documents(bot.api, BOB)["checkins.csv"].decode("utf-8-sig").splitlines()
    assert lines == [
        "date,time,habit,moment,status,value,source",
        "2026-11-23,2026-11-23T16:15:00+09:00,walk,after breakfast,done,,button",
        "2026-11-23,2026-11-23T16:15:00+09:00,water,,done,2,text",
        "2026-11-23,2026-11-23T16:15:00+09:00,sleep,morning,done,7.5,text",
        "2026-11-23,2026-11-23T16:15:00+09:00,breathing,,skipped,,text",
    ]
    captions = [m.get("caption") for m in bot.api.sent_messages(BOB) if "document" in m]
    assert captions == ["4 check-ins", "Settings, pauses and weekly reports"]
    settings = json.loads(documents(bot.api, BOB)["settings.json"])
    # The JSON keeps the stored names and values, for programs: keys and ISO dates as stored.
    assert settings["settings"]["language"] == "en"
    assert settings["settings"]["timezone"] == "Asia/Tokyo"
    assert {p["starts_at"] for p in settings["pauses"]} == {"2026-11-25T07:15:00Z"}


async def test_export_for_someone_without_data(bot: BotHarness) -> None:
    await bot.say(bot.api.user(7, language_code="en"), "/export")
    assert bot.api.last_message(7)["text"] == "I have no data of yours stored."
    assert bot.api.calls_named("sendDocument") == []


async def test_delete_can_be_cancelled(bot: BotHarness, clock: SteppedClock) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await member_with_data(bot, alice, clock)
    member = bot.member(ALICE)
    assert member is not None
    assert member.id is not None
    before = rows_referencing(bot.engine, member.id)
    await bot.say(alice, "/delete")
    question = bot.api.last_message(ALICE)
    assert question["text"].startswith("⚠️ Weet je het zeker?")
    assert [label for label, _ in buttons(question)] == ["🗑️ Ja, wis alles", "↩️ Nee, laat staan"]
    await bot.press(alice, question, "del:no")
    edited = bot.api.message(ALICE, question["message_id"])
    assert edited["text"] == "👍 Niets gewist, alles blijft zoals het was."
    assert "reply_markup" not in edited
    assert rows_referencing(bot.engine, member.id) == before


async def test_delete_erases_every_row_of_the_member_and_only_theirs(
    bot: BotHarness, clock: SteppedClock
) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    bob = bot.api.user(BOB, first_name="Bob", language_code="en")
    await member_with_data(bot, alice, clock)
    await member_with_data(bot, bob, clock)
    alice_id = bot.member(ALICE).id  # type: ignore[union-attr]
    bob_id = bot.member(BOB).id  # type: ignore[union-attr]
    assert alice_id is not None
    assert bob_id is not None
    before = rows_referencing(bot.engine, alice_id)
    # Every table that references members has rows of Alice's, so the check below can fail.
    assert set(before) >= {"member", "nudge", "checkin", "pause", "weeklyreport", "breathingsession"}
    assert all(count > 0 for count in before.values()), before
    bob_before = rows_referencing(bot.engine, bob_id)

    await bot.say(alice, "/delete")
    question = bot.api.last_message(ALICE)
    await bot.press(alice, question, confirm_button(question))

    assert bot.api.message(ALICE, question["message_id"])["text"].startswith("✅ Alles is gewist.")
    after = rows_referencing(bot.engine, alice_id)
    for table, count in after.items():
        assert count == 0, f"{table} still has {count} row(s) of the erased member"
    assert bot.member(ALICE) is None
    assert rows_referencing(bot.engine, bob_id) == bob_before

    # Nothing more is sent to her, and a late tap on an old nudge changes nothing.
    sent = len(bot.api.sent_messages(ALICE))
    clock.advance(hours=3)
    await bot.tick()
    assert len(bot.api.sent_messages(ALICE)) == sent

    # A later /start begins from scratch.
    await bot.say(alice, "/start")
    assert bot.api.last_message(ALICE)["text"].startswith("Hoi Alice!")
    fresh = bot.member(ALICE)
    assert fresh is not None
    assert fresh.created_at == clock()
    assert bot.checkins(ALICE) == []
    await bot.say(alice, "/stats")
    assert "reeks 0 dagen · beste 0 dagen · deze week 0/7" in bot.api.last_message(ALICE)["text"]


async def test_a_stale_confirmation_asks_again(bot: BotHarness, clock: SteppedClock) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await member_with_data(bot, alice, clock)
    await bot.say(alice, "/delete")
    question = bot.api.last_message(ALICE)
    clock.advance(minutes=20)
    await bot.press(alice, question, confirm_button(question))
    assert bot.api.message(ALICE, question["message_id"])["text"].startswith("Deze knop is verlopen")
    assert bot.member(ALICE) is not None
    assert len(bot.checkins(ALICE)) == 4


async def test_delete_without_data_and_a_forged_button(bot: BotHarness, clock: SteppedClock) -> None:
    carol = bot.api.user(3003, language_code="en")
    await bot.say(carol, "/delete")
    assert bot.api.last_message(3003)["text"] == "I have no data of yours stored."
    # Someone else's (or a forged) confirmation only ever erases the presser's own data.
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await member_with_data(bot, alice, clock)
    await bot.say(alice, "/delete")
    question = bot.api.last_message(ALICE)
    carol.press(question, f"del:yes:{int(clock().timestamp())}", check_button=False)
    await bot.settle()
    assert bot.member(ALICE) is not None


async def test_message_texts_are_not_stored(bot: BotHarness, clock: SteppedClock) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await member_with_data(bot, alice, clock)
    await bot.say(alice, "mijn geheime zin over mijn huid")
    await bot.say(alice, "2 glazen en verder geheim")
    found: list[Any] = []
    with bot.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String):
                    found += connection.execute(select(column).where(column.like("%geheim%"))).scalars().all()
    assert found == []


def test_erase_does_not_rely_on_cascading_foreign_keys(tmp_path: Path) -> None:
    """SQLite enforces foreign keys only where a connection switched them on: erase explicitly."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")  # no PRAGMA foreign_keys
    create_schema(engine)
    now = WALK_TIME
    try:
        with new_session(engine) as session:
            ids = []
            for telegram_id in (ALICE, BOB):
                member = queries.create_member(
                    session=session,
                    member=Member(
                        telegram_id=telegram_id, chat_id=telegram_id, created_at=now, schedule_cursor=now
                    ),
                )
                assert member.id is not None
                ids.append(member.id)
                nudge = queries.add_nudge(
                    session=session,
                    nudge=Nudge(
                        member_id=member.id,
                        habit="walk",
                        slot="walk-lunch",
                        local_date=now.date(),
                        due_at=now,
                    ),
                )
                queries.create_checkin(
                    session=session,
                    checkin=CheckIn(
                        member_id=member.id,
                        habit="walk",
                        slot="walk-lunch",
                        nudge_id=nudge.id,
                        local_date=now.date(),
                        status="done",
                        source="button",
                        created_at=now,
                    ),
                )
                queries.add_pause(session=session, pause=Pause(member_id=member.id, starts_at=now))
                breathing_queries.add_breathing_session(
                    session=session,
                    row=BreathingSession(
                        member_id=member.id,
                        chat_id=telegram_id,
                        pattern="calm",
                        minutes=2,
                        guidance="text",
                        started_at=now,
                        planned_end_at=now,
                        nudge_id=nudge.id,
                    ),
                )
                queries.add_weekly_report(
                    session=session,
                    report=WeeklyReport(
                        member_id=member.id, week_ending=now.date(), due_at=now, claimed_at=now
                    ),
                )
                session.add(
                    CheckQuestion(member_id=member.id, habit="walk", asked_on=now.date(), nudge_id=nudge.id)
                )
                session.add(
                    RhythmOffer(
                        member_id=member.id,
                        slot="walk-lunch",
                        offered_on=now.date(),
                        slot_time=time(12, 45),
                        suggested=time(13, 20),
                        nudge_id=nudge.id,
                    )
                )
            session.commit()
            deleted = queries.erase_member(session=session, member_id=ids[0])
            session.commit()
        assert deleted == {
            "breathingsession": 1,
            "checkin": 1,
            "checkquestion": 1,
            "nudge": 1,
            "pause": 1,
            "rhythmoffer": 1,
            "weeklyreport": 1,
            "member": 1,
        }
        assert all(count == 0 for count in rows_referencing(engine, ids[0]).values())
        assert all(count == 1 for count in rows_referencing(engine, ids[1]).values())
    finally:
        engine.dispose()
