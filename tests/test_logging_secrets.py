"""The bot token never appears in a log line: a full session over real HTTP (httpx), logged at DEBUG
through the project's own handler, with a failing request and a crashing handler."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import DISPATCH_JOB_NAME, build_application
from bot.logging_setup import REDACTED, SecretRedactingFilter, configure_logging
from fakegram import FakeBotApi, serve_http
from habits import checkins
from tests.harness import TOKEN, FakeClock, button_data, load_shipped_tips, make_settings, sqlite_engine

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


async def test_a_full_session_logged_at_debug_never_shows_the_token(
    captured_logs: io.StringIO, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    api = FakeBotApi(token=TOKEN, clock=clock)
    alice = api.user(ALICE, first_name="Alice")
    engine = sqlite_engine(tmp_path / "habits.sqlite3")
    async with await serve_http(api) as server:
        settings = make_settings(f"sqlite:///{tmp_path / 'habits.sqlite3'}",
                                 telegram_api_url=server.base_url)
        # No fake request object: PTB's own httpx client talks HTTP to fakegram.
        app = build_application(settings=settings, engine=engine, tips=load_shipped_tips(),
                                clock=clock)
        assert app.job_queue is not None
        (tick,) = app.job_queue.get_jobs_by_name(DISPATCH_JOB_NAME)
        tick.enabled = False
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            alice.send_text("/start")
            await api.wait_for_messages(ALICE, 1)
            clock.set(WALK_TIME)
            await tick.run(app)
            nudge = api.last_message(ALICE)
            alice.press(nudge, button_data(nudge, "done"))
            await api.wait_for_call("answerCallbackQuery")
            # A failing request: Telegram answers 500 three times.
            api.fail_next("sendMessage", status=500, description="Internal Server Error", times=3)
            alice.send_text("/help")
            await api.wait_until(lambda: len(api.calls_named("sendMessage")) >= 5, what="retries")

            # A handler crashing with the token (as in a request URL) in its message.
            def leaky(**_: object) -> None:
                raise RuntimeError(f"POST {server.base_url}{TOKEN}/sendMessage failed")

            monkeypatch.setattr(checkins, "record_text", leaky)
            alice.send_text("klaar")
            await api.wait_for_messages(ALICE, 3)  # welcome, nudge, apology (help failed)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    engine.dispose()

    logged = captured_logs.getvalue()
    assert "HTTP Request: POST" in logged  # httpx's request lines were captured...
    assert f"{REDACTED}/getUpdates" in logged  # ...with the token replaced
    assert "Internal Server Error" in logged  # the failing request was logged
    assert "Traceback" in logged  # and so was the crash, with its traceback
    assert TOKEN not in logged
    assert TOKEN_SECRET_PART not in logged
    assert all(TOKEN not in message["text"] for message in api.sent_messages(ALICE))


def test_the_filter_redacts_arguments_tracebacks_and_stack_info() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",),
                               None)
    try:
        raise ValueError(f"bad {TOKEN}")
    except ValueError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    record.stack_info = f"stack {TOKEN}"
    assert SecretRedactingFilter([TOKEN]).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert formatted.count(REDACTED) == 3
