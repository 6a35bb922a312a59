"""Handlers for progress members can see: /stats and /week."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers import sending_member
from bot.progress_messages import stats_text, week_caption
from habits.stats import member_stats, week_picture
from scheduler.weekly_reports import weekly_tip


async def stats(update: Update, context: BotContext) -> None:
    """Current and best streak per habit, and this week's figures."""
    assert update.effective_chat is not None
    services = context.services
    with services.session() as session:
        member = await sending_member(update, context, session)
        if member is None:
            return
        figures = member_stats(session=session, member=member, now=services.clock())
    await context.sender.send_text(update.effective_chat.id, stats_text(member.language, figures))


async def week(update: Update, context: BotContext) -> None:
    """The weekly picture of the past 7 days, on demand."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    with services.session() as session:
        member = await sending_member(update, context, session)
        if member is None or member.id is None:
            return
        picture = week_picture(session=session, member=member, now=services.clock())
        tip = weekly_tip(session=session, member_id=member.id, tips=services.tips)
    png = await services.charts.render(picture, member.language)
    caption = week_caption(member.language, picture, tip.text(member.language) if tip else None)
    await context.sender.send_photo(chat.id, png, caption)
