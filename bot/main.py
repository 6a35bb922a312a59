"""The entry point: settings, logging, tips, database, then polling Telegram (or serving a webhook).

Without a BOT_TOKEN, started from a terminal (or with `--console`), it opens the offline chat in
the terminal instead (bot/console.py); without a token and without a terminal it exits with 2.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Sequence
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from bot.app import ALLOWED_UPDATES, build_application
from bot.console import run_console
from bot.context import HabitsApplication
from bot.logging_setup import configure_logging
from bot.settings import Settings, load_settings
from storage.backups import DatabaseInUseError, hold_database_lock
from storage.database import create_db_engine, upgrade_schema
from tips.library import TipFileError, load_tip_library

NO_TOKEN_EXIT_CODE = 2
BAD_SETTINGS_EXIT_CODE = 2
NO_TOKEN_MESSAGE = (
    "No BOT_TOKEN set: create a bot with @BotFather in Telegram (/newbot), then put its token in "
    "BOT_TOKEN (environment or .env) and start again; or run `python3 tasks.py run --console` in a "
    "terminal to try it offline."
)
CONSOLE_FLAG = "--console"
# The console keeps the terminal for the chat: only warnings and errors are logged there.
CONSOLE_LOG_LEVEL = "WARNING"


def run_until_stopped(application: HabitsApplication, settings: Settings) -> None:
    """Poll Telegram, serve a webhook when WEBHOOK_URL is set, or (ROLE=dispatcher) only dispatch.

    SIGTERM and SIGINT stop each of them.
    """
    if settings.role == "dispatcher":
        asyncio.run(dispatch_until_stopped(application))
        return
    if settings.webhook_url is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    # The settings refuse a webhook URL without a secret; Telegram sends it in a header, and the
    # webhook server answers 403 to any request without it.
    assert settings.webhook_secret is not None
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(settings.webhook_url).path.strip("/"),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
    )


def redis_url_passwords(settings: Settings) -> list[str]:
    """REDIS_URL's password as written in it and as sent to Redis, for the log filter."""
    if settings.redis_url is None:
        return []
    password = urlsplit(settings.redis_url.get_secret_value()).password
    return [password, unquote(password)] if password else []


def main(argv: Sequence[str] | None = None, *, stdin_is_terminal: Callable[[], bool] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        print(f"Cannot start, a setting is wrong: {error}", file=sys.stderr)
        return BAD_SETTINGS_EXIT_CODE
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    web_secret = settings.web_secret.get_secret_value() if settings.web_secret else ""
    redis_passwords = redis_url_passwords(settings)
    is_terminal = stdin_is_terminal or sys.stdin.isatty
    console = CONSOLE_FLAG in arguments or (not token and is_terminal())
    configure_logging(
        CONSOLE_LOG_LEVEL if console else settings.log_level,
        [token, webhook_secret, web_secret, *redis_passwords],
    )
    if not token and not console:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return NO_TOKEN_EXIT_CODE
    try:
        tips = load_tip_library(settings.tips_path)
    except TipFileError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    if console:
        return run_console(settings, is_terminal=is_terminal)
    try:
        # A shared lock on the SQLite file while the bot runs, so that `storage.restore` refuses
        # meanwhile (PostgreSQL: nothing to hold, pg_restore is the operator's to schedule).
        with hold_database_lock(settings.database_url):
            engine = create_db_engine(settings.database_url)
            upgrade_schema(engine)
            application = build_application(settings=settings, engine=engine, tips=tips)
            run_until_stopped(application, settings)
    except DatabaseInUseError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    return 0


async def dispatch_until_stopped(application: HabitsApplication) -> None:
    """Run only the JobQueue's dispatch tick until SIGINT or SIGTERM; another process polls."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signal_number in signals:
        loop.add_signal_handler(signal_number, stopping.set)
    try:
        async with application:
            await application.start()
            await stopping.wait()
            await application.stop()
    finally:
        for signal_number in signals:
            loop.remove_signal_handler(signal_number)
