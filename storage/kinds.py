"""The habits the bot knows and the vocabulary of check-ins, stored as they are in the tables."""

from __future__ import annotations

from enum import StrEnum


class Habit(StrEnum):
    WATER = "water"
    WALK = "walk"
    BREATHING = "breathing"
    SLEEP = "sleep"


class CheckInStatus(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class CheckInSource(StrEnum):
    BUTTON = "button"
    TEXT = "text"
    REACTION = "reaction"  # an emoji reaction on the nudge, such as 👍
    GUIDED = "guided"  # a guided breathing session (/adem) that ran to its end
