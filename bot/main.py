"""The entry point: settings, logging, tips, database, then polling Telegram until stopped.

Without a BOT_TOKEN, started from a terminal (or with `--console`), it opens the offline chat in
the terminal instead (bot/console.py); without a token and without a terminal it exits with 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from telegram import Update

from bot.app import build_application
from bot.console import run_console
from bot.logging_setup import configure_logging
from bot.settings import load_settings
from storage.database import create_db_engine, create_schema
from tips.library import TipFileError, load_tip_library

NO_TOKEN_EXIT_CODE = 2
NO_TOKEN_MESSAGE = (
    "No BOT_TOKEN set: create a bot with @BotFather in Telegram (/newbot), then put its token in "
    "BOT_TOKEN (environment or .env) and start again."
)
CONSOLE_FLAG = "--console"
# The console keeps the terminal for the chat: only warnings and errors are logged there.
CONSOLE_LOG_LEVEL = "WARNING"


def main(
    argv: Sequence[str] | None = None, *, stdin_is_terminal: Callable[[], bool] | None = None
) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    settings = load_settings()
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    is_terminal = stdin_is_terminal or sys.stdin.isatty
    console = CONSOLE_FLAG in arguments or (not token and is_terminal())
    configure_logging(CONSOLE_LOG_LEVEL if console else settings.log_level, [token])
    if console:
        try:
            load_tip_library(settings.tips_path)
        except TipFileError as error:
            print(f"Cannot start: {error}", file=sys.stderr)
            return 1
        return run_console(settings, is_terminal=is_terminal)
    if not token:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return NO_TOKEN_EXIT_CODE
    try:
        tips = load_tip_library(settings.tips_path)
    except TipFileError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    engine = create_db_engine(settings.database_url)
    create_schema(engine)
    application = build_application(settings=settings, engine=engine, tips=tips)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
