"""The shape of one tip, as the bot uses it after content/tips.yaml has been validated."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator
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


class SlotKind(StrEnum):
    """The moment a tip goes out with: every slot of the scheduler, and the weekly picture, is one.

    `tips.slot_kinds.slot_kind` maps a slot's key to its kind. Water slots after the first are
    split by the slot's local time, so that a tip can keep to the day or to the evening.
    """

    FIRST_WATER = "first-water"  # the first water slot of the routine day (at wake-up)
    MORNING = "morning"  # a later water slot before 12:00
    AFTERNOON = "afternoon"  # a later water slot from 12:00 until 18:00
    EVENING = "evening"  # a later water slot from 18:00, after midnight included
    AFTER_BREAKFAST = "after-breakfast"
    AFTER_LUNCH = "after-lunch"
    AFTER_DINNER = "after-dinner"
    BREATHING = "breathing"
    WIND_DOWN = "wind-down"  # 45 minutes before bedtime
    MORNING_QUESTION = "morning-question"  # "how did you sleep?", 15 minutes after wake-up
    WEEKLY = "weekly"  # the weekly picture, on a Sunday evening by default


# The group whose tips go with each kind: a tip can only fit the kinds of its own group.
KIND_GROUP: dict[SlotKind, TipGroup] = {
    SlotKind.FIRST_WATER: TipGroup.WATER,
    SlotKind.MORNING: TipGroup.WATER,
    SlotKind.AFTERNOON: TipGroup.WATER,
    SlotKind.EVENING: TipGroup.WATER,
    SlotKind.AFTER_BREAKFAST: TipGroup.WALK,
    SlotKind.AFTER_LUNCH: TipGroup.WALK,
    SlotKind.AFTER_DINNER: TipGroup.WALK,
    SlotKind.BREATHING: TipGroup.BREATHING,
    SlotKind.WIND_DOWN: TipGroup.SLEEP,
    SlotKind.MORNING_QUESTION: TipGroup.SLEEP,
    SlotKind.WEEKLY: TipGroup.GENERAL,
}
# Words for several kinds at once: `water` is every glass after the first one of the day.
FIT_ALIASES: dict[str, tuple[SlotKind, ...]] = {
    "water": (SlotKind.MORNING, SlotKind.AFTERNOON, SlotKind.EVENING),
}
FIT_WORDS: tuple[str, ...] = tuple(kind.value for kind in SlotKind) + tuple(FIT_ALIASES)


def kinds_of_group(group: str) -> tuple[SlotKind, ...]:
    """The kinds whose nudges carry this group's tips, in vocabulary order."""
    return tuple(kind for kind, owner in KIND_GROUP.items() if owner == group)


def fit_words_of(group: str) -> tuple[str, ...]:
    """The words a tip of this group may use in `fits`, in vocabulary order."""
    kinds = kinds_of_group(group)
    return tuple(kind.value for kind in kinds) + tuple(
        word for word, named in FIT_ALIASES.items() if set(named) <= set(kinds)
    )


def fits_text(kinds: Iterable[SlotKind] | None) -> str | None:
    """A `fits` value as one line in vocabulary order (`first-water, morning`); None for everywhere."""
    if kinds is None:
        return None
    chosen = set(kinds)
    return ", ".join(kind.value for kind in SlotKind if kind in chosen)


class Tip(BaseModel):
    """One tip in Dutch and English; `enabled=False` keeps it in the file but out of rotation."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=TIP_ID_PATTERN)
    group: TipGroup
    # The upper limit is checked below in UTF-16 units, as Telegram counts it.
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: str | None = None
    # The kinds of slot the tip fits; None (no `fits:` in the file) fits every slot of its group.
    fits: frozenset[SlotKind] | None = None
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

    @field_validator("fits", mode="before")
    @classmethod
    def _fit_words(cls, value: Any, info: ValidationInfo) -> frozenset[SlotKind] | None:
        """Words of the vocabulary (or one word) to kinds; each must be a kind of the tip's group.

        A refused word's error carries its `index` in the list, so the file's line can be named.
        """
        if value is None:
            return None
        words = [value] if isinstance(value, str) else value
        if not isinstance(words, list | tuple | set | frozenset):
            raise PydanticCustomError(
                "fits_type", "must be a list of slot kinds, like [first-water, morning]"
            )
        if not words:
            raise PydanticCustomError(
                "fits_empty", "an empty list fits no slot; leave fits out to fit every slot"
            )
        group = info.data.get("group")
        allowed = fit_words_of(group) if group is not None else FIT_WORDS
        kinds: set[SlotKind] = set()
        for index, word in enumerate(words):
            # str() also turns ruamel's quoted strings and a SlotKind into the plain word.
            name = str(word) if isinstance(word, str) else word
            if not isinstance(name, str) or name not in FIT_WORDS:
                raise PydanticCustomError(
                    "fits_unknown",
                    "unknown slot kind {word}; the kinds are {kinds}",
                    {"index": index, "word": repr(name), "kinds": ", ".join(FIT_WORDS)},
                )
            if name not in allowed:
                raise PydanticCustomError(
                    "fits_other_group",
                    "{word} is not a slot of {group} tips; they fit {kinds}",
                    {"index": index, "word": repr(name), "group": str(group), "kinds": ", ".join(allowed)},
                )
            kinds.update(FIT_ALIASES[name] if name in FIT_ALIASES else (SlotKind(name),))
        return frozenset(kinds)

    def fits_kind(self, kind: SlotKind) -> bool:
        """Whether the tip may go with a slot of this kind (its group's, and listed in `fits`)."""
        return KIND_GROUP[kind] == self.group and (self.fits is None or kind in self.fits)

    def text(self, language: str) -> str:
        """The text for a language code ("en", "en-GB", "nl", ...): Dutch unless it is English."""
        primary = language.strip().lower().replace("_", "-").split("-")[0]
        return self.en if primary == "en" else self.nl
