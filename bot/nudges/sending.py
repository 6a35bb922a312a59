"""A claimed nudge as the member sees it, handed to the one sender: the dispatcher's `send`.

Everything a nudge sends goes in `Lane.NUDGE`, behind the answers to members.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.nudges.keyboards import nudge_keyboard
from bot.nudges.messages import nudge_text
from bot.nudges.prompts import close_earlier, offer_after, sent_instead
from bot.rate_limit import Lane
from bot.sender import TelegramSender
from habits.breathing import DEFAULT_LENGTH, SessionLength
from scheduler.delivery import SendResult
from scheduler.dispatch import OutgoingNudge, SendNudge
from scheduler.slots import BREATHING
from storage import breathing_queries
from storage.direct import DirectConnection


def breathing_lengths(engine: Engine) -> Callable[[int], SessionLength]:
    """A member's guided session length, for the start button on their breathing nudge."""

    def length_of(member_id: int) -> SessionLength:
        with DirectConnection(engine) as connection:
            minutes = breathing_queries.breathing_minutes_of(connection=connection, member_id=member_id)
        try:
            return DEFAULT_LENGTH if minutes is None else SessionLength(minutes)
        except ValueError:
            return DEFAULT_LENGTH

    return length_of


def nudge_sender(
    sender: TelegramSender, *, breathing_length: Callable[[int], SessionLength] | None = None
) -> SendNudge:
    """The dispatcher's `send`: a nudge as the member sees it, with its buttons."""
    # `breathing_length(member_id)` labels a breathing nudge's start button (else the default).

    async def send_nudge(outgoing: OutgoingNudge) -> SendResult:
        await close_earlier(sender, outgoing)
        instead = sent_instead(outgoing)
        if instead is not None:
            return await sender.send_text(outgoing.chat_id, *instead, lane=Lane.NUDGE, paid=outgoing.paid)
        message = nudge_text(
            language=outgoing.language,
            slot=outgoing.slot,
            tip=outgoing.tip_text,
            glasses=outgoing.glasses,
            goal=outgoing.water_goal,
        )
        keyboard = nudge_keyboard(
            nudge_id=outgoing.nudge_id,
            slot=outgoing.slot,
            language=outgoing.language,
            snooze_count=outgoing.snooze_count,
            snooze_minutes=outgoing.snooze_minutes,
            breathing_length=(
                breathing_length(outgoing.member_id)
                if breathing_length is not None and outgoing.slot == BREATHING
                else DEFAULT_LENGTH
            ),
        )
        sent = await sender.send_text(
            outgoing.chat_id, message, keyboard, lane=Lane.NUDGE, paid=outgoing.paid
        )
        await offer_after(sender, outgoing, sent)
        return sent

    return send_nudge
