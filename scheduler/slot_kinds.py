"""Which kind of moment a member's slot is, so that the tip chosen for it fits (tips.slot_kinds).

Pure: the answer depends only on the routine and the slot's key.
"""

from __future__ import annotations

from functools import lru_cache

from scheduler.slots import DailyRoutine, slot_offsets, water_slot_key, water_slot_offsets
from storage.kinds import Habit
from tips.schema import SlotKind
from tips.slot_kinds import slot_kind


# Cached like the day's slots: a claim asks about the same few routines thousands of times.
@lru_cache(maxsize=16_384)
def kind_of_slot(routine: DailyRoutine, slot_key: str) -> SlotKind:
    """The kind of a slot of this routine: a water slot at wake-up is the day's first water.

    The first water slot is the one at wake-up in the routine as it is now, whether or not it
    went out (a quiet or missed one does not make the next glass the first).
    """
    offsets = water_slot_offsets(routine)
    first = bool(offsets) and slot_key == water_slot_key(offsets[0])
    return slot_kind(slot_key, first_water=first)


@lru_cache(maxsize=16_384)
def slots_a_day(routine: DailyRoutine, habit: Habit) -> int:
    """How many slots of a habit a routine day has (0 when the habit is off)."""
    return sum(1 for slot_habit, _, _ in slot_offsets(routine) if slot_habit == habit)
