"""Handlers for /start (onboarding), /settings, /pause, /resume, the setup buttons and locations.

Typed answers to a screen arrive with the check-ins (`handlers.typed_text`).
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.members import for_member, update_language
from bot.progress.handlers import today_reply
from bot.setup import flow as setup_flow
from bot.setup.flow import FlowReply
from bot.setup.keyboards import SetupButton
from bot.setup.pause import TODAY, PauseButton, pause_keyboard, paused_text
from bot.texts import text
from habits import onboarding, pauses
from storage import queries
from storage.models import Member


async def deliver_flow_reply(
    context: BotContext, chat_id: int, reply: FlowReply, pressed_message_id: int | None = None
) -> list[int]:
    """Edit the setup screen in place, then send the new messages; returns the new menus' ids."""
    if reply.edit is not None:
        message_id = reply.edit_message_id or pressed_message_id
        if message_id is not None:
            await context.sender.edit_text(chat_id, message_id, reply.edit[0], reply.edit[1])
    menus = []
    for outgoing in reply.send:
        result = await context.sender.send_text(chat_id, outgoing.text, outgoing.markup)
        if outgoing.is_menu and result.message_id is not None:
            menus.append(result.message_id)
    return menus


def _remember_menu(context: BotContext, telegram_id: int, message_id: int) -> None:
    with context.services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
        if member is not None:
            member.menu_message_id = message_id
            session.commit()


async def start(update: Update, context: BotContext) -> None:
    """A new member starts onboarding; one halfway picks up there; others are welcomed back."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    services = context.services
    now = services.clock()
    with services.session() as session:
        registration = onboarding.begin_onboarding(
            session=session,
            telegram_id=user.id,
            chat_id=chat.id,
            first_name=user.first_name,
            language_code=user.language_code,
            default_language=services.settings.default_language,
            default_timezone=services.settings.default_timezone,
            now=now,
        )
        member = registration.member
        if member.onboarding_step is None:
            reply = FlowReply(
                send=[setup_flow.Outgoing(text(member.language, "welcome_back", name=member.first_name))]
            )
        else:
            key = "welcome" if registration.is_new else "welcome_continue"
            greeting = text(member.language, key, name=member.first_name)
            reply = FlowReply(send=[setup_flow.onboarding_screen(member, now, greeting=greeting)])
    await deliver_flow_reply(context, chat.id, reply)


async def settings(update: Update, context: BotContext) -> None:
    """Show the settings menu; its buttons edit it in place."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    services = context.services
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
        if member is None:
            reply = FlowReply(
                send=[setup_flow.Outgoing(text(update_language(update, context), "not_registered"))]
            )
        elif member.onboarding_step is not None:
            reply = FlowReply(
                send=[
                    setup_flow.onboarding_screen(
                        member, services.clock(), greeting=text(member.language, "finish_onboarding_first")
                    )
                ]
            )
        else:
            reply = FlowReply(send=[setup_flow.settings_menu(session, member, services.clock())])
    for menu_id in await deliver_flow_reply(context, chat.id, reply):
        _remember_menu(context, user.id, menu_id)


async def setup_button(update: Update, context: BotContext) -> None:
    """A tap in the onboarding or settings screens: apply it and show the screen again."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = SetupButton.unpack(query.data)
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=query.from_user.id)
        if button is None or member is None:
            reply = FlowReply(
                toast=text(update_language(update, context), "answer_unknown" if member else "not_registered")
            )
        else:
            reply = setup_flow.handle_button(
                session=session, member=member, button=button, now=services.clock()
            )
    await context.sender.answer_callback(query.id, reply.toast)
    message = query.message
    if message is not None:
        await deliver_flow_reply(context, message.chat.id, reply, pressed_message_id=message.message_id)


async def shared_location(update: Update, context: BotContext) -> None:
    """A shared location sets the time zone (resolved offline)."""
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    assert message.location is not None
    services = context.services
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=message.from_user.id)
        if member is None:
            reply = FlowReply(
                send=[setup_flow.Outgoing(text(update_language(update, context), "not_registered"))]
            )
        else:
            reply = setup_flow.handle_location(
                session=session,
                member=member,
                latitude=message.location.latitude,
                longitude=message.location.longitude,
                now=services.clock(),
            )
    await deliver_flow_reply(context, message.chat.id, reply)


async def pause(update: Update, context: BotContext) -> None:
    """Offer the pause lengths (and, when paused, say until when)."""
    chat = update.effective_chat
    assert chat is not None
    now = context.services.clock()

    def question(session: Session, member: Member) -> tuple[str, InlineKeyboardMarkup]:
        language = member.language
        current = pauses.current_pause(session=session, member=member, now=now)
        if current is None:
            return text(language, "pause_question"), pause_keyboard(language, paused=False)
        until = paused_text(language, current.ends_at, member.timezone)
        return f"{until}\n\n{text(language, 'pause_change')}", pause_keyboard(language, paused=True)

    found = await for_member(update, context, question)
    if found is not None:
        await context.sender.send_text(chat.id, *found)


async def pause_button(update: Update, context: BotContext) -> None:
    """A pause length (or resume) tapped under /pause."""
    query = update.callback_query
    assert query is not None
    services = context.services
    now = services.clock()
    button = PauseButton.unpack(query.data)
    reply: str | None = None
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=query.from_user.id)
        if member is not None and button is not None:
            length = button.length
            if length is None:
                resumed = pauses.resume_member(session=session, member=member, now=now)
                reply = text(member.language, "resumed" if resumed else "not_paused")
                if button.under == TODAY:
                    day, _ = today_reply(session=session, member=member, now=now)
                    reply = f"{reply}\n\n{day}"
            else:
                taken = pauses.pause_member(session=session, member=member, length=length, now=now)
                reply = paused_text(member.language, taken.ends_at, member.timezone)
    if reply is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    await context.sender.answer_callback(query.id)
    if query.message is not None:
        await context.sender.edit_text(query.message.chat.id, query.message.message_id, reply)


async def resume(update: Update, context: BotContext) -> None:
    """End the pause now."""
    chat = update.effective_chat
    assert chat is not None
    now = context.services.clock()

    def resumed_line(session: Session, member: Member) -> str:
        resumed = pauses.resume_member(session=session, member=member, now=now)
        return text(member.language, "resumed" if resumed else "not_paused")

    reply = await for_member(update, context, resumed_line)
    if reply is not None:
        await context.sender.send_text(chat.id, reply)
