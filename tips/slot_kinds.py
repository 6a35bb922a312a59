"""The kind of a scheduler slot, from its key: which tips fit the moment a nudge goes out.

The keys are the scheduler's (`scheduler/slots.py`): `water-0900` (a water slot named by its local
time; `water-2430` is 00:30 in the night after), `walk-breakfast`, `walk-lunch`, `walk-dinner`,
`breathing`, `sleep-winddown` and `sleep-morning`. They are spelled out here rather than imported,
because tips sit below the scheduler; `tests/test_tip_fits.py` checks every key the scheduler makes.
Whether a water slot is the day's first depends on the member's routine, so the scheduler says so.
"""

from __future__ import annotations

import re

from tips.schema import SlotKind

_WATER_KEY = re.compile(r"^water-(\d{2})(\d{2})$")
_KEY_KINDS = {
    "walk-breakfast": SlotKind.AFTER_BREAKFAST,
    "walk-lunch": SlotKind.AFTER_LUNCH,
    "walk-dinner": SlotKind.AFTER_DINNER,
    "breathing": SlotKind.BREATHING,
    "sleep-winddown": SlotKind.WIND_DOWN,
    "sleep-morning": SlotKind.MORNING_QUESTION,
}
NOON = 12 * 60
EVENING_STARTS = 18 * 60


def slot_kind(slot_key: str, *, first_water: bool = False) -> SlotKind:
    """The kind of the slot with this key; `first_water` says it is the day's first water slot.

    A water slot is `first-water` when it is the first of the routine day, else its part of the day
    by the local time in its key: `morning` before 12:00, `afternoon` from 12:00 until 18:00,
    `evening` from 18:00 on (a time after midnight, `water-2430`, is still that day's evening).
    Raises ValueError for a key the scheduler does not make, or `first_water` on another slot.
    """
    water = _WATER_KEY.match(slot_key)
    if water is None:
        if first_water:
            raise ValueError(f"first_water is only for water slots, not {slot_key!r}")
        try:
            return _KEY_KINDS[slot_key]
        except KeyError:
            raise ValueError(f"not a slot key: {slot_key!r}") from None
    hours, minutes = int(water.group(1)), int(water.group(2))
    if minutes >= 60:
        raise ValueError(f"not a slot key: {slot_key!r}")
    if first_water:
        return SlotKind.FIRST_WATER
    local_minutes = hours * 60 + minutes
    if local_minutes < NOON:
        return SlotKind.MORNING
    return SlotKind.AFTERNOON if local_minutes < EVENING_STARTS else SlotKind.EVENING
