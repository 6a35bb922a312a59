"""End to end through the Application against the fake Bot API: typed answers in the words members
really use, answers that fit the open nudge, command words without the slash, and reactions."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlmodel import select

from bot.main import run_until_stopped
from bot.texts import text
from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.database import new_session
from storage.models import NudgeStatus, Pause
from tests.harness import BotHarness, button_with_label, buttons, make_settings

ALICE = 1001
BOB = 1002


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """A UTC instant given as Amsterdam winter time (UTC+1) on November `day`, 2026."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


async def registered(bot: BotHarness, user_id: int = ALICE, language: str = "nl") -> None:
    await bot.onboard(bot.api.user(user_id, first_name="Alice", language_code=language))


async def nudge_at(bot: BotHarness, moment: datetime) -> dict[str, Any]:
    bot.clock.set(moment)
    await bot.tick()
    return bot.api.last_message(ALICE)


def sent_texts(api: FakeBotApi, since: int) -> list[str]:
    """The texts of the messages the bot sent since call number `since` (edits not included)."""
    return [call.params["text"] for call in api.calls[since:] if call.method == "sendMessage" and call.ok]


def labels(message: dict[str, Any]) -> list[str]:
    return [label for label, _ in buttons(message)]


def paused(bot: BotHarness) -> bool:
    with new_session(bot.engine) as session:
        return bool(session.exec(select(Pause)).all())


async def test_a_typed_check_in_is_confirmed_once_at_the_bottom_of_the_chat(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    water = await nudge_at(bot, at(9))
    start = len(api.calls)
    await bot.say(alice, "glas water gedronken")
    assert sent_texts(api, start) == ["💧 Genoteerd: 1/8 glazen vandaag."]
    answered = api.message(ALICE, water["message_id"])
    assert answered["text"] == f"{water['text']}\n\n💧 +1"  # marked, not the reply's line again
    assert not buttons(answered)
    assert sum("Genoteerd" in message for message in api.texts_to(ALICE)) == 1

    walk = await nudge_at(bot, at(12, 45))
    start = len(api.calls)
    await bot.say(alice, "net een ommetje gemaakt")
    assert sent_texts(api, start) == ["✅ Gedaan. Goed bezig!"]
    assert api.message(ALICE, walk["message_id"])["text"] == f"{walk['text']}\n\n✅ Gedaan"

    # With no water nudge open, "water" is still a glass; there is no nudge to mark.
    start = len(api.calls)
    await bot.say(alice, "water")
    assert sent_texts(api, start) == ["💧 Genoteerd: 2/8 glazen vandaag."]
    assert not [call for call in api.calls[start:] if call.method == "editMessageText"]
    assert [(c.habit, c.value, c.source) for c in bot.checkins(ALICE) if c.habit == "water"] == [
        ("water", 1, "text"),
        ("water", 1, "text"),
    ]


async def test_overslaan_on_a_water_nudge_stores_nothing_and_offers_the_plus_one(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    water = await nudge_at(bot, at(9))
    await bot.say(alice, "overslaan")
    reply = api.last_message(ALICE)
    assert reply["text"] == text("nl", "water_counts_glasses")
    assert "\n" not in reply["text"]
    assert labels(reply) == ["💧 +1 glas"]
    assert bot.checkins(ALICE) == []
    assert buttons(api.message(ALICE, water["message_id"]))  # the nudge is still open

    await bot.press_label(alice, "+1 glas")
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.value, checkin.source) == ("water", 1, "button")
    assert api.message(ALICE, reply["message_id"])["text"].endswith("💧 Genoteerd: 1/8 glazen vandaag.")
    nudge = api.message(ALICE, water["message_id"])
    assert not buttons(nudge)
    assert nudge["text"].endswith("💧 +1")


async def test_slecht_geslapen_asks_for_the_hours_with_the_hour_buttons(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    question = await nudge_at(bot, at(7, 15, day=24))
    await bot.say(alice, "ik heb slecht geslapen")
    reply = api.last_message(ALICE)
    assert reply["text"] == text("nl", "needs_hours_bad")
    assert labels(reply) == ["5 u", "6 u", "7 u", "8 u", "9+ u"]
    assert bot.checkins(ALICE) == []

    await bot.press_label(alice, "6 u")
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.value, checkin.source) == (
        "sleep",
        "sleep-morning",
        6,
        "button",
    )
    assert api.message(ALICE, reply["message_id"])["text"].endswith("😴 6 uur geslapen, genoteerd.")
    asked = api.message(ALICE, question["message_id"])
    assert not buttons(asked)
    assert asked["text"].endswith("😴 6 uur")
    (morning,) = [n for n in bot.nudges(ALICE) if n.slot == "sleep-morning" and n.local_date.day == 24]
    assert morning.status == NudgeStatus.ANSWERED


async def test_tired_later_in_the_day_asks_too_and_an_old_hour_button_changes_nothing(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot, language="en")
    alice = api.user(ALICE)
    clock.set(at(15))
    await bot.say(alice, "slept badly")
    reply = api.last_message(ALICE)
    assert reply["text"].startswith("😕 Sorry about the rough night.")
    await bot.say(alice, "moe")
    await bot.press(alice, reply, button_with_label(reply, "7 h"))
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.slot, checkin.value) == ("sleep-morning", 7)

    clock.set(at(9, day=24))
    second = api.last_message(ALICE)
    await bot.press(alice, second, button_with_label(second, "8 h"))
    assert [c.value for c in bot.checkins(ALICE)] == [7]
    assert api.message(ALICE, second["message_id"])["text"].endswith(text("en", "answer_expired"))


async def test_straks_snoozes_the_latest_open_nudge_within_the_snooze_buttons_limits(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    breathing = await nudge_at(bot, at(16))
    await bot.say(alice, "straks")
    assert api.last_message(ALICE)["text"] == "⏰ Ik kom over 15 minuten terug."
    snoozed = api.message(ALICE, breathing["message_id"])
    assert snoozed["text"] == f"{breathing['text']}\n\n⏰ Uitgesteld"
    assert not buttons(snoozed)

    again = await nudge_at(bot, at(16, 15))
    assert again["message_id"] != breathing["message_id"]
    await bot.say(alice, "over 20 minuten")
    assert api.last_message(ALICE)["text"] == "⏰ Ik kom over 20 minuten terug."
    sent = len(api.sent_messages(ALICE))
    await nudge_at(bot, at(16, 34))
    assert len(api.sent_messages(ALICE)) == sent
    third = await nudge_at(bot, at(16, 35))
    assert third["text"].startswith("🌬️")

    await bot.say(alice, "later")
    assert api.last_message(ALICE)["text"] == text("nl", "answer_snooze_limit")
    (nudge,) = [n for n in bot.nudges(ALICE) if n.slot == "breathing"]
    assert (nudge.snooze_count, nudge.status) == (2, NudgeStatus.SENT)
    await bot.say(alice, "klaar")
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.status) == ("breathing", "done")


async def test_straks_on_a_nudge_without_a_snooze_or_with_nothing_open_changes_nothing(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(7, 10))
    await bot.say(alice, "straks")
    assert api.last_message(ALICE)["text"] == text("nl", "nothing_open")
    water = await nudge_at(bot, at(9))
    await bot.say(alice, "in 20 min")
    assert api.last_message(ALICE)["text"] == text("nl", "not_snoozable")
    assert buttons(api.message(ALICE, water["message_id"]))
    assert [n.status for n in bot.nudges(ALICE) if n.slot == "water-0900"] == [NudgeStatus.SENT]
    assert bot.checkins(ALICE) == []


async def test_a_thumbs_up_on_an_open_nudge_counts_like_its_button_and_gets_no_reply(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    walk = await nudge_at(bot, at(8, 15))
    start = len(api.calls)
    await bot.react(alice, walk, "👍")
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.status, checkin.source) == (
        "walk",
        "walk-breakfast",
        "done",
        "reaction",
    )
    answered = api.message(ALICE, walk["message_id"])
    assert answered["text"] == f"{walk['text']}\n\n✅ Gedaan. Goed bezig!"  # as after the button
    assert not buttons(answered)

    await bot.react(alice, walk, None)  # taking it back
    await bot.react(alice, walk, "🔥")  # another on the answered nudge
    assert len(bot.checkins(ALICE)) == 1

    water = await nudge_at(bot, at(9))
    await bot.react(alice, water, "❤️")
    assert [(c.habit, c.value, c.source) for c in bot.checkins(ALICE)][-1] == ("water", 1, "reaction")
    assert api.message(ALICE, water["message_id"])["text"].endswith("💧 Genoteerd: 1/8 glazen vandaag.")
    assert sent_texts(api, start) == [water["text"]]  # the only message sent was the water nudge


async def test_reactions_elsewhere_change_nothing_and_get_no_answer(bot: BotHarness, api: FakeBotApi) -> None:
    await registered(bot)
    await registered(bot, BOB)
    alice, bob = api.user(ALICE), api.user(BOB)
    await nudge_at(bot, at(9))
    await nudge_at(bot, at(7, 15, day=24))
    (question_id,) = [n.message_id for n in bot.nudges(ALICE) if n.slot == "sleep-morning" and n.message_id]
    assert question_id is not None
    question = api.message(ALICE, question_id)
    walk = await nudge_at(bot, at(8, 15, day=24))
    welcome = api.sent_messages(ALICE)[0]
    own = alice.send_text("hoi")["message"]
    await bot.settle()
    yesterday = [n for n in bot.nudges(ALICE) if n.local_date.day == 23 and n.message_id]
    assert yesterday
    start = len(api.calls)

    await bot.react(alice, walk, "😢")  # not a "done" emoji
    await bot.react(alice, question, "👍")  # the morning question wants hours
    await bot.react(alice, welcome, "👍")  # not a nudge
    await bot.react(alice, own, "👍")  # the member's own message
    for old in yesterday:
        await bot.react(alice, old.message_id, "👍")
    # Someone else's reaction on Alice's nudge (as in a group): only the member's own counts.
    api.enqueue_update(
        "message_reaction",
        {
            "chat": alice.private_chat(),
            "message_id": walk["message_id"],
            "user": bob.as_dict(),
            "date": int(at(8, 16, day=24).timestamp()),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        },
    )
    await bot.settle()

    replies = [c for c in api.calls[start:] if c.method in ("sendMessage", "editMessageText")]
    assert replies == []
    assert bot.checkins(ALICE) == []
    assert bot.checkins(BOB) == []
    assert buttons(api.message(ALICE, walk["message_id"]))


async def test_clock_words_count_in_every_settings_screen_that_takes_a_time(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Maaltijden")
    await bot.say(alice, "half acht, kwart over twaalf en tien over half zeven 's avonds")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Opstaan & bedtijd")
    await bot.say(alice, "kwart voor zeven en half twaalf 's avonds")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Stille uren")
    await bot.say(alice, "van half elf 's avonds tot kwart over zeven")
    await bot.press_label(alice, "Terug naar het menu")
    await bot.press_label(alice, "Ademen")
    await bot.say(alice, "kwart voor vier 's middags")
    member = bot.member(ALICE)
    assert member is not None
    assert (member.breakfast_time, member.lunch_time, member.dinner_time) == (
        time(7, 30),
        time(12, 15),
        time(18, 40),
    )
    assert (member.wake_time, member.bedtime) == (time(6, 45), time(23, 30))
    assert (member.quiet_start, member.quiet_end) == (time(22, 30), time(7, 15))
    assert member.breathing_time == time(15, 45)

    # A greeting is no time, and the screen says how to type one (nothing changes).
    await bot.say(alice, "hallo")
    assert api.last_message(ALICE)["text"] == text("nl", "time_invalid")
    # A command word still goes through, as a check-in does.
    await bot.say(alice, "stop")
    assert api.last_message(ALICE)["text"] == text("nl", "pause_question")
    after = bot.member(ALICE)
    assert after is not None
    assert (after.breathing_time, after.wake_time) == (time(15, 45), time(6, 45))


async def test_command_words_without_the_slash_run_the_command_and_stop_only_pauses(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    for word in ("stop", "pauze"):
        await bot.say(alice, word)
        question = api.last_message(ALICE)
        assert question["text"] == text("nl", "pause_question")
        assert labels(question) == ["1 dag", "3 dagen", "1 week", "Tot ik verder ga"]
    assert bot.member(ALICE) is not None
    assert not paused(bot)
    await bot.say(alice, "instellingen")
    assert api.last_message(ALICE)["text"].startswith("⚙️ Instellingen")
    await bot.press_label(alice, "Sluiten")
    for word, start in (
        ("vandaag", "📋 Vandaag"),
        ("help", "Ik help je"),
        ("hervat", "Je was niet gepauzeerd"),
    ):
        await bot.say(alice, word)
        assert api.last_message(ALICE)["text"].startswith(start), word

    # /help names the forms members type most.
    help_text = text("nl", "help")
    for form in ("2 glazen", "slecht geslapen", "straks", "overslaan", "👍", "stop"):
        assert form in help_text

    stranger = api.user(3003, language_code="en")
    await bot.say(stranger, "help")
    assert api.last_message(3003)["text"] == text("en", "help")
    await bot.say(stranger, "stop")
    assert api.last_message(3003)["text"] == text("en", "not_registered")
    assert bot.member(3003) is None


async def test_greetings_thanks_and_not_understood_name_what_fits_the_open_nudge(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(7, 10))
    await bot.say(alice, "hallo")
    assert api.last_message(ALICE)["text"] == (
        "👋 Hoi! Je kunt gewoon typen, bijvoorbeeld 'wandeling gedaan', '2 glazen' of '7,5 uur'."
    )
    await bot.say(alice, "wat een weer")
    assert api.last_message(ALICE)["text"] == (
        "Dat begreep ik niet helemaal. Typ bijvoorbeeld 'wandeling gedaan', '2 glazen' of '7,5 uur'."
    )
    await nudge_at(bot, at(9))
    await bot.say(alice, "bedankt!")
    assert api.last_message(ALICE)["text"] == (
        "Graag gedaan! 😊 Je kunt gewoon typen, bijvoorbeeld '2 glazen', '+1' of 'water'."
    )
    await bot.say(alice, "pfff")
    assert api.last_message(ALICE)["text"] == (
        "Dat begreep ik niet helemaal. Typ bijvoorbeeld '2 glazen', '+1' of 'water', of tik op een knop."
    )
    await nudge_at(bot, at(7, 15, day=24))
    await bot.say(alice, "pfff")
    assert "'7,5 uur', '7' of 'overslaan'" in api.last_message(ALICE)["text"]
    assert bot.checkins(ALICE) == []


async def test_ok_answers_the_open_nudge_and_with_none_open_is_only_nodded_at(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(7, 10))
    await bot.say(alice, "ok")
    assert api.last_message(ALICE)["text"] == "👍"
    assert bot.checkins(ALICE) == []
    await nudge_at(bot, at(9))
    await bot.say(alice, "oké")
    assert api.last_message(ALICE)["text"] == "💧 Genoteerd: 1/8 glazen vandaag."


async def test_a_walk_before_the_first_meal_counts_for_no_meal(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot)
    alice = api.user(ALICE)
    clock.set(at(7, 40))  # up at 07:00, breakfast at 08:00
    await bot.say(alice, "wandeling gedaan")
    assert api.last_message(ALICE)["text"] == text("nl", "no_meal_yet")
    await bot.say(alice, "sla de wandeling over")
    assert api.last_message(ALICE)["text"] == text("nl", "no_meal_yet_skip")
    assert bot.checkins(ALICE) == []

    clock.set(at(8, 5))  # breakfast's time has come, its walk nudge (08:15) not yet
    await bot.say(alice, "blokje om")
    clock.set(at(14))
    await bot.say(alice, "gewandeld")
    assert [(c.slot, c.status) for c in bot.checkins(ALICE)] == [
        ("walk-breakfast", "done"),
        ("walk-lunch", "done"),
    ]


def test_polling_and_the_webhook_ask_telegram_for_reactions() -> None:
    """Telegram sends message_reaction updates only to a bot that names them (the fake does the
    same, so the reaction tests above also prove it for the offline runner)."""
    asked: dict[str, dict[str, Any]] = {}

    class Recorder:
        def run_polling(self, **options: Any) -> None:
            asked["polling"] = options

        def run_webhook(self, **options: Any) -> None:
            asked["webhook"] = options

    run_until_stopped(Recorder(), make_settings("sqlite://"))  # type: ignore[arg-type]
    webhook = make_settings("sqlite://", webhook_url="https://bot.example/hook", webhook_secret="s3cret")
    run_until_stopped(Recorder(), webhook)  # type: ignore[arg-type]
    assert "message_reaction" in asked["polling"]["allowed_updates"]
    assert "message_reaction" in asked["webhook"]["allowed_updates"]
