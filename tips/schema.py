"""The shape of one tip, as the bot uses it after content/tips.yaml has been validated."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from storage.kinds import Habit

MAX_TIP_LENGTH = 200
TIP_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units, so most emoji count 2 and a family 11."""
    return len(text.encode("utf-16-le")) // 2


def has_control_characters(text: str) -> bool:
    """Control characters other than a line break: invisible or garbled on a lock screen."""
    return any(unicodedata.category(character) == "Cc" and character != "\n" for character in text)


class TipGroup(StrEnum):
    """A group of tips: one per habit, plus general lifestyle tips (food, daylight, stress)."""

    WATER = Habit.WATER.value
    WALK = Habit.WALK.value
    BREATHING = Habit.BREATHING.value
    SLEEP = Habit.SLEEP.value
    GENERAL = "general"


class Tip(BaseModel):
    """One tip in Dutch and English; `enabled=False` keeps it in the file but out of rotation."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=TIP_ID_PATTERN)
    group: TipGroup
    # The upper limit is checked below in UTF-16 units, as Telegram counts it.
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: str | None = None
    # Strict, so that a YAML string such as `yes` or "false" is an error, not a silent True.
    enabled: StrictBool = True

    @field_validator("nl", "en")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if has_control_characters(value):
            raise PydanticCustomError(
                "control_characters", "contains control characters (only line breaks are allowed)"
            )
        length = telegram_length(value)
        if length > MAX_TIP_LENGTH:
            raise PydanticCustomError(
                "too_long",
                "text is {length} characters, the limit is {limit}",
                {"length": length, "limit": MAX_TIP_LENGTH},
            )
        return value

    @field_validator("source")
    @classmethod
    def _blank_source_is_none(cls, value: str | None) -> str | None:
        """Treat an empty `source:` as no source."""
        return value or None

    def text(self, language: str) -> str:
        """The text for a language code ("en", "en-GB", "nl", ...): Dutch unless it is English."""
        primary = language.strip().lower().replace("_", "-").split("-")[0]
        return self.en if primary == "en" else self.nl
