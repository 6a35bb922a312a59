"""Tests for fakegram, the fake Bot API, driven through python-telegram-bot itself."""

from __future__ import annotations

import ast
import asyncio
import io
import json
import signal
import struct
import sys
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReactionTypeEmoji,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from fakegram import ApiError, FakeBotApi, FakeBotApiServer, FakeRequest, UploadedFile, serve_http
from fakegram.methods import NOT_MODIFIED

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def png(width: int, height: int) -> bytes:
    """A valid, tiny, all-black PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)))
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def gif(width: int, height: int, frames: int, frame_ms: int) -> bytes:
    """A small looping GIF whose frames get lighter, `frame_ms` each."""
    images = [Image.new("L", (width, height), 40 * index) for index in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return out.getvalue()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi(clock=lambda: NOW)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api)) as bot:
        yield bot


@pytest.fixture
async def server(api: FakeBotApi) -> AsyncIterator[FakeBotApiServer]:
    server = await serve_http(api)
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Welkom! Kies een gewoonte.", reply_markup=keyboard("water", "walk")
        )

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Genoteerd")
        await query.edit_message_text(f"Gekozen: {query.data}")

    application = (
        ApplicationBuilder()
        .token(api.token)
        .base_url("http://127.0.0.1:8081/bot")
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .rate_limiter(AIORateLimiter())
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=5))
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# ------------------------------------------------------------------------------------------
# In-process transport with a real telegram.Bot


async def test_get_me_and_send_message_are_real_telegram_objects(api: FakeBotApi, bot: Bot) -> None:
    assert bot.username == "habits_test_bot"
    assert bot.id == api.bot_id

    first = await bot.send_message(42, "Hallo")
    second = await bot.send_message(42, "Nog een keer")
    other = await bot.send_message(7, "Andere chat")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.date == NOW
    assert first.chat.type == "private"
    assert first.from_user is not None
    assert first.from_user.id == api.bot_id
    assert api.texts_to(42) == ["Hallo", "Nog een keer"]
    assert [m["text"] for m in api.sent_messages()] == ["Hallo", "Nog een keer", "Andere chat"]
    assert api.last_message(7)["text"] == "Andere chat"
    call = api.calls_named("sendmessage")[0]
    assert call.params == {"chat_id": 42, "text": "Hallo"}
    assert call.ok
    assert call.at == NOW
    with pytest.raises(LookupError):
        api.last_message(99)


async def test_application_polling_answers_start_and_button_presses(
    api: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    user = api.user(1001, first_name="Anna", username="anna")
    update = user.send_text("/start")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    (welcome,) = await api.wait_for_messages(1001)
    assert welcome["text"] == "Welkom! Kies een gewoonte."
    assert welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "water"
    assert welcome["message_id"] == update["message"]["message_id"] + 1

    press = user.press(welcome, "walk")
    await api.wait_for_call("editMessageText")
    assert api.callback_answers[press["callback_query"]["id"]] == {"text": "Genoteerd"}
    (edited,) = api.sent_messages(1001)
    assert edited["text"] == "Gekozen: walk"
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    assert edited["edit_date"] == int(NOW.timestamp())
    with pytest.raises(ValueError, match="no button"):
        user.press(edited, "walk")


async def test_inline_keyboard_then_edits(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(5, "Water?", reply_markup=keyboard("yes", "no"))
    assert message.reply_markup == keyboard("yes", "no")
    assert api.calls[-1].params["reply_markup"] == keyboard("yes", "no").to_dict()

    edited = await bot.edit_message_text(
        "Water gedronken", chat_id=5, message_id=message.message_id, reply_markup=keyboard("undo")
    )
    assert isinstance(edited, type(message))
    assert edited.text == "Water gedronken"

    (current,) = api.sent_messages(5)
    assert current["text"] == "Water gedronken"
    assert current["reply_markup"] == keyboard("undo").to_dict()
    assert api.message(5, message.message_id) == current

    # The bot answers a tap by editing the text without a keyboard: the buttons go.
    await bot.edit_message_text("Genoteerd", chat_id=5, message_id=message.message_id)
    assert "reply_markup" not in api.last_message(5)
    with pytest.raises(BadRequest, match="Inline keyboard expected"):
        await bot.edit_message_text(
            "Nu met toetsen",
            chat_id=5,
            message_id=message.message_id,
            reply_markup=ReplyKeyboardMarkup([["Ja"]]),
        )


async def test_reply_keyboards_live_with_the_chat(api: FakeBotApi, bot: Bot) -> None:
    markup = ReplyKeyboardMarkup([["Ja", "Nee"]], resize_keyboard=True)
    message = await bot.send_message(5, "Klaar?", reply_markup=markup)
    assert message.reply_markup is None  # Telegram only echoes inline keyboards
    assert api.reply_keyboard(5) == markup.to_dict()


async def test_edit_errors_are_bad_requests(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(5, "Zelfde", reply_markup=keyboard("a"))

    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text(
            "Zelfde", chat_id=5, message_id=message.message_id, reply_markup=keyboard("a")
        )
    assert api.calls[-1].response == {
        "ok": False,
        "error_code": 400,
        "description": NOT_MODIFIED,
    }

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Nieuw", chat_id=5, message_id=999)

    user_message = api.user(5).send_text("hoi")["message"]
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("Nieuw", chat_id=5, message_id=user_message["message_id"])
    document = await bot.send_document(5, b"a,b\r\n", filename="export.csv")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("Nieuw", chat_id=5, message_id=document.message_id)
    assert api.texts_to(5) == ["Zelfde", ""]


async def test_text_validation(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(5, "")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(5, " \n ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(5, "💧" * 2049)  # 4098 UTF-16 code units
    await bot.send_message(5, "💧" * 2048)
    trimmed = await bot.send_message(5, "  Drink water\n")
    assert trimmed.text == "Drink water"

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(5, "x", reply_markup=keyboard("d" * 65))


async def test_unsupported_message_features_are_refused_not_ignored(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Parse_mode is not supported by this fake"):
        await bot.send_message(5, "<b>Drink</b>", parse_mode=ParseMode.HTML)
    entity = MessageEntity(MessageEntity.BOLD, 0, 5)
    with pytest.raises(BadRequest, match="Entities is not supported by this fake"):
        await bot.send_message(5, "Drink", entities=[entity])
    with pytest.raises(BadRequest, match="Caption_entities is not supported by this fake"):
        await bot.send_photo(5, png(2, 2), caption="Drink", caption_entities=[entity])

    message = await bot.send_message(5, "Drink")
    with pytest.raises(BadRequest, match="Parse_mode is not supported by this fake"):
        await bot.edit_message_text(
            "*Drink*", chat_id=5, message_id=message.message_id, parse_mode=ParseMode.MARKDOWN_V2
        )
    with pytest.raises(BadRequest, match="Reply_parameters is not supported by this fake"):
        await bot.send_message(5, "Ja", reply_parameters=ReplyParameters(message.message_id))
    assert api.texts_to(5) == ["Drink"]
    refused = [call for call in api.calls if not call.ok]
    assert [call.status for call in refused] == [400] * 5
    assert refused[0].response == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: parse_mode is not supported by this fake",
    }


async def test_retry_after_fault_is_consumed_in_order(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.fail_next(
        "sendMessage",
        status=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    api.fail_next("sendMessage", status=502, description="Bad Gateway")

    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(5, "een")
    assert retry.value.retry_after == timedelta(seconds=7)
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.send_message(5, "twee")
    await bot.send_message(5, "drie")
    assert [call.status for call in api.calls_named("sendMessage")] == [429, 502, 200]
    assert api.texts_to(5) == ["drie"]


async def test_blocked_user_answers_forbidden(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(77)
    update = user.block_bot()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert Update.de_json(update, bot).my_chat_member is not None

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(77, "Hallo?")
    await bot.send_message(78, "Jij wel")

    user.unblock_bot()
    await bot.send_message(77, "Welkom terug")
    assert api.texts_to(77) == ["Welkom terug"]


async def test_uploads_are_recorded_with_their_bytes(api: FakeBotApi, bot: Bot) -> None:
    csv = b"date,habit\r\n2026-03-02,water\r\n--boundary-lookalike\r\n"
    message = await bot.send_document(
        9, csv, filename="export.csv", caption="Je export", reply_markup=keyboard("ok")
    )
    assert message.document is not None
    assert message.document.file_name == "export.csv"
    assert message.document.file_size == len(csv)
    assert message.caption == "Je export"
    upload = api.calls_named("sendDocument")[0].params["document"]
    assert upload == UploadedFile("export.csv", "text/csv", csv)

    image = png(640, 480)
    photo = await bot.send_photo(9, image, caption="Grafiek")
    assert photo.photo[-1].width == 640
    assert photo.photo[-1].height == 480
    assert api.calls_named("sendPhoto")[0].params["photo"].data == image
    again = await bot.send_photo(9, photo.photo[-1].file_id)
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id

    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(9, b"not an image", filename="chart.png")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(9, "no-such-file-id")


async def test_animations_are_stored_once_and_sent_again_by_file_id(api: FakeBotApi, bot: Bot) -> None:
    data = gif(64, 48, frames=4, frame_ms=500)
    sent = await bot.send_animation(
        9, data, filename="breathing.gif", caption="Adem mee", reply_markup=keyboard("stop")
    )
    assert sent.animation is not None
    assert (sent.animation.width, sent.animation.height) == (64, 48)
    assert api.message(9, sent.message_id)["animation"]["duration"] == 2  # seconds per loop
    assert sent.animation.file_size == len(data)
    assert sent.caption == "Adem mee"
    # Like Telegram, older clients find the file as a document too.
    assert sent.document is not None
    assert sent.document.file_id == sent.animation.file_id
    assert api.calls_named("sendAnimation")[0].params["animation"].data == data
    assert api.files[sent.animation.file_id].data == data

    again = await bot.send_animation(9, sent.animation.file_id, caption="Nog eens")
    assert again.animation is not None
    assert again.animation.file_unique_id == sent.animation.file_unique_id
    assert len(api.files) == 1  # the second send uploaded nothing

    edited = await bot.edit_message_caption(chat_id=9, message_id=sent.message_id, caption="Klaar")
    assert isinstance(edited, type(sent))
    assert edited.caption == "Klaar"
    assert "reply_markup" not in api.message(9, sent.message_id)  # no markup given: buttons gone
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(chat_id=9, message_id=sent.message_id, caption="Klaar")
    text_message = await bot.send_message(9, "Tekst")
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=9, message_id=text_message.message_id, caption="X")

    with pytest.raises(BadRequest, match="Wrong type of the animation"):
        await bot.send_animation(9, png(4, 4), filename="still.png")
    photo = await bot.send_photo(9, png(4, 4))
    with pytest.raises(BadRequest, match="Can't use file of type photo as animation"):
        await bot.send_animation(9, photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_animation(9, "no-such-file-id")


async def test_wrong_token_is_rejected_in_process(api: FakeBotApi) -> None:
    for token in ("123456:WRONG-TOKEN", "not-a-token"):
        bot = Bot(token, request=FakeRequest(api), get_updates_request=FakeRequest(api))
        with pytest.raises(InvalidToken):
            await bot.initialize()


async def test_unknown_methods_and_case_insensitive_names(api: FakeBotApi, bot: Bot) -> None:
    me = (await bot.get_me()).to_dict()
    assert await api.handle("GETME", {}) == (200, {"ok": True, "result": me})
    status, body = await api.handle("sendCarrierPigeon", {})
    assert (status, body["description"]) == (404, "Not Found: method not found")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendCarrierPigeon")
    # Methods the bot never calls are not implemented, so calling one is noticed (PTB reads
    # Telegram's 404 outside do_api_request as a bad token).
    with pytest.raises(InvalidToken, match="method not found"):
        await bot.send_chat_action(5, "typing")


async def test_set_handler_adds_a_method(api: FakeBotApi, bot: Bot) -> None:
    actions: list[str] = []

    async def send_chat_action(params: dict[str, object]) -> bool:
        actions.append(str(params["action"]))
        return True

    api.set_handler("sendChatAction", send_chat_action)
    assert await bot.send_chat_action(5, "typing")
    assert actions == ["typing"]
    assert api.calls_named("sendchataction")[0].method == "sendChatAction"

    async def refuse(params: dict[str, object]) -> bool:
        raise ApiError(400, "Bad Request: chat not found")

    api.set_handler("sendMessage", refuse)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(5, "hoi")


async def test_long_poll_waits_for_an_update(api: FakeBotApi, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=timedelta(seconds=0.2)) == ()
    assert loop.time() - started >= 0.2

    poll = asyncio.create_task(bot.get_updates(timeout=timedelta(seconds=10)))
    await asyncio.sleep(0.05)
    assert not poll.done()
    api.user(3).send_text("hoi")
    (update,) = await asyncio.wait_for(poll, 2)
    assert update.message is not None
    assert update.message.text == "hoi"
    assert api.pending_updates() == 1
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    assert api.pending_updates() == 0


async def test_second_poller_conflicts_with_the_first(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=timedelta(seconds=10)))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=timedelta(seconds=0.1)))
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    assert await second == ()


async def test_webhook_blocks_polling(api: FakeBotApi, bot: Bot) -> None:
    api.user(3).send_text("hoi")
    with pytest.raises(BadRequest, match="an https url must be provided"):
        await bot.set_webhook("http://example.invalid/hook")
    await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    assert api.calls_named("setWebhook")[-1].params["secret_token"] == "s3cret"
    assert api.pending_updates() == 1
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert api.pending_updates() == 0
    assert await bot.get_updates() == ()


async def test_delay_next_simulates_a_timeout(api: FakeBotApi) -> None:
    async with Bot(api.token, request=FakeRequest(api, read_timeout=0.1)) as bot:
        api.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(5, "traag")
        await bot.send_message(5, "snel")
    assert api.texts_to(5) == ["snel"]


async def test_commands_are_kept_per_language(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("stop", "Stop")], language_code="nl")
    assert [c["command"] for c in api.commands(language_code="nl")] == ["start", "stop"]
    assert api.commands() == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start", "Hoofdletter")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([("start", "")])
    await bot.set_my_commands([("start", "Start")])
    assert api.commands() == [{"command": "start", "description": "Start"}]
    assert [c["command"] for c in api.commands(language_code="nl")] == ["start", "stop"]


async def test_simulated_updates_parse_as_ptb_updates(api: FakeBotApi, bot: Bot) -> None:
    user = api.user(11, first_name="Bram", language_code="en", username="bram")
    updates = [
        user.send_text("/checkin@habits_test_bot extra"),
        user.send_location(52.37, 4.89),
        user.send_sticker(),
        user.send_photo(caption="mijn lunch"),
        user.send_voice(),
        user.forward_text("doorgestuurd", from_user_id=12),
        user.send_text("/start", chat_type="supergroup", chat_id=-1001234, chat_title="Team"),
    ]
    ids = [u["update_id"] for u in updates]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert api.pending_updates() == len(updates)

    parsed = await bot.get_updates()
    assert [u.update_id for u in parsed] == ids
    command, location, sticker, photo, voice, forward, group = (u.message for u in parsed)
    assert command is not None
    assert command.parse_entities() == {command.entities[0]: "/checkin@habits_test_bot"}
    assert location is not None
    assert location.location is not None
    assert location.location.latitude == 52.37
    assert sticker is not None
    assert sticker.sticker is not None
    assert photo is not None
    assert photo.caption == "mijn lunch"
    assert photo.photo
    assert voice is not None
    assert voice.voice is not None
    assert forward is not None
    assert forward.forward_origin is not None
    assert group is not None
    assert group.chat.type == "supergroup"
    assert group.chat.title == "Team"
    assert command.from_user is not None
    assert command.from_user.language_code == "en"

    # The bot can reuse a file_id a user sent.
    resent = await bot.send_photo(11, photo.photo[-1].file_id)
    assert resent.photo[-1].file_unique_id == photo.photo[-1].file_unique_id


async def test_reactions_carry_the_old_and_the_new_emoji_and_come_only_when_asked_for(
    api: FakeBotApi, bot: Bot
) -> None:
    user = api.user(21, first_name="Noor")
    sent = await bot.send_message(21, "💧 Tijd voor een glas water")
    first = user.react(sent.message_id, "👍")
    # Without allowed_updates, Telegram leaves reactions out, and the fake drops them too.
    assert await bot.get_updates() == ()
    assert api.pending_updates() == 0

    changed = user.react(sent.message_id, "❤")
    taken_back = user.react(sent.message_id, None)
    parsed = await bot.get_updates(allowed_updates=["message", "message_reaction"])
    assert [u.update_id for u in parsed] == [changed["update_id"], taken_back["update_id"]]
    assert first["message_reaction"]["new_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    reaction = parsed[0].message_reaction
    assert reaction is not None
    assert (reaction.chat.id, reaction.message_id) == (21, sent.message_id)
    assert reaction.user is not None
    assert reaction.user.id == 21
    assert reaction.date == NOW
    assert [r.emoji for r in reaction.old_reaction if isinstance(r, ReactionTypeEmoji)] == ["👍"]
    assert [r.emoji for r in reaction.new_reaction if isinstance(r, ReactionTypeEmoji)] == ["❤"]
    removed = parsed[1].message_reaction
    assert removed is not None
    assert removed.new_reaction == ()
    assert [r.emoji for r in removed.old_reaction if isinstance(r, ReactionTypeEmoji)] == ["❤"]
    assert parsed[0].effective_user is not None
    assert parsed[0].effective_user.id == 21

    with pytest.raises(ValueError, match="no message 999"):
        user.react(999, "👍")
    with pytest.raises(ValueError, match="an emoji"):
        user.react(sent.message_id, "")


async def test_flood_limit_refuses_bursts(api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.enforce_flood_limit(5)
    results = await asyncio.gather(
        *(bot.send_message(100 + i, "ping") for i in range(7)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 2
    assert api.peak_send_rate() == 5


@pytest.mark.slow
async def test_aio_rate_limiter_stays_within_the_flood_limit(api: FakeBotApi) -> None:
    api.enforce_flood_limit(10, algorithm="token_bucket")
    application = (
        ApplicationBuilder()
        .token(api.token)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .rate_limiter(AIORateLimiter(overall_max_rate=10, overall_time_period=1))
        .build()
    )
    async with application:
        await asyncio.gather(*(application.bot.send_message(200 + i, "hi") for i in range(18)))
    assert all(call.ok for call in api.calls_named("sendMessage"))
    assert len(api.calls_named("sendMessage")) == 18


# ------------------------------------------------------------------------------------------
# HTTP transport


async def test_http_server_with_ptb_default_httpx_request(api: FakeBotApi, server: FakeBotApiServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/bot"
    async with Bot(api.token, base_url=server.base_url) as bot:
        assert bot.username == "habits_test_bot"
        message = await bot.send_message(21, "Hallo via HTTP ✓", reply_markup=keyboard("ok"))
        assert message.text == "Hallo via HTTP ✓"
        assert message.reply_markup == keyboard("ok")

        payload = bytes(range(256)) * 4 + b"\r\n--\r\n"
        document = await bot.send_document(21, payload, filename="dump.bin")
        assert document.document is not None
        assert document.document.file_size == len(payload)
        assert api.calls_named("sendDocument")[0].params["document"].data == payload

        image = png(3, 2)
        await bot.send_photo(21, image)
        assert api.calls_named("sendPhoto")[0].params["photo"] == UploadedFile(
            "application.octet-stream", "application/octet-stream", image
        )

        api.user(21).send_text("hoi")
        (update,) = await bot.get_updates(timeout=timedelta(seconds=1))
        assert update.message is not None
        assert update.message.text == "hoi"

        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", chat_id=21, message_id=999)

    for token in ("123456:WRONG-TOKEN", "garbage"):
        wrong = Bot(token, base_url=server.base_url)
        try:
            with pytest.raises(InvalidToken):
                await wrong.initialize()
        finally:
            await wrong.shutdown()


async def test_http_body_encodings_and_keep_alive(api: FakeBotApi, server: FakeBotApiServer) -> None:
    root = f"http://127.0.0.1:{server.port}"
    url = f"{server.base_url}{api.token}"
    async with httpx.AsyncClient() as client:
        by_json = await client.post(
            f"{url}/sendMessage",
            json={"chat_id": 4, "text": "json", "reply_markup": keyboard("a").to_dict()},
        )
        by_form = await client.post(f"{url}/sendMessage", data={"chat_id": "4", "text": "form"})
        by_get = await client.get(f"{url}/sendMessage", params={"chat_id": "4", "text": "get"})
        unknown = await client.post(f"{url}/fly")
        not_api = await client.get(f"{root}/favicon.ico")
    assert [r.status_code for r in (by_json, by_form, by_get)] == [200, 200, 200]
    assert by_json.json()["result"]["reply_markup"] == keyboard("a").to_dict()
    assert api.texts_to(4) == ["json", "form", "get"]
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found: method not found"
    assert not_api.status_code == 404


async def test_http_server_close_ends_pending_long_polls(api: FakeBotApi) -> None:
    server = await serve_http(api)
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.post(f"{server.base_url}{api.token}/getUpdates", data={"timeout": "30"})
        )
        await asyncio.sleep(0.1)
        await asyncio.wait_for(server.close(), 2)
        with pytest.raises(httpx.HTTPError):
            await poll


async def test_cli_prints_base_url_and_stops_on_ctrl_c() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fakegram",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        base_url = line.rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/bot")
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"{base_url}123456:TEST-TOKEN/getMe")
        assert json.loads(answer.content)["result"]["username"] == "habits_test_bot"
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_http_raw_keep_alive_and_chunked_bodies(api: FakeBotApi, server: FakeBotApiServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        form = b"chat_id=8&text=eerste"
        chunked = b"chat_id=8&text=tweede"
        writer.write(
            f"POST /bot{api.token}/sendMessage HTTP/1.1\r\nHost: x\r\n".encode()
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(form)}\r\n\r\n".encode()
            + form
            + f"POST /bot{api.token}/sendMessage HTTP/1.1\r\nHost: x\r\n".encode()
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + f"{len(chunked[:9]):x}\r\n".encode()
            + chunked[:9]
            + f"\r\n{len(chunked[9:]):x}\r\n".encode()
            + chunked[9:]
            + b"\r\n0\r\n\r\n"
        )
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 5)  # until the server closes
    finally:
        writer.close()
        await writer.wait_closed()
    assert raw.count(b"HTTP/1.1 200 OK") == 2
    assert b"Connection: close" in raw
    assert api.texts_to(8) == ["eerste", "tweede"]


def test_fakegram_depends_on_nothing_else_in_the_project_and_has_no_import_cycles() -> None:
    project = {"bot", "bench", "habits", "scheduler", "storage", "tests", "tips"}
    imports: dict[str, set[str]] = {}
    for path in (ROOT / "fakegram").glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        assert not {name.split(".")[0] for name in names} & project, path.name
        imports[path.stem] = {
            name.removeprefix("fakegram.") for name in names if name.startswith("fakegram.")
        }

    def visit(module: str, path: tuple[str, ...]) -> None:
        for imported in imports.get(module, set()):
            assert imported not in path, " -> ".join((*path, imported))
            visit(imported, (*path, imported))

    for module in imports:
        visit(module, (module,))
