"""Builds the PTB Application: services, rate limiter, every handler in one stated order, the tick job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import handlers
from bot.context import BotContext, BotServices, HabitsApplication
from bot.keyboards import NUDGE_CALLBACK_PATTERN
from bot.settings import Settings
from scheduler.clock import Clock, utc_now
from scheduler.dispatch import dispatch_tick
from tips.library import TipLibrary

DISPATCH_JOB_NAME = "dispatch-due-nudges"
COMMANDS = {
    "nl": [("start", "Beginnen of opnieuw starten"), ("today", "Je dag in één oogopslag"),
           ("help", "Wat ik doe en hoe je antwoordt")],
    "en": [("start", "Start or restart"), ("today", "Your day at a glance"),
           ("help", "What I do and how to answer")],
}


def register_handlers(application: HabitsApplication) -> None:
    """All handlers, in the order they are tried (the first match wins)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(~private, handlers.not_in_private_chat))
    application.add_handler(CommandHandler("start", handlers.start, filters=private))
    application.add_handler(CommandHandler("today", handlers.today, filters=private))
    application.add_handler(CommandHandler("help", handlers.show_help, filters=private))
    application.add_handler(CallbackQueryHandler(handlers.nudge_button,
                                                 pattern=NUDGE_CALLBACK_PATTERN))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.text_checkin))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(filters.ALL, handlers.non_text_message))
    application.add_error_handler(handlers.on_error)


async def _set_bot_commands(application: HabitsApplication) -> None:
    for language, commands in COMMANDS.items():
        bot_commands = [BotCommand(name, description) for name, description in commands]
        code = None if language == "en" else language
        await application.bot.set_my_commands(bot_commands, language_code=code)


def build_application(
    *,
    settings: Settings,
    engine: Engine,
    tips: TipLibrary,
    clock: Clock = utc_now,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limiter: AIORateLimiter | None = None,
    limit_rate: bool = True,
) -> HabitsApplication:
    """The bot, wired to its database, tips and clock; `request` swaps in a fake Bot API.

    `limit_rate=False` drops the rate limiter (benchmarks against a fake API measure the bot alone).
    """
    if settings.bot_token is None:
        raise ValueError("build_application needs a bot token")
    services = BotServices(settings=settings, engine=engine, tips=tips, clock=clock)
    builder = (
        ApplicationBuilder()
        .application_class(HabitsApplication, kwargs={"services": services})
        .context_types(ContextTypes(context=BotContext))
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .post_init(_set_bot_commands)  # type: ignore[arg-type]
    )
    if limit_rate:
        builder.rate_limiter(rate_limiter or AIORateLimiter(max_retries=2))
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    assert isinstance(application, HabitsApplication)
    register_handlers(application)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        dispatch_tick,
        interval=timedelta(seconds=settings.dispatch_interval_seconds),
        name=DISPATCH_JOB_NAME,
        # `first=0` would be reckoned from now, so APScheduler, started later, would put the
        # first tick one interval after start-up; a due next_run_time runs it at start instead.
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None,
                    "next_run_time": datetime.now(UTC)},
    )
    return application


