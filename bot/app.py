"""Builds the PTB Application: services, rate limiter, every handler in one stated order, the tick job."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy.engine import Engine
from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import handlers as shared
from bot.admin import handlers as admin
from bot.admin.drafts import DraftButton, UndoButton
from bot.admin.messages import TipButton
from bot.breathing import handlers as breathing
from bot.breathing.keyboards import BreathingButton
from bot.breathing.runner import BREATHING_JOB_NAME
from bot.breathing.runner import TICK as BREATHING_TICK
from bot.budgets import budget_for
from bot.context import BotContext, BotServices, HabitsApplication
from bot.jobs import dispatch_tick
from bot.nudges import handlers as nudges
from bot.nudges.checklist import ChecklistButton, checklist_button
from bot.nudges.handlers import TypedCommands
from bot.nudges.keyboards import NudgeButton, SleepHoursButton
from bot.nudges.questions import CheckQuestionButton, RhythmButton, check_question_button, rhythm_button
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
from bot.rate_limit import PriorityRateLimiter
from bot.sender import CountedRequest
from bot.settings import Settings
from bot.setup import handlers as setup
from bot.setup.keyboards import SetupButton
from bot.setup.pause import PauseButton
from bot.web.server import WebServer
from habits.parsing import Command
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
# What polling and the webhook ask Telegram for. It must name message_reaction, which Telegram
# leaves out unless asked: a 👍 on a nudge answers it. (PTB 22's ALL_TYPES includes it.)
ALLOWED_UPDATES: list[str] = Update.ALL_TYPES

# PTB's own defaults for the connections to Telegram, used when no request is given.
SEND_CONNECTIONS = 256
UPDATES_CONNECTIONS = 1
COMMANDS = {
    "nl": [
        ("start", "Beginnen of opnieuw starten"),
        ("today", "Je dag in één oogopslag"),
        ("adem", "Samen ademen, 1 tot 5 minuten"),
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
        ("breathe", "Breathe with me, 1 to 5 minutes"),
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
    # Both words in both languages; the command menu shows the one of the member's language.
    application.add_handler(CommandHandler(["adem", "breathe"], breathing.breathe, filters=private))
    # The same commands typed without their slash ("stop", "instellingen"), for typed_text below.
    typed_commands: TypedCommands = {
        Command.PAUSE: setup.pause,
        Command.RESUME: setup.resume,
        Command.HELP: shared.show_help,
        Command.SETTINGS: setup.settings,
        Command.TODAY: progress.today,
        Command.STATS: progress.stats,
    }
    application.add_handler(CallbackQueryHandler(privacy.delete_button, pattern=DeleteButton.pattern()))
    settings = application.services.settings
    admins = private & admin.admin_only(settings)
    application.add_handler(CommandHandler(["tip", "tips"], admin.tip_command, filters=admins))
    application.add_handler(CallbackQueryHandler(admin.tip_button, pattern=TipButton.pattern()))
    application.add_handler(CallbackQueryHandler(admin.draft_button, pattern=DraftButton.pattern()))
    application.add_handler(CallbackQueryHandler(admin.undo_button, pattern=UndoButton.pattern()))
    application.add_handler(CallbackQueryHandler(nudges.nudge_button, pattern=NudgeButton.pattern()))
    application.add_handler(CallbackQueryHandler(checklist_button, pattern=ChecklistButton.pattern()))
    application.add_handler(
        CallbackQueryHandler(check_question_button, pattern=CheckQuestionButton.pattern())
    )
    application.add_handler(CallbackQueryHandler(rhythm_button, pattern=RhythmButton.pattern()))
    application.add_handler(
        CallbackQueryHandler(nudges.sleep_hours_button, pattern=SleepHoursButton.pattern())
    )
    # A 👍 on a nudge: no message handler sees reactions, so its place only groups it with the nudges.
    application.add_handler(
        MessageReactionHandler(
            nudges.reaction, message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED
        )
    )
    application.add_handler(CallbackQueryHandler(setup.setup_button, pattern=SetupButton.pattern()))
    application.add_handler(CallbackQueryHandler(setup.pause_button, pattern=PauseButton.pattern()))
    application.add_handler(
        CallbackQueryHandler(breathing.breathing_button, pattern=BreathingButton.pattern())
    )
    application.add_handler(MessageHandler(filters.LOCATION, setup.shared_location))
    # An admin's text while a tip draft waits for it goes to the draft, before any check-in
    # parsing (the draft look-up runs for admins only).
    typed = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        MessageHandler(
            typed & admins & admin.with_open_draft(application.services),
            partial(admin.draft_text, commands=typed_commands),
        )
    )
    # Typed answers to an onboarding or settings screen, typed check-ins, and command words.
    application.add_handler(MessageHandler(typed, partial(nudges.typed_text, commands=typed_commands)))
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


async def _start(application: HabitsApplication) -> None:
    """Before the first update: the command menus, switches still waiting for the tip file, the
    sessions a restart cut short, the tip editor."""
    # Only the process that polls (or serves the webhook) runs this; a dispatcher never does, so
    # it cannot cut short the sessions of the process that does.
    await _set_bot_commands(application)
    await admin.write_back_pending_switches(application.services)
    # Their pacing lived in the process that stopped: they can only be started again.
    await application.breathing.interrupt_left_running()
    settings = application.services.settings
    if settings.web_port is not None and settings.role == "all":
        application.web_server = WebServer(application.services)
        await application.web_server.start()


async def _stop(application: HabitsApplication) -> None:
    if application.web_server is not None:
        await application.web_server.stop()
        application.web_server = None


async def breathing_edits(context: BotContext) -> None:
    """Make the guided breathing sessions' edits that are due (the job never waits for them)."""
    await context.breathing.run_due()


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
        .post_init(_start)  # type: ignore[arg-type]
        .post_shutdown(_stop)  # type: ignore[arg-type]
    )
    if limit_rate:
        # Every message draws from the one send budget, shared by all processes (bot/budgets.py).
        builder.rate_limiter(
            rate_limiter or PriorityRateLimiter(max_retries=2, budget=budget_for(settings, engine))
        )
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
        breathing_edits,
        interval=BREATHING_TICK,
        name=BREATHING_JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
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
