"""Builds the PTB Application: services, rate limiter, every handler in one stated order, the tick job."""

from __future__ import annotations

import logging
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
from telegram.request import BaseRequest, HTTPXRequest

from bot import handlers as shared
from bot.admin import handlers as admin
from bot.admin.messages import TipButton
from bot.context import BotContext, BotServices, HabitsApplication
from bot.jobs import dispatch_tick
from bot.nudges import handlers as nudges
from bot.nudges.keyboards import NudgeButton
from bot.operations.backups import (
    BACKUP_CHECK_INTERVAL,
    BACKUP_FIRST_CHECK,
    BACKUP_JOB_NAME,
    backs_up,
    daily_backup,
)
from bot.operations.metrics import BotMetrics
from bot.privacy import handlers as privacy
from bot.privacy.keyboards import DeleteButton
from bot.progress import handlers as progress
from bot.progress.chart_workers import ChartWorkers, default_workers
from bot.sender import CountedRequest
from bot.settings import Settings
from bot.setup import handlers as setup
from bot.setup.keyboards import SetupButton
from bot.setup.pause import PauseButton
from scheduler.clock import Clock, utc_now
from tips.library import TipLibrary
from tips.store import TipStore

log = logging.getLogger(__name__)

DISPATCH_JOB_NAME = "dispatch-due-nudges"
TIP_WATCH_JOB_NAME = "watch-tip-file"
# Hand edits of the tip file are picked up within a minute.
TIP_WATCH_INTERVAL = timedelta(seconds=30)
# Updates are handled concurrently, so one member's slow Telegram call (a 429 being waited out)
# does not hold up everyone else. Database work inside a handler never awaits, so each check-in
# is one uninterrupted transaction on the event loop.
CONCURRENT_UPDATES = 64
# PTB's own defaults for the connections to Telegram, used when no request is given.
SEND_CONNECTIONS = 256
UPDATES_CONNECTIONS = 1
COMMANDS = {
    "nl": [
        ("start", "Beginnen of opnieuw starten"),
        ("today", "Je dag in één oogopslag"),
        ("settings", "Tijden, gewoontes en taal aanpassen"),
        ("pause", "Even geen herinneringen"),
        ("resume", "Herinneringen weer aan"),
        ("stats", "Je reeksen en deze week"),
        ("week", "Je week in één plaatje"),
        ("privacy", "Wat ik bewaar en waarom"),
        ("export", "Je gegevens als bestand"),
        ("delete", "Al je gegevens wissen"),
        ("help", "Wat ik doe en hoe je antwoordt"),
    ],
    "en": [
        ("start", "Start or restart"),
        ("today", "Your day at a glance"),
        ("settings", "Change times, habits and language"),
        ("pause", "No reminders for a while"),
        ("resume", "Reminders back on"),
        ("stats", "Your streaks and this week"),
        ("week", "Your week in one picture"),
        ("privacy", "What I store and why"),
        ("export", "Your data as files"),
        ("delete", "Erase all your data"),
        ("help", "What I do and how to answer"),
    ],
}


def register_handlers(application: HabitsApplication) -> None:
    """All handlers, in the order they are tried (the first match wins)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(~private, shared.not_in_private_chat))
    application.add_handler(CommandHandler("start", setup.start, filters=private))
    application.add_handler(CommandHandler("today", progress.today, filters=private))
    application.add_handler(CommandHandler("settings", setup.settings, filters=private))
    application.add_handler(CommandHandler("pause", setup.pause, filters=private))
    application.add_handler(CommandHandler("resume", setup.resume, filters=private))
    application.add_handler(CommandHandler("help", shared.show_help, filters=private))
    application.add_handler(CommandHandler("stats", progress.stats, filters=private))
    application.add_handler(CommandHandler("week", progress.week, filters=private))
    application.add_handler(CommandHandler("privacy", privacy.show_privacy, filters=private))
    application.add_handler(CommandHandler("export", privacy.export, filters=private))
    application.add_handler(CommandHandler("delete", privacy.delete, filters=private))
    application.add_handler(CallbackQueryHandler(privacy.delete_button, pattern=DeleteButton.pattern()))
    settings = application.services.settings
    application.add_handler(
        CommandHandler(["tip", "tips"], admin.tip_command, filters=private & admin.admin_only(settings))
    )
    application.add_handler(CallbackQueryHandler(admin.tip_button, pattern=TipButton.pattern()))
    application.add_handler(CallbackQueryHandler(nudges.nudge_button, pattern=NudgeButton.pattern()))
    application.add_handler(CallbackQueryHandler(setup.setup_button, pattern=SetupButton.pattern()))
    application.add_handler(CallbackQueryHandler(setup.pause_button, pattern=PauseButton.pattern()))
    application.add_handler(MessageHandler(filters.LOCATION, setup.shared_location))
    # Typed answers to an onboarding or settings screen, and typed check-ins.
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, nudges.typed_text))
    application.add_handler(MessageHandler(filters.COMMAND, shared.unknown_command))
    application.add_handler(MessageHandler(filters.ALL, shared.non_text_message))
    # Keep last among the button handlers: any button data nobody recognises gets a short answer.
    application.add_handler(CallbackQueryHandler(shared.unknown_button))
    application.add_error_handler(shared.on_error)


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
    workers = default_workers() if settings.render_workers is None else settings.render_workers
    metrics = BotMetrics()
    metrics.watch_database(engine, clock)
    services = BotServices(
        settings=settings,
        engine=engine,
        tip_store=TipStore(settings.tips_path, tips),
        clock=clock,
        charts=ChartWorkers(workers),
        metrics=metrics,
    )
    # Every request to Telegram goes through these, so each error answer is counted once.
    request = CountedRequest(
        request or HTTPXRequest(connection_pool_size=SEND_CONNECTIONS), metrics.count_telegram_error
    )
    updates_request = CountedRequest(
        updates_request or HTTPXRequest(connection_pool_size=UPDATES_CONNECTIONS),
        metrics.count_telegram_error,
    )
    builder = (
        ApplicationBuilder()
        .application_class(HabitsApplication, kwargs={"services": services})
        .context_types(ContextTypes(context=BotContext))
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(_set_bot_commands)  # type: ignore[arg-type]
    )
    if limit_rate:
        builder.rate_limiter(rate_limiter or AIORateLimiter(max_retries=2))
    builder = builder.request(request).get_updates_request(updates_request)
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
        job_kwargs={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": None,
            "next_run_time": datetime.now(UTC),
        },
    )
    application.job_queue.run_repeating(
        admin.watch_tip_file,
        interval=TIP_WATCH_INTERVAL,
        first=TIP_WATCH_INTERVAL,
        name=TIP_WATCH_JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    if settings.backup_dir is not None:
        if backs_up(engine):
            application.job_queue.run_repeating(
                daily_backup,
                interval=BACKUP_CHECK_INTERVAL,
                first=BACKUP_FIRST_CHECK,
                name=BACKUP_JOB_NAME,
                job_kwargs={"max_instances": 1, "coalesce": True},
            )
        else:
            log.warning("BACKUP_DIR is set, but the bot backs up SQLite only: use pg_dump (README)")
    return application
