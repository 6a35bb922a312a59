"""Random text, commands, real and forged button presses fired at the running bot: a member in
onboarding, a member in the settings menu, and an admin. Every message and every tap is answered,
Telegram never refuses a reply, the error handler never runs, and nothing stored is garbage."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sender import HARMLESS_EDIT_ERRORS
from bot.texts import text
from fakegram import FakeBotApi, FakeUser
from tests.harness import ADMIN, BotHarness, buttons
from tests.hostile import (
    TELEGRAM_TEXT_LIMIT,
    assert_stored_data_is_sound,
    random_callback_data,
    random_text,
)
from tips.library import load_tip_library
from tips.schema import has_control_characters

MEMBER = 1001
ACTIONS_PER_RUN = 90
REPLY_METHODS = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}
MEMBER_COMMANDS = [
    "/start",
    "/settings",
    "/today",
    "/pause",
    "/resume",
    "/stats",
    "/help",
    "/privacy",
    "/export",
    "/delete",
    "/tip",
    "/tip water",
    "/bogus",
    "/settings x",
]
ADMIN_COMMANDS = [
    "/tip",
    "/tip water",
    "/tip algemeen",
    "/tip toon water-why",
    "/tip stats",
    "/tip herlaad",
    "/tip geschiedenis water-why",
    "/tip stuur water-why en",
    "/tip uit water-why",
    "/tip aan water-why",
    "/tip wijzig water-why nl {junk}",
    "/tip wijzig water-why en {junk}",
    "/tip nieuw water {junk} | {junk}",
    "/tip nieuw {junk}",
    "/tip {junk}",
    "/tip wijzig {junk}",
    "/tips {junk}",
]
TIP_WORDS = ["nieuw", "wijzig", "aan", "uit", "water-why", "nl", "en", "|", "water", "stuur"]


class Fuzzer:
    """Fires one random action at a time and checks that the bot answered it."""

    def __init__(
        self,
        bot: BotHarness,
        user: FakeUser,
        rng: random.Random,
        *,
        commands: list[str],
        words: list[str],
        avoid: tuple[str, ...] = (),
    ) -> None:
        self.bot, self.user, self.rng = bot, user, rng
        self.commands, self.words, self.avoid = commands, words, avoid

    async def run(self, actions: int) -> None:
        for _ in range(actions):
            roll = self.rng.random()
            if roll < 0.35:
                await self.press_a_real_button()
            elif roll < 0.6:
                await self.press(random_callback_data(self.rng, ["o:", "s:", "p:", "t:", "n:", "del:"]))
            elif roll < 0.72:
                await self.send(self.rng.choice(self.commands).replace("{junk}", random_text(self.rng)))
            elif roll < 0.92:
                await self.send(random_text(self.rng, self.words))
            elif roll < 0.96:
                await self.share_location()
            else:
                self.bot.clock.advance(minutes=self.rng.randrange(1, 180))
                await self.bot.tick()

    def _with_buttons(self) -> list[dict[str, Any]]:
        return [m for m in self.bot.api.sent_messages(self.user.id) if buttons(m)]

    async def press_a_real_button(self) -> None:
        messages = self._with_buttons()
        if not messages:
            await self.send(self.rng.choice(self.commands))
            return
        # Mostly the newest screen, sometimes an old one.
        message = messages[-1] if self.rng.random() < 0.8 else self.rng.choice(messages)
        choices = [data for _, data in buttons(message) if not data.endswith(self.avoid)]
        if choices:
            await self.press(self.rng.choice(choices), message)

    async def press(self, data: str, message: dict[str, Any] | None = None) -> None:
        if message is None:
            messages = self._with_buttons() or self.bot.api.sent_messages(self.user.id)
            if not messages:
                return
            message = self.rng.choice(messages)
        update = self.user.press(message, data, check_button=False)
        await self.bot.settle()
        query_id = update["callback_query"]["id"]
        assert query_id in self.bot.api.callback_answers, f"tap {data!r} was not answered"
        answer = self.bot.api.callback_answers[query_id].get("text") or ""
        assert len(answer) <= 200, data

    async def share_location(self) -> None:
        """Anywhere, including coordinates no place has (a forged client can send those)."""
        latitude = self.rng.choice([self.rng.uniform(-90, 90), self.rng.uniform(-1e6, 1e6), 90.0])
        longitude = self.rng.choice([self.rng.uniform(-180, 180), -180.0, 1e308])
        await self.answered(
            lambda: self.user.send_location(latitude, longitude), f"location {latitude}, {longitude}"
        )

    async def send(self, message: str) -> None:
        await self.answered(lambda: self.user.send_text(message), message[:80])

    async def answered(self, act: Callable[[], object], what: str) -> None:
        start = len(self.bot.api.calls)
        act()
        await self.bot.settle()
        replies = [
            call
            for call in self.bot.api.calls[start:]
            if call.method in REPLY_METHODS and call.params.get("chat_id") == self.user.id
        ]
        assert replies, f"no answer to {what!r}"


def assert_telegram_refused_nothing(api: FakeBotApi) -> None:
    for call in api.calls:
        if call.method == "getUpdates" or call.ok:
            continue
        description = str((call.response or {}).get("description", "")).lower()
        # Edits Telegram refuses without harm (the sender treats them as done).
        harmless = call.method == "editMessageText" and any(
            error in description for error in HARMLESS_EDIT_ERRORS
        )
        assert harmless, (call.method, call.params, description)


def assert_nothing_went_wrong(bot: BotHarness, caplog: pytest.LogCaptureFixture, *chats: int) -> None:
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert_telegram_refused_nothing(bot.api)
    for chat in chats:
        texts = [m.get("text") or m.get("caption") or "" for m in bot.api.sent_messages(chat)]
        assert text("nl", "error_apology") not in texts
        assert text("en", "error_apology") not in texts
        assert all(len(t) <= TELEGRAM_TEXT_LIMIT for t in texts)
    assert_stored_data_is_sound(bot.engine)


@pytest.mark.parametrize("seed", [1])
async def test_a_member_in_onboarding_survives_random_input(
    admin_bot: BotHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture, seed: int
) -> None:
    member = api.user(MEMBER, first_name="Mia")
    await admin_bot.say(member, "/start")
    fuzzer = Fuzzer(
        admin_bot,
        member,
        random.Random(seed),
        commands=MEMBER_COMMANDS,
        words=["7:30", "22:00", "tokyo", "klaar", "2 glazen"],
        avoid=(":finish",),
    )
    with caplog.at_level(logging.WARNING):
        await fuzzer.run(ACTIONS_PER_RUN)
    assert_nothing_went_wrong(admin_bot, caplog, MEMBER)


@pytest.mark.parametrize("seed", [2])
async def test_a_member_in_the_settings_menu_survives_random_input(
    admin_bot: BotHarness, api: FakeBotApi, caplog: pytest.LogCaptureFixture, seed: int
) -> None:
    member = api.user(MEMBER, first_name="Mia", language_code="en")
    await admin_bot.onboard(member)
    await admin_bot.say(member, "/settings")
    fuzzer = Fuzzer(
        admin_bot,
        member,
        random.Random(seed),
        commands=MEMBER_COMMANDS,
        words=["7:30", "22:00", "tokyo", "done", "2 glasses"],
        avoid=(":close",),
    )
    with caplog.at_level(logging.WARNING):
        await fuzzer.run(ACTIONS_PER_RUN)
    assert_nothing_went_wrong(admin_bot, caplog, MEMBER)


@pytest.mark.parametrize("seed", [3])
async def test_an_admin_survives_random_input_and_the_tip_file_stays_valid(
    admin_bot: BotHarness,
    api: FakeBotApi,
    tips_file: Path,
    caplog: pytest.LogCaptureFixture,
    seed: int,
) -> None:
    admin = api.user(ADMIN, first_name="Ada")
    await admin_bot.onboard(admin)
    await admin_bot.say(admin, "/tip")
    fuzzer = Fuzzer(admin_bot, admin, random.Random(seed), commands=ADMIN_COMMANDS, words=TIP_WORDS)
    with caplog.at_level(logging.WARNING):
        await fuzzer.run(ACTIONS_PER_RUN)
    assert_nothing_went_wrong(admin_bot, caplog, ADMIN)
    on_disk = load_tip_library(tips_file)
    assert on_disk == admin_bot.app.services.tips
    assert not any(has_control_characters(tip.nl + tip.en) for tip in on_disk.tips)
