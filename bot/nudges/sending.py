"""A claimed nudge as the member sees it, handed to the one sender: the dispatcher's `send`."""

from __future__ import annotations

from bot.nudges.keyboards import nudge_keyboard
from bot.nudges.messages import nudge_text
from bot.nudges.prompts import close_earlier, offer_after, sent_instead
from bot.sender import TelegramSender
from scheduler.delivery import SendResult
from scheduler.dispatch import OutgoingNudge, SendNudge


def nudge_sender(sender: TelegramSender) -> SendNudge:
    """The dispatcher's `send`: a nudge as the member sees it, with its buttons."""

    async def send_nudge(outgoing: OutgoingNudge) -> SendResult:
        await close_earlier(sender, outgoing)
        instead = sent_instead(outgoing)
        if instead is not None:
            return await sender.send_text(outgoing.chat_id, *instead)
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
        )
        sent = await sender.send_text(outgoing.chat_id, message, keyboard)
        await offer_after(sender, outgoing, sent)
        return sent

    return send_nudge
