"""What became of one send: the outcomes the dispatcher records and the bot's sender reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Delivery(StrEnum):
    DELIVERED = "delivered"
    BLOCKED = "blocked"  # the member blocked the bot or the chat is gone
    FAILED = "failed"  # Telegram refused it or kept failing


@dataclass(frozen=True)
class SendResult:
    delivery: Delivery
    message_id: int | None = None
    reason: str = ""
