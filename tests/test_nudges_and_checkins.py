"""End to end: every habit's nudge, its buttons, snooze, typed check-ins and /today."""

from __future__ import annotations

from datetime import UTC, datetime

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.models import NudgeStatus
from tests.harness import BotHarness, button_data, buttons

ALICE = 1001


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """A UTC instant given as Amsterdam winter time (UTC+1) on November `day`, 2026."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


async def registered(bot: BotHarness, user_id: int = ALICE, language: str = "nl") -> None:
    await bot.onboard(bot.api.user(user_id, first_name="Alice", language_code=language))


async def test_water_taps_count_up_and_stop_at_the_goal(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(9))
    await bot.tick()
    water = api.last_message(ALICE)
    assert water["text"].startswith("💧 Tijd voor een glas water (0/8)")
    assert [label for label, _ in buttons(water)] == ["💧 +1 glas"]
    await bot.press(alice, water, button_data(water, "glass"))
    assert api.message(ALICE, water["message_id"])["text"].endswith("Genoteerd: 1/8 glazen vandaag.")

    await bot.say(alice, "6 glazen")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 7/8 glazen vandaag."
    clock.set(at(11))
    await bot.tick()
    eleven = api.last_message(ALICE)
    assert eleven["text"].startswith("💧 Tijd voor een glas water (7/8)")
    await bot.say(alice, "+1")
    assert api.last_message(ALICE)["text"].startswith("🎉 Doel gehaald: 8/8")
    # The open water nudge was answered by the text and lost its button.
    assert "reply_markup" not in api.message(ALICE, eleven["message_id"])

    sent_before = len(api.sent_messages(ALICE))
    for hour in (13, 15, 17, 19, 21):
        clock.set(at(hour))
        await bot.tick()
    water_after_goal = [m for m in api.sent_messages(ALICE)[sent_before:] if m["text"].startswith("💧")]
    assert water_after_goal == []
    statuses = {n.slot: n.status for n in bot.nudges(ALICE) if n.habit == "water"}
    assert statuses["water-1300"] == statuses["water-2100"] == NudgeStatus.SUPPRESSED
    assert sum(c.value or 0 for c in bot.checkins(ALICE)) == 8


async def test_goal_reached_is_celebrated_once_and_later_glasses_get_a_plain_count(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(9))
    await bot.say(alice, "7 glazen")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 7/8 glazen vandaag."
    clock.set(at(11))
    await bot.tick()
    water = api.last_message(ALICE)
    await bot.press(alice, water, button_data(water, "glass"))
    assert api.message(ALICE, water["message_id"])["text"].endswith(
        "🎉 Doel gehaald: 8/8 glazen! Vandaag geen waterherinneringen meer."
    )
    await bot.say(alice, "+1")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 9/8 glazen vandaag."
    await bot.say(alice, "2 glazen")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 11/8 glazen vandaag."
    celebrations = [m for m in api.sent_messages(ALICE) if "🎉" in m["text"]]
    assert [m["message_id"] for m in celebrations] == [water["message_id"]]


async def test_a_double_tap_keeps_the_answer_on_the_nudge(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(9))
    await bot.tick()
    water = api.last_message(ALICE)
    glass = button_data(water, "glass")
    # Both taps reach the bot before the first one's edit takes the button away.
    first = alice.press(water, glass)
    second = alice.press(water, glass)
    await bot.settle()
    answered = api.message(ALICE, water["message_id"])
    assert answered["text"].endswith("💧 Genoteerd: 1/8 glazen vandaag.")
    assert "beantwoord" not in answered["text"]
    assert "reply_markup" not in answered
    toasts = [api.callback_answers[update["callback_query"]["id"]].get("text") for update in (first, second)]
    assert toasts == ["💧 Genoteerd: 1/8 glazen vandaag.", "Deze had je al beantwoord 👍"]
    assert [c.value for c in bot.checkins(ALICE)] == [1]

    # A late second tap on a walk that was answered (the old message as the app still shows it).
    clock.set(at(12, 45))
    await bot.tick()
    walk = api.last_message(ALICE)
    await bot.press(alice, walk, button_data(walk, "done"))
    done_text = api.message(ALICE, walk["message_id"])["text"]
    assert done_text.endswith("✅ Gedaan. Goed bezig!")
    edits = len(api.calls_named("editMessageText"))
    alice.press(walk, button_data(walk, "done"), check_button=False)
    await bot.settle()
    assert api.message(ALICE, walk["message_id"])["text"] == done_text
    assert len(api.calls_named("editMessageText")) == edits
    assert [c.status for c in bot.checkins(ALICE) if c.habit == "walk"] == ["done"]


async def test_snooze_resends_after_15_minutes_at_most_twice(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(16))
    await bot.tick()
    breathing = api.last_message(ALICE)
    assert breathing["text"].startswith("🌬️")
    await bot.press(alice, breathing, button_data(breathing, "snooze"))
    assert api.message(ALICE, breathing["message_id"])["text"].endswith("⏰ Ik kom over 15 minuten terug.")

    clock.set(at(16, 14))
    await bot.tick()
    assert api.last_message(ALICE)["message_id"] == breathing["message_id"]
    clock.set(at(16, 15))
    await bot.tick()
    second = api.last_message(ALICE)
    assert second["message_id"] != breathing["message_id"]
    assert second["text"] == breathing["text"]
    await bot.press(alice, second, button_data(second, "snooze"))

    clock.set(at(16, 30))
    await bot.tick()
    third = api.last_message(ALICE)
    assert third["message_id"] != second["message_id"]
    assert "snooze" not in [data.split(":")[2] for _, data in buttons(third)]
    await bot.press(alice, third, button_data(third, "done"))
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.status) == ("breathing", "done")
    (nudge,) = [n for n in bot.nudges(ALICE) if n.habit == "breathing"]
    assert (nudge.snooze_count, nudge.status, nudge.message_id) == (
        2,
        NudgeStatus.ANSWERED,
        third["message_id"],
    )


async def test_snoozed_walk_done_by_text_is_not_resent(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(12, 45))
    await bot.tick()
    walk = api.last_message(ALICE)
    await bot.press(alice, walk, button_data(walk, "snooze"))
    clock.set(at(12, 50))
    await bot.say(alice, "wandeling gedaan")
    assert api.last_message(ALICE)["text"] == "✅ Gedaan. Goed bezig!"
    sent = len(api.sent_messages(ALICE))
    clock.set(at(13, 1))
    await bot.tick()
    assert [m["text"][:1] for m in api.sent_messages(ALICE)[sent:]] == ["💧"]
    (walk_nudge,) = [n for n in bot.nudges(ALICE) if n.slot == "walk-lunch"]
    assert walk_nudge.status == NudgeStatus.SUPPRESSED


async def test_morning_sleep_question_takes_a_button_or_a_typed_number(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(7, 15, day=24))
    await bot.tick()
    question = api.last_message(ALICE)
    assert question["text"].startswith("☀️ Goedemorgen! Hoeveel uur heb je geslapen?")
    assert [label for label, _ in buttons(question)] == ["5 u", "6 u", "7 u", "8 u", "9+ u", "⏭️ Overslaan"]
    await bot.say(alice, "klaar")
    assert "Hoeveel uur" in api.last_message(ALICE)["text"]
    assert bot.checkins(ALICE) == []
    await bot.say(alice, "7,5")
    assert api.last_message(ALICE)["text"] == "😴 7,5 uur geslapen, genoteerd."
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.value, checkin.source) == (
        "sleep",
        "sleep-morning",
        7.5,
        "text",
    )
    # A later correction replaces the night rather than adding one.
    await bot.say(alice, "slept 8h")
    (checkin,) = bot.checkins(ALICE)
    assert checkin.value == 8


async def test_morning_hours_button(bot: BotHarness, api: FakeBotApi, clock: SteppedClock) -> None:
    await registered(bot)
    clock.set(at(7, 15, day=24))
    await bot.tick()
    question = api.last_message(ALICE)
    await bot.press(api.user(ALICE), question, button_data(question, "hours:9"))
    (checkin,) = bot.checkins(ALICE)
    assert checkin.value == 9
    assert api.message(ALICE, question["message_id"])["text"].endswith("😴 9 uur geslapen, genoteerd.")


async def test_wind_down_skip_and_english_member(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot, language="en")
    clock.set(at(22, 15))
    await bot.tick()
    wind_down = api.last_message(ALICE)
    assert wind_down["text"].startswith("🌙 Time to wind down for sleep")
    assert [label for label, _ in buttons(wind_down)] == ["✅ Done", "⏭️ Skip"]
    await bot.press(api.user(ALICE), wind_down, button_data(wind_down, "skip"))
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.status) == ("sleep", "sleep-winddown", "skipped")


async def test_text_that_is_not_understood_changes_nothing(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    for message in ("wat een weer", "25 uur", "-2 glazen", "x" * 4096):
        await bot.say(alice, message)
        assert "begreep ik niet" in api.last_message(ALICE)["text"]
    await bot.say(alice, "klaar")
    assert "geen herinnering open" in api.last_message(ALICE)["text"]
    assert bot.checkins(ALICE) == []


async def test_someone_who_never_started_is_asked_to_start_in_their_language(
    bot: BotHarness, api: FakeBotApi
) -> None:
    stranger = api.user(2002, language_code="en-GB")
    for message in ("2 glazen", "klaar", "hello"):
        await bot.say(stranger, message)
        assert api.last_message(2002)["text"] == "Send /start first and I'll set up your reminders."
    assert bot.member(2002) is None


async def test_today_shows_progress_per_habit(bot: BotHarness, api: FakeBotApi, clock: SteppedClock) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(8, 15))
    await bot.tick()
    walk = api.last_message(ALICE)
    await bot.press(alice, walk, button_data(walk, "done"))
    await bot.say(alice, "5 glazen")
    await bot.say(alice, "/today")
    assert api.last_message(ALICE)["text"].splitlines() == [
        "📋 Vandaag (23-11)",
        "💧 Water: 5/8 glazen",
        "🚶 Wandelen: ontbijt ✅ lunch ▫️ avondeten ▫️",
        "🌬️ Ademen: ▫️",
        "🌙 Afbouwen: ▫️",
        "😴 Slaap: nog niet ingevuld",
    ]


async def test_blocked_member_is_inactive_until_start_again(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    api.block_user(ALICE)
    clock.set(at(9))
    await bot.tick()
    member = bot.member(ALICE)
    assert member is not None
    assert not member.active
    assert member.next_due_at is None
    clock.set(at(11))
    await bot.tick()
    assert [n.slot for n in bot.nudges(ALICE) if n.status != NudgeStatus.MISSED] == ["water-0900"]
    assert next(n for n in bot.nudges(ALICE) if n.slot == "water-0900").status == NudgeStatus.UNDELIVERED

    api.unblock_user(ALICE)
    clock.set(at(11, 30))
    await bot.say(api.user(ALICE), "/start")
    assert api.last_message(ALICE)["text"].startswith("Welkom terug")
    member = bot.member(ALICE)
    assert member is not None
    assert member.active
    clock.set(at(12, 45))
    await bot.tick()
    assert api.last_message(ALICE)["text"].startswith("🚶")


async def test_buttons_of_another_member_or_malformed_change_nothing(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    await registered(bot, user_id=2002)
    clock.set(at(8, 15))
    await bot.tick()
    walk = api.last_message(ALICE)
    mallory = api.user(2002)
    forged = button_data(walk, "done")
    api.user(2002).press(walk, forged, check_button=False)
    await bot.settle()
    mallory.press(walk, "n:999999:done", check_button=False)
    await bot.settle()
    mallory.press(walk, "n:abc:done", check_button=False)
    await bot.settle()
    assert bot.checkins(ALICE) == []
    assert bot.checkins(2002) == []
    assert "reply_markup" in api.message(ALICE, walk["message_id"])


async def test_yesterdays_button_is_answered_gracefully(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    clock.set(at(16))
    await bot.tick()
    breathing = api.last_message(ALICE)
    clock.set(at(10, day=24))
    await bot.press(api.user(ALICE), breathing, button_data(breathing, "done"))
    assert bot.checkins(ALICE) == []
    edited = api.message(ALICE, breathing["message_id"])
    assert edited["text"].endswith(
        "Deze herinnering is van een eerdere dag. /today laat je dag van vandaag zien."
    )
    assert "reply_markup" not in edited


async def test_group_chats_and_non_text_messages_get_a_hint(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE)
    alice.send_text("/start", chat_type="group", chat_id=-100123)
    await bot.settle()
    assert api.last_message(-100123)["text"] == "Ik werk alleen in een privégesprek: stuur me daar /start."
    assert bot.member(ALICE) is None
    alice.send_sticker()
    await bot.settle()
    assert api.last_message(ALICE)["text"].startswith("Ik lees alleen tekst en knoppen.")
    await bot.say(alice, "/bestaatniet")
    assert api.last_message(ALICE)["text"].startswith("Die opdracht ken ik niet.")


async def test_the_running_job_queue_dispatches_on_its_own(
    api: FakeBotApi, clock: SteppedClock, engine: object, database_path: object
) -> None:
    from tests.harness import make_settings, running_bot

    settings = make_settings(f"sqlite:///{database_path}", dispatch_interval_seconds=0.05)
    async with running_bot(
        api=api,
        clock=clock,
        engine=engine,
        settings=settings,  # type: ignore[arg-type]
        real_ticks=True,
    ) as bot:
        await registered(bot)
        clock.set(at(8, 15))
        await api.wait_until(
            lambda: api.last_message(ALICE)["text"].startswith("🚶"), what="walk nudge", timeout=5
        )
    assert [n.slot for n in bot.nudges(ALICE) if n.status == NudgeStatus.SENT] == ["walk-breakfast"]
