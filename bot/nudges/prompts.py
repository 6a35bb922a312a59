"""What the rules against nagging change about sending a nudge (see `scheduler/nagging.py`): the
earlier prompts it closes first, the question or checklist it goes out as instead, the rhythm offer
that follows it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.nudges.checklist import checklist_message
from bot.nudges.closing import close_prompts
from bot.nudges.questions import check_question_message, rhythm_offer_message
from bot.rate_limit import Lane
from bot.sender import TelegramSender
from scheduler.delivery import Delivery, SendResult
from scheduler.dispatch import OutgoingNudge


async def close_earlier(sender: TelegramSender, outgoing: OutgoingNudge) -> None:
    """The habit's earlier prompts lose their buttons before the new one arrives."""
    await close_prompts(sender, outgoing.courtesy.close)


def sent_instead(outgoing: OutgoingNudge) -> tuple[str, InlineKeyboardMarkup] | None:
    """The check question or quiet mode's checklist this nudge goes out as, if either."""
    courtesy = outgoing.courtesy
    if courtesy.question is not None:
        return check_question_message(outgoing.language, courtesy.question)
    if courtesy.checklist is not None:
        return checklist_message(outgoing.language, outgoing.nudge_id, courtesy.checklist)
    return None


async def offer_after(sender: TelegramSender, outgoing: OutgoingNudge, sent: SendResult) -> None:
    """The rhythm offer, right after the nudge whose slot it would move (only if that arrived)."""
    offer = outgoing.courtesy.offer
    if offer is not None and sent.delivery is Delivery.DELIVERED:
        await sender.send_text(
            outgoing.chat_id, *rhythm_offer_message(outgoing.language, offer), lane=Lane.NUDGE
        )
