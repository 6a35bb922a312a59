"""The entry point: settings, logging, tips, database, then polling Telegram until stopped."""

from __future__ import annotations

import asyncio
import signal
import sys

from telegram import Update

from bot.app import build_application
from bot.context import HabitsApplication
from bot.logging_setup import configure_logging
from bot.settings import load_settings
from storage.database import create_db_engine, upgrade_schema
from tips.library import TipFileError, load_tip_library

NO_TOKEN_EXIT_CODE = 2
NO_TOKEN_MESSAGE = (
    "No BOT_TOKEN set: create a bot with @BotFather in Telegram (/newbot), then put its token in "
    "BOT_TOKEN (environment or .env) and start again."
)


def main() -> int:
    settings = load_settings()
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    configure_logging(settings.log_level, [token])
    if not token:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return NO_TOKEN_EXIT_CODE
    try:
        tips = load_tip_library(settings.tips_path)
    except TipFileError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    engine = create_db_engine(settings.database_url)
    upgrade_schema(engine)
    application = build_application(settings=settings, engine=engine, tips=tips)
    if settings.role == "dispatcher":
        asyncio.run(dispatch_until_stopped(application))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
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
