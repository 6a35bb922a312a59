"""Closing prompts left unanswered: the message is edited to one short line without buttons
("💧 09:00 · niet beantwoord"), so the chat holds at most one open prompt per habit.

`scheduler/nagging.py` decides which and records them as closed; this edits them: the earlier
prompts of a habit just before its next nudge goes out (`close_prompts`, called by the nudge
sender), and, on every tick, those of routine days that have ended (`close_ended_days`).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.rate_limit import Lane
from bot.sender import TelegramSender
from bot.texts import text
from habits.checkins import slot_kind
from scheduler.nagging import ENDED_PROMPTS_PER_BATCH, OpenPrompt, claim_ended_prompts
from scheduler.slots import BREATHING, SLEEP_MORNING, SLEEP_WIND_DOWN
from storage.database import new_session
from storage.models import PromptKind

CLOSED = "prompts-closed"
SLOT_EMOJI = {"water": "💧", "walk": "🚶", BREATHING: "🌬️", SLEEP_WIND_DOWN: "🌙", SLEEP_MORNING: "☀️"}
CHECKLIST_EMOJI = "📋"


def closed_line(prompt: OpenPrompt) -> str:
    """The short line a prompt left unanswered becomes: what it was for, and when it was due."""
    emoji = (
        CHECKLIST_EMOJI
        if prompt.shown_as == PromptKind.CHECKLIST
        else SLOT_EMOJI.get(slot_kind(prompt.slot), "•")
    )
    return text(prompt.language, "closed_line", emoji=emoji, time=f"{prompt.due_local:%H:%M}")


async def close_prompts(sender: TelegramSender, prompts: Sequence[OpenPrompt]) -> None:
    """Edit each prompt to its short line, without buttons (an edit that fails changes nothing)."""
    await asyncio.gather(
        *(
            sender.edit_text(prompt.chat_id, prompt.message_id, closed_line(prompt), lane=Lane.NUDGE)
            for prompt in prompts
        )
    )


def _never() -> bool:
    return False


async def close_ended_days(
    *,
    engine: Engine,
    sender: TelegramSender,
    now: datetime,
    seconds: float,
    stop_requested: Callable[[], bool] = _never,
) -> Counter[str]:
    """Close, a batch at a time, the prompts whose routine day ended unanswered, for at most about
    `seconds` (the rest wait for the next tick)."""
    counts: Counter[str] = Counter()
    until = time.monotonic() + seconds
    while not stop_requested():
        with new_session(engine) as session:
            closing, looked_at = claim_ended_prompts(session=session, now=now)
        await close_prompts(sender, closing)
        counts[CLOSED] += len(closing)
        if looked_at < ENDED_PROMPTS_PER_BATCH or time.monotonic() >= until:
            break
    return +counts
