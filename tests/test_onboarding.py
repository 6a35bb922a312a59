"""End to end: onboarding with defaults, with a shared location and typed times, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.models import NudgeStatus
from tests.harness import BotHarness, buttons, latest_with_buttons

ALICE = 1001
TOKYO = (35.6812, 139.7671)


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [message["text"] for message in api.sent_messages(chat_id)]


async def test_onboarding_with_defaults_takes_six_taps_and_then_nudges(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE, first_name="Alice")
    await bot.onboard(alice)

    assert len(api.calls_named("answerCallbackQuery")) == 6
    member = bot.member(ALICE)
    assert member is not None
    assert member.onboarding_step is None
    assert (member.timezone, member.wake_time, member.bedtime) == (
        "Europe/Amsterdam",
        time(7, 0),
        time(23, 0),
    )
    # Onboarding edits one message in place; Start leaves a summary and says when nudges begin.
    assert texts(api, ALICE)[-1].startswith("Alles staat klaar. Je eerste herinnering komt vandaag om 07:15.")
    assert member.next_due_at == datetime(2026, 11, 23, 6, 15, tzinfo=UTC)

    clock.set(datetime(2026, 11, 23, 7, 15, tzinfo=UTC))
    await bot.tick()
    assert api.last_message(ALICE)["text"].startswith("🚶 Even wandelen na het ontbijt?")


async def test_keep_all_defaults_is_two_taps(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    await bot.press_label(alice, "Alles standaard")
    await bot.press_label(alice, "Start")
    assert bot.member(ALICE).onboarding_step is None  # type: ignore[union-attr]


async def test_defaults_nudge_during_an_unfinished_flow_and_progress_survives_a_restart_of_it(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE, language_code="en")
    await bot.say(alice, "/start")
    await bot.press_label(alice, "Nederlands")  # language chosen: on to the time zone
    clock.set(datetime(2026, 11, 23, 7, 15, tzinfo=UTC))
    await bot.tick()
    # Someone who leaves the flow half-way still gets their habits, with the defaults.
    sent = [n.slot for n in bot.nudges(ALICE) if n.status == "sent"]
    assert sent == ["walk-breakfast"]
    assert api.last_message(ALICE)["text"].startswith("🚶 Even wandelen na het ontbijt?")

    # /start again (e.g. after the chat scrolled away or the bot restarted): same step, same choices.
    await bot.say(alice, "/start")
    resumed = api.last_message(ALICE)["text"]
    assert resumed.startswith("Hoi Test! We gaan verder waar je was gebleven.")
    assert "🕒 Je tijdzone is nu Europe/Amsterdam" in resumed
    assert bot.member(ALICE).language == "nl"  # type: ignore[union-attr]


async def test_shared_location_in_tokyo_and_typed_bedtime_put_nudges_at_the_right_instants(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    await bot.press_label(alice, "Verder")  # keep Nederlands
    await bot.press_label(alice, "Locatie delen")
    assert api.reply_keyboard(ALICE)["keyboard"][0][0]["request_location"] is True  # type: ignore[index]
    alice.send_location(*TOKYO)
    await bot.settle()
    assert bot.member(ALICE).timezone == "Asia/Tokyo"  # type: ignore[union-attr]
    assert api.reply_keyboard(ALICE) is None  # the location keyboard is gone again
    assert "🕒 Tijdzone: Asia/Tokyo (daar is het nu 15:05)." in texts(api, ALICE)

    await bot.press_label(alice, "Verder")  # habits: all four
    await bot.say(alice, "0:30")
    assert api.last_message(ALICE)["text"] == "Waar hoort 00:30 bij?"
    await bot.press_label(alice, "Bedtijd 00:30")
    assert bot.member(ALICE).bedtime == time(0, 30)  # type: ignore[union-attr]
    await bot.press_label(alice, "Verder")  # sleep
    await bot.press_label(alice, "Verder")  # meals
    await bot.press_label(alice, "Start")

    # Monday 15:05 in Tokyo (UTC+9). Bedtime 00:30: water until 23:30, wind-down at 23:45.
    expected = {
        "breathing": datetime(2026, 11, 23, 7, 0, tzinfo=UTC),  # 16:00
        "water-1700": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        "walk-dinner": datetime(2026, 11, 23, 9, 45, tzinfo=UTC),  # 18:45
        "water-1900": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        "water-2100": datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        "water-2300": datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        "sleep-winddown": datetime(2026, 11, 23, 14, 45, tzinfo=UTC),  # 23:45
        "water-0700": datetime(2026, 11, 23, 22, 0, tzinfo=UTC),  # Tuesday 07:00
        "sleep-morning": datetime(2026, 11, 23, 22, 15, tzinfo=UTC),  # Tuesday 07:15
    }
    # The breathing exercise's window opens 10 minutes before it is due.
    assert bot.member(ALICE).next_due_at == expected["breathing"] - timedelta(minutes=10)  # type: ignore[union-attr]
    await bot.run_until(datetime(2026, 11, 23, 22, 20, tzinfo=UTC))
    nudges = bot.nudges(ALICE)
    assert {n.slot: n.due_at for n in nudges} == expected
    # The fourth glass in a row left unanswered waits (the water back-off); the rest went on time.
    assert {n.slot for n in nudges if n.status != NudgeStatus.SENT} == {"water-2300"}
    assert all(n.sent_at == n.due_at for n in nudges if n.status == NudgeStatus.SENT)


async def test_invalid_zone_and_times_get_a_retry_and_change_nothing(
    bot: BotHarness, api: FakeBotApi
) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    await bot.press_label(alice, "Verder")
    before = bot.member(ALICE)

    await bot.say(alice, "Atlantis")
    assert texts(api, ALICE)[-1].startswith("Die tijdzone of stad ken ik niet.")
    await bot.say(alice, "Tokyo")  # a city works
    assert bot.member(ALICE).timezone == "Asia/Tokyo"  # type: ignore[union-attr]
    await bot.press_label(alice, "Verder")  # habits

    for bad in ("25:00", "abc", "7:61", "12:00 13:00 14:00 15:00"):
        await bot.say(alice, bad)
        assert texts(api, ALICE)[-1].startswith("Dat is geen tijd die ik ken."), bad
    await bot.say(alice, "7:00 7:00")
    assert texts(api, ALICE)[-1].startswith("Opstaan en bedtijd kunnen niet hetzelfde zijn.")
    after = bot.member(ALICE)
    assert after is not None
    assert before is not None
    assert (after.wake_time, after.bedtime) == (before.wake_time, before.bedtime)
    assert after.onboarding_step == "sleep"

    await bot.say(alice, "6u45 23.30")  # both at once: wake-up, then bedtime
    member = bot.member(ALICE)
    assert (member.wake_time, member.bedtime) == (time(6, 45), time(23, 30))  # type: ignore[union-attr]
    # The step is shown again below, with its buttons, so "Verder" is one tap away.
    assert "⏰ Opstaan: 06:45 · 🌙 Bedtijd: 23:30" in latest_with_buttons(api, ALICE)["text"]


async def test_existing_member_start_wipes_nothing(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE, first_name="Alice")
    await bot.onboard(alice)
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Water")
    await bot.press_label(alice, "🎯 10")
    await bot.say(alice, "/start")
    assert texts(api, ALICE)[-1].startswith("Welkom terug, Alice!")
    assert "/settings" in texts(api, ALICE)[-1]
    member = bot.member(ALICE)
    assert member is not None
    assert (member.water_goal, member.onboarding_step) == (10, None)
    assert not buttons(api.last_message(ALICE))


async def test_commands_menu_in_dutch_and_english(bot: BotHarness, api: FakeBotApi) -> None:
    wanted = [
        "start",
        "today",
        "{breathe}",
        "settings",
        "pause",
        "resume",
        "stats",
        "week",
        "privacy",
        "export",
        "delete",
        "help",
    ]
    # Both words start a breathing session in both languages; the menu shows the member's own.
    dutch = [command.format(breathe="adem") for command in wanted]
    english = [command.format(breathe="breathe") for command in wanted]
    assert [c["command"] for c in api.commands(language_code="nl")] == dutch
    assert [c["command"] for c in api.commands()] == english


async def test_help_groups_and_non_text(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/help")
    help_text = texts(api, ALICE)[-1]
    for command in ("/today", "/settings", "/pause", "/resume", "/adem"):
        assert command in help_text
    assert "geen medisch advies" in help_text
    alice.send_text("/start", chat_type="group", chat_id=-100123)
    await bot.settle()
    assert api.last_message(-100123)["text"].startswith("Ik werk alleen in een privégesprek")
    alice.send_sticker()
    await bot.settle()
    assert texts(api, ALICE)[-1].startswith("Ik lees alleen tekst en knoppen.")
