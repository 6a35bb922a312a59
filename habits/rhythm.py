"""The offer to follow the member's rhythm ("Je wandelt na de lunch meestal rond 13:20. Zal ik je
dan herinneren?") and what its answer does. `scheduler/nagging.py` decides when to offer.

Yes moves the slot by moving the time it follows, through `habits/preferences.py` (which
reschedules at once): a walk comes 15 minutes after its meal, so the meal moves (lunch 12:30 →
13:05 for a walk nudge at 13:20, and a typed "wandeling gedaan" after 13:05 counts for lunch); the
breathing time is the slot's own; the wind-down comes 45 minutes before bedtime, so bedtime moves.
No is remembered: no offer about that slot for 30 days. Either counts as the member's latest
answer. An offer about a slot that has moved since (in /settings) has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlmodel import Session

from habits import preferences
from habits.preferences import InvalidSetting, TimeSetting
from scheduler.slots import BREATHING, SLEEP_WIND_DOWN, WALK_AFTER_MEAL, WIND_DOWN_BEFORE_BED, minutes
from storage import queries
from storage.models import Member, RhythmOffer

# For each slot an offer may move: the setting it follows, and how long after that setting it comes.
SLOT_SETTINGS: dict[str, tuple[TimeSetting, timedelta]] = {
    "walk-breakfast": (TimeSetting.BREAKFAST, WALK_AFTER_MEAL),
    "walk-lunch": (TimeSetting.LUNCH, WALK_AFTER_MEAL),
    "walk-dinner": (TimeSetting.DINNER, WALK_AFTER_MEAL),
    BREATHING: (TimeSetting.BREATHING, timedelta()),
    SLEEP_WIND_DOWN: (TimeSetting.BEDTIME, -WIND_DOWN_BEFORE_BED),
}


class OfferOutcome(StrEnum):
    MOVED = "moved"
    DECLINED = "declined"
    ALREADY_ANSWERED = "already-answered"
    EXPIRED = "expired"  # the slot has moved since the offer
    UNKNOWN = "unknown"  # no such offer, or someone else's


@dataclass(frozen=True)
class OfferAnswer:
    outcome: OfferOutcome
    language: str = "nl"
    slot: str = ""
    # The slot's time as it stays or becomes, and the setting it follows (the meal, the bedtime).
    slot_time: time | None = None
    setting: TimeSetting | None = None
    setting_time: time | None = None


def _shifted(value: time, by: timedelta) -> time:
    total = (minutes(value) + int(by.total_seconds()) // 60) % (24 * 60)
    return time(total // 60, total % 60)


def slot_time(member: Member, slot: str) -> time:
    """The local time of a movable slot in the member's routine as it is now."""
    setting, after = SLOT_SETTINGS[slot]
    value = getattr(member, setting.value)
    assert isinstance(value, time)
    return _shifted(value, after)


def answer_rhythm_offer(
    *, session: Session, telegram_id: int, offer_id: int, accept: bool, now: datetime
) -> OfferAnswer:
    """Move the slot (yes) or remember the no; a second answer changes nothing."""
    member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    offer = session.get(RhythmOffer, offer_id)
    if member is None or offer is None or offer.member_id != member.id or offer.slot not in SLOT_SETTINGS:
        return OfferAnswer(OfferOutcome.UNKNOWN, language=member.language if member else "nl")
    language, slot = member.language, offer.slot
    setting, after = SLOT_SETTINGS[slot]
    if offer.accepted is not None:
        return OfferAnswer(OfferOutcome.ALREADY_ANSWERED, language, slot, slot_time(member, slot))
    if accept and slot_time(member, slot) != offer.slot_time:
        return OfferAnswer(OfferOutcome.EXPIRED, language, slot, slot_time(member, slot))
    outcome = OfferOutcome.DECLINED
    if accept:
        try:
            preferences.set_time(
                session=session, member=member, setting=setting, value=_shifted(offer.suggested, -after)
            )
        except InvalidSetting:
            session.rollback()
            return OfferAnswer(OfferOutcome.EXPIRED, language, slot, slot_time(member, slot))
        outcome = OfferOutcome.MOVED
    offer.accepted, offer.answered_at = accept, now
    member.last_answer_at = now
    session.commit()
    return OfferAnswer(
        outcome, language, slot, slot_time(member, slot), setting, getattr(member, setting.value)
    )
