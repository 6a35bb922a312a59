"""End to end: the bot does not nag. Through the real Application against fakegram, on a clock moved
by hand and ticked only at the moments something falls due (`run_until`), so two weeks take seconds.

- A member who ignores everything: at most 10 messages on the first day, one a day from the
  eighth (quiet mode), never more than one open prompt per habit, the question whether the times
  still fit exactly once per habit, no weekly picture for a silent week; an answer brings the
  schedule back from the next slot.
- A member who always walks 35 minutes after lunch: exactly one offer to move the slot; yes moves
  it, no stops the offers for 30 days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from scheduler.restraint import CheckChoice
from scheduler.routines import routine_of, zone_of
from scheduler.slots import routine_day
from storage import queries
from storage.database import new_session
from storage.kinds import Habit
from storage.models import (
    CheckQuestion,
    NudgeStatus,
    PromptKind,
    RhythmOffer,
    WeeklyReport,
    WeeklyReportStatus,
)
from tests.harness import BotHarness, button_data, button_with_label, buttons

ALICE = 1001
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The routine day of the default routine turns over at 03:00 (the middle of 23:00-07:00).
MONDAY = date(2026, 11, 23)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def routine_day_of(bot: BotHarness, message: dict[str, Any]) -> date:
    member = bot.member(ALICE)
    assert member is not None
    sent = datetime.fromtimestamp(message["date"], UTC)
    return routine_day(routine_of(member), zone_of(member), sent)


def messages_per_day(bot: BotHarness) -> Counter[date]:
    return Counter(routine_day_of(bot, message) for message in bot.api.sent_messages(ALICE))


def open_prompts_per_habit(bot: BotHarness) -> Counter[str]:
    """Per habit, the bot's messages in the chat that are nudges with live buttons (a checklist
    counts for every habit on it)."""
    nudges = {nudge.message_id: nudge for nudge in bot.nudges(ALICE) if nudge.message_id is not None}
    member = bot.member(ALICE)
    assert member is not None
    counts: Counter[str] = Counter()
    for message in bot.api.sent_messages(ALICE):
        nudge = nudges.get(message["message_id"])
        if nudge is None or not buttons(message):
            continue
        if nudge.shown_as == PromptKind.CHECKLIST:
            counts.update(habit.value for habit in routine_of(member).habits)
        else:
            counts[nudge.habit] += 1
    return counts


async def run_until(bot: BotHarness, moment: datetime, after_each_tick: Callable[[], None]) -> None:
    """`bot.run_until`, with a look at the chat after every tick."""
    while True:
        with new_session(bot.engine) as session:
            due = queries.earliest_due_at(session=session)
        if due is None or due > moment:
            break
        bot.clock.set(max(due, bot.clock()))
        await bot.tick()
        after_each_tick()
    bot.clock.set(moment)
    await bot.tick()
    after_each_tick()


async def test_a_member_who_ignores_everything_for_two_weeks(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await bot.onboard(api.user(ALICE, first_name="Alice"))
    most_open: Counter[str] = Counter()

    def look() -> None:
        for habit, count in open_prompts_per_habit(bot).items():
            most_open[habit] = max(most_open[habit], count)

    last_day = MONDAY + timedelta(days=13)
    await run_until(bot, local(last_day + timedelta(days=1), 3, 30), look)

    per_day = messages_per_day(bot)
    print("\nmessages per day, ignoring everything:")
    for number in range(14):
        day = MONDAY + timedelta(days=number)
        print(f"  day {number + 1:2} ({day:%a %d %b}): {per_day[day]}")
    assert sum(per_day.values()) == sum(per_day[MONDAY + timedelta(days=n)] for n in range(14))
    assert per_day[MONDAY] <= 10
    assert all(per_day[MONDAY + timedelta(days=n)] <= 1 for n in range(7, 14))
    assert all(per_day[MONDAY + timedelta(days=n)] == 1 for n in range(7, 14))  # the checklist
    assert set(most_open) == {habit.value for habit in Habit}
    assert max(most_open.values()) == 1
    assert open_prompts_per_habit(bot) == Counter()  # the last day's checklist closed at its end

    with new_session(bot.engine) as session:
        questions = session.exec(select(CheckQuestion)).all()
        reports = session.exec(select(WeeklyReport).order_by(WeeklyReport.week_ending)).all()
    assert sorted(question.habit for question in questions) == sorted(habit.value for habit in Habit)
    assert {question.asked_on for question in questions} == {MONDAY + timedelta(days=3)}
    asked = [c for c in api.calls_named("sendMessage") if "drie dagen geen antwoord" in c.params["text"]]
    assert len(asked) == 4  # since closed, at the end of their day
    # Two silent Sundays: recorded, no picture.
    assert [(r.week_ending, r.status) for r in reports] == [
        (date(2026, 11, 29), WeeklyReportStatus.SILENT),
        (date(2026, 12, 6), WeeklyReportStatus.SILENT),
    ]
    assert api.calls_named("sendPhoto") == []
    statuses = Counter(nudge.status for nudge in bot.nudges(ALICE))
    for held in (
        NudgeStatus.HELD_BACK,
        NudgeStatus.CAPPED,
        NudgeStatus.QUIET_MODE,
        NudgeStatus.QUESTION_OPEN,
    ):
        assert statuses[held] > 0, held

    # Day 15: the checklist comes at 07:15 and says the bot is quiet until an answer.
    day15 = last_day + timedelta(days=1)
    await run_until(bot, local(day15, 7, 20), look)
    checklist = api.last_message(ALICE)
    assert checklist["text"].startswith("🌿 Ik laat je even met rust")
    assert "tot je weer iets invult" in checklist["text"]
    assert [label for label, _ in buttons(checklist)] == [
        "💧 +1 glas",
        "🚶 Gewandeld",
        "🌬️ Geademd",
        "😴 5 u",
        "😴 6 u",
        "😴 7 u",
        "😴 8 u",
        "😴 9+ u",
    ]
    await bot.press(api.user(ALICE), checklist, button_with_label(checklist, "7 u"))
    answered = api.message(ALICE, checklist["message_id"])
    assert answered["text"].endswith(
        "😴 7 uur geslapen, genoteerd.\nVanaf nu kom ik weer op je gewone tijden."
    )
    assert "reply_markup" not in answered
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.value, checkin.source) == (
        "sleep",
        "sleep-morning",
        7,
        "button",
    )

    # The next slot is the breakfast walk: a normal nudge again, with its buttons.
    await run_until(bot, local(day15, 8, 20), look)
    walk = api.last_message(ALICE)
    assert walk["text"].startswith("🚶 Even wandelen na het ontbijt?")
    assert [label for label, _ in buttons(walk)] == ["✅ Gedaan", "⏰ Over 15 min", "⏭️ Overslaan"]
    assert messages_per_day(bot)[day15] == 2
    assert max(most_open.values()) == 1


async def test_a_closed_prompt_s_old_button_still_answers_kindly(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await bot.onboard(api.user(ALICE))
    await bot.run_until(local(MONDAY, 9, 1))
    first = next(m for m in api.sent_messages(ALICE) if m["text"].startswith("💧"))
    data = button_data(first, "glass")
    await bot.run_until(local(MONDAY, 11, 1))
    assert api.message(ALICE, first["message_id"])["text"] == "💧 09:00 · niet beantwoord"
    # A client that still shows the old button: the tap counts, as the day's water.
    api.user(ALICE).press(first, data, check_button=False)
    await bot.settle()
    assert [c.value for c in bot.checkins(ALICE)] == [1]
    # On a later day such a tap is answered as expired, and changes nothing.
    eleven = api.last_message(ALICE)
    assert eleven["text"].startswith("💧 Tijd voor een glas water (0/8)")
    eleven_data = button_data(eleven, "glass")
    await bot.run_until(local(MONDAY + timedelta(days=1), 9, 0))
    assert api.message(ALICE, eleven["message_id"])["text"] == "💧 11:00 · niet beantwoord"
    api.user(ALICE).press(eleven, eleven_data, check_button=False)
    await bot.settle()
    assert [c.value for c in bot.checkins(ALICE)] == [1]
    assert api.message(ALICE, eleven["message_id"])["text"] == (
        "💧 11:00 · niet beantwoord\n\n"
        "Deze herinnering is van een eerdere dag. /today laat je dag van vandaag zien."
    )


async def walk_lunch_at(bot: BotHarness, day: date, hour: int, minute: int) -> dict[str, Any] | None:
    """Run to the day's lunch walk nudge and answer it done at the given local time; the offer
    that came with it, if any."""
    await bot.run_until(local(day, 12, 46))
    walk = next(
        m
        for m in reversed(bot.api.sent_messages(ALICE))
        if m["text"].startswith("🚶 Even wandelen na de lunch")
    )
    offer = bot.api.last_message(ALICE)
    bot.clock.set(local(day, hour, minute))
    await bot.press(bot.api.user(ALICE), walk, button_data(walk, "done"))
    return offer if offer["text"].startswith("🚶 Je wandelt") else None


async def walker(bot: BotHarness) -> None:
    """A member with only walks switched on (the other habits play no part here)."""
    await bot.onboard(bot.api.user(ALICE, first_name="Alice"))
    bot.set_routine(ALICE, water_on=False, breathing_on=False, sleep_on=False)


async def test_a_member_who_walks_35_minutes_after_lunch_gets_one_offer_and_yes_moves_the_walk(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await walker(bot)
    offers = []
    for number in range(6):
        offer = await walk_lunch_at(bot, MONDAY + timedelta(days=number), 13, 20)
        if offer is not None:
            offers.append((number, offer))
    ((number, offer),) = offers
    assert number == 4  # on the fifth day: 4 of the last 5 days walked at 13:20
    assert offer["text"] == "🚶 Je wandelt na de lunch meestal rond 13:20. Zal ik je dan herinneren?"
    assert [label for label, _ in buttons(offer)] == ["⏰ Ja, om 13:20", "Nee, laat maar"]
    await bot.press(api.user(ALICE), offer, button_with_label(offer, "Ja"))
    assert api.message(ALICE, offer["message_id"])["text"].endswith(
        "⏰ Afgesproken: voortaan om 13:20. Je lunch staat nu op 13:05."
    )
    member = bot.member(ALICE)
    assert member is not None
    assert member.lunch_time == time(13, 5)

    # From the next day the walk nudge comes at 13:20; walking then, no offer comes again.
    for number in range(6, 14):
        day = MONDAY + timedelta(days=number)
        await bot.run_until(local(day, 13, 21))
        walk = api.last_message(ALICE)
        assert walk["text"].startswith("🚶 Even wandelen na de lunch")
        assert datetime.fromtimestamp(walk["date"], UTC) == local(day, 13, 20)
        await bot.press(api.user(ALICE), walk, button_data(walk, "done"))
    with new_session(bot.engine) as session:
        assert len(session.exec(select(RhythmOffer)).all()) == 1


async def test_no_to_the_offer_stops_offers_for_30_days(bot: BotHarness, api: FakeBotApi) -> None:
    await walker(bot)
    for number in range(4):
        assert await walk_lunch_at(bot, MONDAY + timedelta(days=number), 13, 20) is None
    offer = await walk_lunch_at(bot, MONDAY + timedelta(days=4), 13, 20)
    assert offer is not None
    await bot.press(api.user(ALICE), offer, button_with_label(offer, "Nee"))
    assert api.message(ALICE, offer["message_id"])["text"].endswith(
        "👍 Prima, het blijft 12:45. Ik vraag het voorlopig niet meer."
    )
    member = bot.member(ALICE)
    assert member is not None
    assert member.lunch_time == time(12, 30)
    # Still walking at 13:20 every day: no offer within 30 days of the no, one after.
    offered_on = []
    for number in range(5, 36):
        if await walk_lunch_at(bot, MONDAY + timedelta(days=number), 13, 20) is not None:
            offered_on.append(number)
    assert offered_on == [34]  # 30 days after the no


async def test_the_check_question_s_answers_do_what_they_say(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard(api.user(ALICE))
    await bot.run_until(local(MONDAY + timedelta(days=3), 16, 1))
    questions = {
        m["text"][:2].strip(): m for m in api.sent_messages(ALICE) if "drie dagen geen antwoord" in m["text"]
    }
    water, walk, breathing, sleep = (questions[emoji] for emoji in ("💧", "🚶", "🌬️", "🌙"))
    assert [label for label, _ in buttons(water)] == [
        "🕒 Ander moment",
        "🔉 Minder vaak",
        "🔕 Zet uit",
        "👍 Zo laten",
    ]
    # Breathing comes once a day already: no "less often".
    assert [label for label, _ in buttons(breathing)] == ["🕒 Ander moment", "🔕 Zet uit", "👍 Zo laten"]

    keep_water = button_with_label(water, "Zo laten")
    await bot.press(api.user(ALICE), water, button_with_label(water, "Minder vaak"))
    assert api.message(ALICE, water["message_id"])["text"].endswith(
        "🔉 Vanaf nu een waterherinnering elke 3 uur. Aanpassen kan altijd via /settings → Water."
    )
    await bot.press(api.user(ALICE), walk, button_with_label(walk, "Minder vaak"))
    await bot.press(api.user(ALICE), sleep, button_with_label(sleep, "Ander moment"))
    screen = api.last_message(ALICE)
    assert screen["text"].startswith("⏰ Opstaan: 07:00 · 🌙 Bedtijd: 23:00")
    await bot.press(api.user(ALICE), breathing, button_with_label(breathing, "Zet uit"))
    assert api.message(ALICE, breathing["message_id"])["text"].endswith(
        "🔕 Ademen staat uit. Weer aanzetten kan altijd via /settings → Gewoontes."
    )
    # A second tap (from a client that still shows the buttons) changes nothing.
    api.user(ALICE).press(water, keep_water, check_button=False)
    await bot.settle()
    assert api.calls_named("answerCallbackQuery")[-1].params["text"] == "Deze vraag had je al beantwoord 👍"
    member = bot.member(ALICE)
    assert member is not None
    assert (member.water_interval_minutes, member.breathing_on, member.walk_on) == (180, False, True)
    assert member.muted_slots == "walk-breakfast,walk-dinner"
    with new_session(bot.engine) as session:
        choices = {q.habit: q.choice for q in session.exec(select(CheckQuestion)).all()}
    assert choices == {
        "water": CheckChoice.LESS_OFTEN,
        "walk": CheckChoice.LESS_OFTEN,
        "sleep": CheckChoice.ANOTHER_TIME,
        "breathing": CheckChoice.SWITCH_OFF,
    }
    # The next day: water every 3 hours, only the lunch walk, no breathing.
    next_day = MONDAY + timedelta(days=4)
    await bot.run_until(local(next_day + timedelta(days=1), 3, 30))
    due = sorted((n.due_at, n.slot) for n in bot.nudges(ALICE) if n.local_date == next_day)
    assert [slot for _, slot in due if slot.startswith("water")] == [
        "water-0700",
        "water-1000",
        "water-1300",
        "water-1600",
        "water-1900",
        "water-2200",
    ]
    assert [slot for _, slot in due if not slot.startswith("water")] == [
        "sleep-morning",
        "walk-lunch",
        "sleep-winddown",
    ]
