"""The bot token never appears in a log line: a full session over real HTTP (httpx), logged at DEBUG
through the project's own handler: onboarding, settings, an admin's /tip, /export, /week, a nudge,
a failing request and a crashing handler."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.budgets import BudgetUnavailable, Draw, budget_for
from bot.logging_setup import REDACTED, SecretRedactingFilter, configure_logging
from bot.main import redis_url_passwords
from bot.texts import text
from fakegram import FakeBotApi
from habits import checkins
from scheduler.clock import SteppedClock
from tests.harness import (
    ROOT,
    TOKEN,
    BotHarness,
    button_data,
    buttons,
    latest_with_buttons,
    make_settings,
    running_bot,
    sqlite_engine,
)

ALICE = 1001
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)
TOKEN_SECRET_PART = TOKEN.split(":", 1)[1]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything, at DEBUG, through the handler `configure_logging` installs (filter included)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    noisy = ("httpx", "httpcore", "apscheduler", "telegram", "hpack")
    saved_levels = {name: logging.getLogger(name).level for name in noisy}
    handler = configure_logging("DEBUG", [TOKEN])
    stream = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    for name in noisy:  # configure_logging quietens some; here we want every line they have
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    root.handlers, root.level = saved
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


async def _session(bot: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Onboarding, settings, the admin's /tip, /export, /week, a nudge answered, a request that
    fails with 500 and a handler that crashes with the token in its message."""
    api = bot.api
    alice = api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/start")
    await bot.press_label(alice, "Verder")  # language
    await bot.say(alice, "Amsterdam")  # a typed time zone
    await bot.press_label(alice, "Verder")  # habits
    await bot.say(alice, "6u45 23.30")  # typed times
    for _ in range(2):  # sleep, meals
        await bot.press_label(alice, "Verder")
    (finish,) = [d for _, d in buttons(latest_with_buttons(api, ALICE)) if d.endswith(":finish")]
    await bot.press(alice, latest_with_buttons(api, ALICE), finish)
    await bot.say(alice, "/settings")
    await bot.press_label(alice, "Water")
    await bot.press_label(alice, "🎯 10")
    for command in (
        "/tip",
        "/tip stuur water-why",
        "/tip uit water-why",
        "/tip herlaad",
        "/tip stats",
        "/export",
        "/week",
        "2 glazen",
        "/today",
    ):
        await bot.say(alice, command)
    assert [call.ok for call in api.calls_named("sendDocument")] == [True, True]  # the export
    bot.clock.set(WALK_TIME)
    await bot.tick()
    nudge = api.last_message(ALICE)
    await bot.press(alice, nudge, button_data(nudge, "done"))
    # A failing request: Telegram answers 500 three times.
    api.fail_next("sendMessage", status=500, description="Internal Server Error", times=3)
    await bot.say(alice, "/help")

    # A handler crashing with the token (as in a request URL) in its message.
    def leaky(**_: object) -> None:
        raise RuntimeError(f"POST {bot.app.bot.base_url}/sendMessage failed")

    monkeypatch.setattr(checkins, "record_text", leaky)
    await bot.say(alice, "klaar")


async def test_a_full_session_logged_at_debug_never_shows_the_token(
    captured_logs: io.StringIO, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SteppedClock(datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    api = FakeBotApi(token=TOKEN, clock=clock)
    engine = sqlite_engine(tmp_path / "habits.sqlite3")
    tips = tmp_path / "tips.yaml"
    shutil.copy(ROOT / "content" / "tips.yaml", tips)
    settings = make_settings(f"sqlite:///{tmp_path / 'habits.sqlite3'}", admin_ids=str(ALICE), tips_path=tips)
    # Over loopback HTTP: PTB's own httpx client talks to fakegram and logs every request.
    async with running_bot(settings=settings, clock=clock, api=api, engine=engine, http=True) as bot:
        await _session(bot, monkeypatch)
    engine.dispose()

    logged = captured_logs.getvalue()
    assert "HTTP Request: POST" in logged  # httpx's request lines were captured...
    assert f"{REDACTED}/getUpdates" in logged  # ...with the token replaced
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument", "sendPhoto"):
        assert f"{REDACTED}/{method}" in logged, method  # every kind of call was logged
    assert "Internal Server Error" in logged  # the failing request was logged
    assert "Traceback" in logged  # and so was the crash, with its traceback
    assert TOKEN not in logged
    assert TOKEN_SECRET_PART not in logged
    assert text("nl", "error_apology") in api.texts_to(ALICE)  # the crash was reached
    assert all(TOKEN not in (message.get("text") or "") for message in api.sent_messages(ALICE))


def test_the_filter_redacts_arguments_tracebacks_and_stack_info() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",), None)
    try:
        raise ValueError(f"bad {TOKEN}")
    except ValueError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    record.stack_info = f"stack {TOKEN}"
    assert SecretRedactingFilter([TOKEN]).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert formatted.count(REDACTED) == 3


async def test_the_redis_password_is_never_logged(tmp_path: Path) -> None:
    password = "s3cret/pass"
    url = f"redis://:{password.replace('/', '%2F')}@127.0.0.1:6379/0"
    settings = make_settings(f"sqlite:///{tmp_path / 'habits.sqlite3'}", redis_url=url)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    handler = configure_logging("DEBUG", [TOKEN, *redis_url_passwords(settings)])
    stream = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    engine = sqlite_engine(tmp_path / "habits.sqlite3")
    try:
        budget = budget_for(settings, engine)
        await budget.open()
        try:
            # Redis refuses the password (it has none), or is not there: either way it is reported.
            with pytest.raises(BudgetUnavailable):
                await budget.take(Draw.WHOLE, within=1)
        finally:
            await budget.close()
        logging.getLogger("bot.test").error("the URL was %s", url)
    finally:
        root.handlers, root.level = saved
        engine.dispose()
    logged = stream.getvalue()
    assert "shared through Redis at redis://127.0.0.1:6379/0" in logged
    assert "s3cret" not in logged
    assert REDACTED in logged
