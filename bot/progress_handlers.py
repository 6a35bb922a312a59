"""Handlers for progress members can see: /stats and /week."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers import _language
from bot.progress_messages import stats_text, week_caption
from bot.texts import text
from habits.stats import member_stats, week_picture
from scheduler.weekly_reports import weekly_tip
from storage import queries


async def stats(update: Update, context: BotContext) -> None:
    """Current and best streak per habit, and this week's figures."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    services = context.services
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
        if member is None:
            await context.sender.send_text(chat.id, text(_language(update, context),
                                                         "not_registered"))
            return
        figures = member_stats(session=session, member=member, now=services.clock())
    await context.sender.send_text(chat.id, stats_text(member.language, figures))


async def week(update: Update, context: BotContext) -> None:
    """The weekly picture of the past 7 days, on demand."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    services = context.services
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
        if member is None or member.id is None:
            await context.sender.send_text(chat.id, text(_language(update, context),
                                                         "not_registered"))
            return
        picture = week_picture(session=session, member=member, now=services.clock())
        tip = weekly_tip(session=session, member_id=member.id, tips=services.tips)
    png = await services.charts.render(picture, member.language)
    caption = week_caption(member.language, picture, tip.text(member.language) if tip else None)
    await context.sender.send_photo(chat.id, png, caption)
