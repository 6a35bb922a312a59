"""Handlers for progress members can see: /today, /stats and /week."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.members import for_member
from bot.progress.messages import stats_text, today_text, week_caption
from bot.setup.pause import resume_keyboard, today_paused_text
from habits import pauses
from habits.progress import today_progress
from habits.stats import WeekPicture, member_stats, week_picture
from scheduler.weekly_reports import weekly_tip
from storage.models import Member


def today_reply(
    *, session: Session, member: Member, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Today's checklist; during a pause it says until when first, with a button to resume."""
    checklist = today_text(member.language, today_progress(session=session, member=member, now=now))
    pause = pauses.current_pause(session=session, member=member, now=now)
    if pause is None:
        return checklist, None
    paused = today_paused_text(member.language, pause.ends_at, member.timezone)
    return f"{paused}\n\n{checklist}", resume_keyboard(member.language)


async def today(update: Update, context: BotContext) -> None:
    """Show today's checklist with progress per habit (and a pause in force)."""
    assert update.effective_chat is not None
    now = context.services.clock()

    def checklist(session: Session, member: Member) -> tuple[str, InlineKeyboardMarkup | None]:
        return today_reply(session=session, member=member, now=now)

    reply = await for_member(update, context, checklist)
    if reply is not None:
        await context.sender.send_text(update.effective_chat.id, *reply)


async def stats(update: Update, context: BotContext) -> None:
    """Current and best streak per habit, and this week's figures."""
    assert update.effective_chat is not None
    now = context.services.clock()

    def figures(session: Session, member: Member) -> str:
        return stats_text(member.language, member_stats(session=session, member=member, now=now))

    reply = await for_member(update, context, figures)
    if reply is not None:
        await context.sender.send_text(update.effective_chat.id, reply)


async def week(update: Update, context: BotContext) -> None:
    """The weekly picture of the past 7 days, on demand."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    now = services.clock()

    def picture_and_caption(session: Session, member: Member) -> tuple[WeekPicture, str, str]:
        assert member.id is not None
        picture = week_picture(session=session, member=member, now=now)
        tip = weekly_tip(session=session, member_id=member.id, tips=services.tips)
        caption = week_caption(member.language, picture, tip.text(member.language) if tip else None)
        return picture, member.language, caption

    found = await for_member(update, context, picture_and_caption)
    if found is None:
        return
    picture, language, caption = found
    png = await services.charts.render(picture, language)
    await context.sender.send_photo(chat.id, png, caption)
