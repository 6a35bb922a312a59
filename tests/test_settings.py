"""End to end: /settings edits in place, changes mid-day recompute the rest of the day exactly once,
/pause and /resume, quiet hours, and typed settings input that is wrong changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import new_session
from storage.models import BACKED_OFF_STATUSES, NudgeStatus
from tests.harness import BotHarness, buttons

ALICE = 1001
AMS_11_00 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
END_OF_DAY = datetime(2026, 11, 23, 22, 59, tzinfo=UTC)  # 23:59 in Amsterdam


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [message["text"] for message in api.sent_messages(chat_id)]


def nudge_messages(api: FakeBotApi, chat_id: int) -> list[str]:
    return [t for t in texts(api, chat_id) if t.startswith(("💧", "🚶", "🌬️", "🌙", "☀️"))]


async def onboarded(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard(api.user(ALICE, first_name="Alice"))


async def test_settings_menu_is_edited_in_place(bot: BotHarness, api: FakeBotApi) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/settings")
    menu = api.last_message(ALICE)
    count = len(api.sent_messages(ALICE))
    assert menu["text"].startswith("⚙️ Instellingen")
    for label in (
        "Gewoontes",
        "Wandelen",
        "Terug naar het menu",
        "Uitstellen",
        "30 min",
        "Terug naar het menu",
        "Taal",
        "English",
        "Back to the menu",
        "Close",
    ):
        await bot.press_label(alice, label)
    assert len(api.sent_messages(ALICE)) == count  # every step edited the one menu message
    member = bot.member(ALICE)
    assert member is not None
    assert (member.walk_on, member.snooze_minutes, member.language) == (False, 30, "en")
    closed = api.message(ALICE, menu["message_id"])
    assert closed["text"].startswith("⚙️ Settings saved.")
    assert not buttons(closed)


async def test_mid_day_change_recomputes_the_rest_of_the_day_no_duplicate_none_lost(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.run_until(AMS_11_00)  # started at 07:05: 07:15, 08:15, 09:00 and 11:00 went out
    sent_before = [n.slot for n in bot.nudges(ALICE) if n.status == NudgeStatus.SENT]
    assert sent_before == ["sleep-morning", "walk-breakfast", "water-0900", "water-1100"]

    # At 11:00: water every hour instead of every two, lunch at 13:00 instead of 12:30 (typed).
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Water")
    await bot.press_label(alice, "1 uur")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Maaltijden")
    await bot.say(alice, "13:00")
    await bot.press_label(alice, "Lunch 13:00")
    assert bot.member(ALICE).lunch_time == time(13, 0)  # type: ignore[union-attr]

    await bot.run_until(END_OF_DAY)
    nudges = bot.nudges(ALICE)
    slots = [n.slot for n in nudges]
    assert len(slots) == len(set(slots))  # no slot twice
    after = {n.slot: n.due_at for n in nudges if n.due_at > AMS_11_00}
    hourly = {
        f"water-{hour:02d}00": datetime(2026, 11, 23, hour - 1, 0, tzinfo=UTC) for hour in range(12, 23)
    }
    assert after == {
        **hourly,
        "walk-lunch": datetime(2026, 11, 23, 12, 15, tzinfo=UTC),  # 13:15, not 12:45
        "breathing": datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
        "walk-dinner": datetime(2026, 11, 23, 17, 45, tzinfo=UTC),
        "sleep-winddown": datetime(2026, 11, 23, 21, 15, tzinfo=UTC),
    }
    # None lost: each went out, or was held back so as not to nag a member who answers nothing.
    assert {n.status for n in nudges} <= {NudgeStatus.SENT, *BACKED_OFF_STATUSES}
    # Every nudge that went out reached the chat exactly once.
    assert len(nudge_messages(api, ALICE)) == sum(n.status == NudgeStatus.SENT for n in nudges)


async def test_time_zone_change_mid_day_sends_no_slot_twice(bot: BotHarness, api: FakeBotApi) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.run_until(AMS_11_00)
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Tijdzone")
    await bot.say(alice, "Londen")  # an hour back: London's 11:00 water slot is Amsterdam's
    assert bot.member(ALICE).timezone == "Europe/London"  # type: ignore[union-attr]
    assert "🕒 Tijdzone: Europe/London (daar is het nu 10:00)." in texts(api, ALICE)

    await bot.run_until(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    nudges = bot.nudges(ALICE)
    assert Counter(n.slot for n in nudges)["water-1100"] == 1
    later = {n.slot: n.due_at for n in nudges if n.due_at > AMS_11_00}
    assert later == {
        "walk-lunch": datetime(2026, 11, 23, 12, 45, tzinfo=UTC),  # 12:45 in London
        "water-1300": datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
    }


async def test_pause_until_resumed_then_resume(bot: BotHarness, api: FakeBotApi, clock: SteppedClock) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/pause")
    assert [label for label, _ in buttons(api.last_message(ALICE))] == [
        "1 dag",
        "3 dagen",
        "1 week",
        "Tot ik verder ga",
    ]
    await bot.press_label(alice, "Tot ik verder ga")
    assert texts(api, ALICE)[-1] == "⏸️ Gepauzeerd tot je /resume stuurt."
    messages = len(api.sent_messages(ALICE))

    await bot.run_until(datetime(2026, 11, 23, 13, 30, tzinfo=UTC))
    assert len(api.sent_messages(ALICE)) == messages
    paused = bot.nudges(ALICE)
    assert paused
    assert {n.status for n in paused} == {NudgeStatus.PAUSED}

    await bot.say(alice, "/resume")
    assert texts(api, ALICE)[-1].startswith("▶️ Je bent terug!")
    await bot.run_until(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 15:00: water
    assert api.last_message(ALICE)["text"].startswith("💧 Tijd voor een glas water")
    member = bot.member(ALICE)
    assert member is not None
    with new_session(bot.engine) as session:
        (pause,) = queries.pauses_of_member(session=session, member_id=member.id)  # type: ignore[arg-type]
    assert pause.starts_at == datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    assert pause.ends_at == datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
    await bot.say(alice, "/resume")
    assert texts(api, ALICE)[-1].startswith("Je was niet gepauzeerd")


async def test_pause_for_one_day_ends_by_itself(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "1 dag")
    assert texts(api, ALICE)[-1] == ("⏸️ Gepauzeerd tot di 24 nov 07:05. Met /resume ga je eerder verder.")
    await bot.say(alice, "/pause")  # paused: says until when, and offers to resume
    assert texts(api, ALICE)[-1].startswith("⏸️ Gepauzeerd tot di 24 nov 07:05.")
    assert "▶️ Nu verder" in [label for label, _ in buttons(api.last_message(ALICE))]

    await bot.run_until(clock() + timedelta(days=1, minutes=15))
    statuses = {(n.local_date.day, n.slot): n.status for n in bot.nudges(ALICE)}
    assert statuses[(23, "walk-dinner")] == NudgeStatus.PAUSED
    assert statuses[(24, "water-0700")] == NudgeStatus.PAUSED  # 07:00, still paused
    assert statuses[(24, "sleep-morning")] == NudgeStatus.SENT  # 07:15, after the pause


async def test_today_during_a_pause_says_until_when_and_resumes_with_a_tap(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/today")
    assert "reply_markup" not in api.last_message(ALICE)  # not paused: no resume button
    bot.set_routine(ALICE, timezone="America/New_York")
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "3 dagen")
    # Monday 06:05 UTC is 01:05 in New York; the pause ends three days later on that wall clock.
    await bot.say(alice, "/today")
    today = api.last_message(ALICE)
    lines = today["text"].splitlines()
    assert lines[:3] == [
        "⏸️ Gepauzeerd tot do 26 nov 01:05: tot dan geen herinneringen.",
        "",
        "📋 Vandaag (22-11)",
    ]
    assert "💧 Water: 0/8 glazen" in lines
    assert [label for label, _ in buttons(today)] == ["▶️ Nu verder"]

    sent = len(api.sent_messages(ALICE))
    await bot.run_until(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # 10:00 in New York
    assert len(api.sent_messages(ALICE)) == sent
    assert {n.status for n in bot.nudges(ALICE)} == {NudgeStatus.PAUSED}

    await bot.press_label(alice, "Nu verder")
    resumed = api.message(ALICE, today["message_id"])
    assert resumed["text"].splitlines()[:3] == [
        "▶️ Je bent terug! De herinneringen staan weer aan.",
        "",
        "📋 Vandaag (23-11)",
    ]
    assert "reply_markup" not in resumed
    await bot.run_until(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # 11:00 in New York: water
    assert api.last_message(ALICE)["text"].startswith("💧 Tijd voor een glas water")
    await bot.say(alice, "/today")
    assert api.last_message(ALICE)["text"].startswith("📋 Vandaag (23-11)")


async def test_today_during_an_open_pause_in_english(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard(api.user(ALICE, first_name="Sam", language_code="en"))
    sam = api.user(ALICE)
    await bot.say(sam, "/pause")
    await bot.press_label(sam, "Until I resume")
    await bot.say(sam, "/today")
    today = api.last_message(ALICE)
    assert today["text"].startswith("⏸️ Paused until you resume: no reminders.\n\n📋 Today (23-11)")
    assert [label for label, _ in buttons(today)] == ["▶️ Resume now"]
    await bot.press_label(sam, "Resume now")
    assert api.message(ALICE, today["message_id"])["text"].startswith("▶️ You're back!")
    await bot.say(sam, "/resume")
    assert api.last_message(ALICE)["text"].startswith("You weren't paused")


async def test_quiet_hours_hold_back_a_nudge_set_at_night(bot: BotHarness, api: FakeBotApi) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Ademen")
    await bot.say(alice, "23:00")  # inside the default quiet hours, 22:30-07:00
    assert bot.member(ALICE).breathing_time == time(23, 0)  # type: ignore[union-attr]
    await bot.run_until(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))
    breathing = next(n for n in bot.nudges(ALICE) if n.slot == "breathing")
    assert breathing.status == NudgeStatus.QUIET
    assert not any(t.startswith("🌬️ Twee minuten") for t in texts(api, ALICE))

    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Stille uren")
    await bot.press_label(alice, "Geen stille uren")
    assert bot.member(ALICE).quiet_start == bot.member(ALICE).quiet_end  # type: ignore[union-attr]
    # A member who answers: a day of unanswered nudges would reach the daily cap before 23:00.
    await bot.answer_until(datetime(2026, 11, 24, 22, 0, tzinfo=UTC))  # Tuesday 23:00
    assert api.last_message(ALICE)["text"].startswith("🌬️ Twee minuten")


async def test_typed_settings_that_are_wrong_get_a_retry_and_change_nothing(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Ademen")
    before = bot.member(ALICE)
    await bot.say(alice, "25:00")
    assert texts(api, ALICE)[-1].startswith("Dat is geen tijd die ik ken.")
    await bot.say(alice, "abc")
    assert texts(api, ALICE)[-1].startswith("Dat is geen tijd die ik ken.")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Tijdzone")
    await bot.say(alice, "Mars/Olympus")
    assert texts(api, ALICE)[-1].startswith("Die tijdzone of stad ken ik niet.")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Stille uren")
    await bot.say(alice, "22:00")
    assert texts(api, ALICE)[-1].startswith("Typ de stille uren als twee tijden")
    after = bot.member(ALICE)
    assert before is not None
    assert after is not None
    assert (after.breathing_time, after.timezone, after.quiet_start) == (
        before.breathing_time,
        before.timezone,
        before.quiet_start,
    )
    assert after.next_due_at == before.next_due_at

    # A check-in typed while a settings screen is open is still a check-in.
    await bot.say(alice, "2 glazen")
    assert texts(api, ALICE)[-1].startswith("💧 Genoteerd: 2/8")


async def test_weekly_picture_day_time_on_off_and_walk_rule_from_settings(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await onboarded(bot, api)
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/settings")
    menu = api.last_message(ALICE)
    await bot.press_label(alice, "📊 Weekoverzicht")
    for label in ("zaterdag", "20:00", "na elke maaltijd"):
        await bot.press_label(alice, label)
    member = bot.member(ALICE)
    assert member is not None
    assert (member.weekly_report_weekday, member.weekly_report_time, member.walk_streak_rule) == (
        5,
        time(20, 0),
        "all",
    )
    assert "elke zaterdag om 20:00" in api.message(ALICE, menu["message_id"])["text"]

    await bot.tick()  # the next tick works out when the picture is due
    member = bot.member(ALICE)
    assert member is not None
    assert member.next_weekly_report_at == datetime(2026, 11, 28, 19, 0, tzinfo=UTC)
    await bot.say(alice, "2 glazen")  # a week without any answer would get no picture
    clock.set(datetime(2026, 11, 28, 19, 0, 5, tzinfo=UTC))  # Saturday 20:00:05 in Amsterdam
    await bot.tick()
    assert len(api.calls_named("sendPhoto")) == 1

    await bot.say(alice, "/settings")
    await bot.press_label(alice, "📊 Weekoverzicht")
    await bot.press_label(alice, "Weekoverzicht uit")
    member = bot.member(ALICE)
    assert member is not None
    assert not member.weekly_report_on
    clock.set(datetime(2026, 12, 5, 19, 0, 5, tzinfo=UTC))  # a week later: nothing comes
    await bot.tick()
    assert len(api.calls_named("sendPhoto")) == 1
