"""Admin commands from anyone but an admin are refused without revealing them, end to end.

Every `/tip` form (each Dutch and English word the parser knows), the same messages forwarded from
an admin, and every button the admin screens make, sent by a member who is not an admin: each gets
exactly the answer an unknown command or an old button gets, and nothing changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from fakegram import FakeBotApi, FakeUser
from storage.database import new_session
from storage.models import CheckIn, Member, Nudge, Pause, TipChange
from tests.harness import ADMIN, BotHarness, buttons
from tips.commands import ACTION_WORDS, GROUP_WORDS, TipAction

MEMBER = 1001
NEWCOMER = 1002  # never pressed /start
ARGUMENTS = {
    TipAction.LIST: "water",
    TipAction.SHOW: "water-why",
    TipAction.ADD: "water Drink een glas. | Drink a glass.",
    TipAction.EDIT: "water-why nl Hoi",
    TipAction.ENABLE: "water-why",
    TipAction.DISABLE: "water-why",
    TipAction.SEND: "water-why en",
    TipAction.HISTORY: "water-why",
    TipAction.RELOAD: "",
    TipAction.STATS: "",
    TipAction.HELP: "",
    TipAction.DELETE: "water-why",
    TipAction.UNDO: "",
    TipAction.WEB: "",
}
BOT_USERNAME = "habits_test_bot"
EVERY_TIP_FORM = sorted(
    {
        "/tip",
        "/tips",
        "/TIP",
        f"/tip@{BOT_USERNAME}",
        f"/tip@{BOT_USERNAME} herlaad",
        "/tip water-why",
        "/tip nieuw water\nDrink een glas.\nDrink a glass.",
        "/tip onzin",
        *(f"/tip {word} {ARGUMENTS[action]}".strip() for word, action in ACTION_WORDS.items()),
        *(f"/tips {word} {ARGUMENTS[action]}".strip() for word, action in ACTION_WORDS.items()),
        *(f"/tip {word}" for word in GROUP_WORDS),
    }
)


def _stored(engine: Engine) -> tuple[Any, ...]:
    """Everything a /tip command or an admin button could change in the database."""
    with new_session(engine) as session:
        return tuple(
            sorted(repr(row.model_dump()) for row in session.exec(select(model)).all())
            for model in (Member, Nudge, CheckIn, Pause, TipChange)
        )


class Observer:
    """Takes a snapshot of everything that must not change, and of the bot's answers so far."""

    def __init__(self, bot: BotHarness, tips_file: Path) -> None:
        self.bot, self.tips_file = bot, tips_file
        self.before = self.snapshot()

    def snapshot(self) -> tuple[Any, ...]:
        bot = self.bot
        return (
            self.tips_file.read_bytes(),
            bot.app.services.tips,
            _stored(bot.engine),
            [m["text"] for m in bot.api.sent_messages(ADMIN)],
        )

    def assert_unchanged(self, what: str) -> None:
        assert self.snapshot() == self.before, what


async def _forward(bot: BotHarness, user: FakeUser, command: str, *, from_user_id: int) -> None:
    forwarded = user.forward_text(command, from_user_id=from_user_id)["message"]
    assert forwarded["entities"][0]["type"] == "bot_command"  # kept on forwards, as in Telegram
    await bot.settle()


def _calls_since(api: FakeBotApi, start: int) -> list[tuple[str, Any]]:
    return [
        (call.method, call.params.get("chat_id")) for call in api.calls[start:] if call.method != "getUpdates"
    ]


async def _replies_like_an_unknown_command(
    bot: BotHarness, user: FakeUser, send: Any, unknown: str, what: str
) -> None:
    start = len(bot.api.calls)
    await send()
    assert _calls_since(bot.api, start) == [("sendMessage", user.id)], what
    reply = bot.api.last_message(user.id)
    assert reply["text"] == unknown, what
    assert "reply_markup" not in reply, what


@pytest.mark.parametrize("user_id", [MEMBER, NEWCOMER])
async def test_every_tip_form_from_a_non_admin_is_an_unknown_command(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path, user_id: int
) -> None:
    user = api.user(user_id, first_name="Mia")
    if user_id == MEMBER:
        await admin_bot.onboard(user)
    await admin_bot.say(user, "/doesnotexist")
    unknown = api.last_message(user_id)["text"]
    assert "tip" not in unknown.lower()
    observer = Observer(admin_bot, tips_file)
    for command in EVERY_TIP_FORM:

        async def send(command: str = command) -> None:
            await admin_bot.say(user, command)

        await _replies_like_an_unknown_command(admin_bot, user, send, unknown, command)
    observer.assert_unchanged("a non-admin's /tip")


async def test_a_non_admin_forwarding_an_admins_tip_commands_gets_the_unknown_command_answer(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    api.user(ADMIN, first_name="Ada")
    member = api.user(MEMBER, first_name="Mia")
    await admin_bot.onboard(member)
    await admin_bot.say(member, "/doesnotexist")
    unknown = api.last_message(MEMBER)["text"]
    observer = Observer(admin_bot, tips_file)
    for command in EVERY_TIP_FORM:

        async def send(command: str = command) -> None:
            await _forward(admin_bot, member, command, from_user_id=ADMIN)

        await _replies_like_an_unknown_command(admin_bot, member, send, unknown, command)
    observer.assert_unchanged("a forwarded /tip")


async def _admin_button_data(bot: BotHarness, admin: FakeUser) -> set[str]:
    """The callback data of every button the admin screens show."""
    for command in (
        "/tip",
        "/tip water",
        "/tip general",
        "/tip toon water-why",
        "/tip stuur water-why",
        "/tip stuur walk-after-dinner nl",
    ):
        await bot.say(admin, command)
    return {data for message in bot.api.sent_messages(ADMIN) for _, data in buttons(message)}


async def test_admin_buttons_pressed_by_a_non_admin_get_the_old_button_answer(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    admin = api.user(ADMIN, first_name="Ada")
    every_admin_button = await _admin_button_data(admin_bot, admin)
    for expected in (
        "t:l:water",
        "t:s:water-why",
        "t:off:l:water-why",
        "t:off:s:water-why",
        "t:send:water-why",
        "t:h:water-why",
        "t:stats",
        "t:reload",
        "t:pv",
    ):
        assert expected in every_admin_button
    member = api.user(MEMBER, first_name="Mia")
    await admin_bot.onboard(member)
    own_message = api.last_message(MEMBER)
    old_button = member.press(own_message, "n:999999:done", check_button=False)
    await admin_bot.settle()
    old_answer = api.callback_answers[old_button["callback_query"]["id"]]
    observer = Observer(admin_bot, tips_file)
    # Plus what the parser reads but no screen shows right now.
    for data in sorted(every_admin_button | {"t:menu", "t:on:s:water-why", "t:on:l:water-why"}):
        start = len(api.calls)
        # A client can only press buttons on messages in its own chat; a forged one sends the
        # admin's data from there.
        update = member.press(own_message, data, check_button=False)
        await admin_bot.settle()
        assert api.callback_answers[update["callback_query"]["id"]] == old_answer, data
        assert _calls_since(api, start) == [("answerCallbackQuery", None)], data
    assert api.last_message(MEMBER) == own_message
    observer.assert_unchanged("an admin button pressed by a non-admin")


async def test_the_command_menu_and_help_never_mention_the_admin_commands(
    admin_bot: BotHarness, api: FakeBotApi
) -> None:
    member = api.user(MEMBER, first_name="Mia")
    await admin_bot.say(member, "/help")
    assert "/tip" not in api.last_message(MEMBER)["text"]
    for language in ("", "nl"):
        assert "tip" not in {command["command"] for command in api.commands(language_code=language)}
