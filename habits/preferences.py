"""Changing a member's preferences: each change is validated, stored and rescheduled at once.

Rescheduling recomputes the next due time from the member's schedule cursor (a UTC instant, so it
stays valid across a time-zone change): slots already dealt with stay dealt with, today's remaining
slots follow the new routine, and the unique (member, habit, routine day, slot) key stops a slot
that was already nudged from going out twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from enum import StrEnum

from sqlmodel import Session

from habits.breathing import BreathingPattern, GuidanceMode, SessionLength
from habits.members import SUPPORTED_LANGUAGES, reschedule
from habits.timezones import is_valid_zone
from scheduler.slots import MEALS, SLEEP_WIND_DOWN
from storage.kinds import Habit
from storage.models import Member


class TimeSetting(StrEnum):
    """The member's local times, by the Member column that holds each."""

    WAKE = "wake_time"
    BEDTIME = "bedtime"
    BREAKFAST = "breakfast_time"
    LUNCH = "lunch_time"
    DINNER = "dinner_time"
    BREATHING = "breathing_time"


MEAL_SETTINGS = (TimeSetting.BREAKFAST, TimeSetting.LUNCH, TimeSetting.DINNER)
WATER_GOAL_CHOICES = (6, 8, 10, 12)
WATER_INTERVAL_CHOICES = (60, 90, 120, 180)
SNOOZE_CHOICES = (10, 15, 30, 60)
# Monday 0 ... Sunday 6: the weekly picture on a weekend evening or at the start of the week.
WEEKLY_REPORT_DAY_CHOICES = (4, 5, 6, 0)
WEEKLY_REPORT_TIME_CHOICES = (time(18, 0), time(19, 0), time(20, 0), time(21, 0))
WALK_STREAK_RULES = ("one", "all")
# The slots a member may ask to hear less often about, and their habits.
MUTABLE_SLOTS = {
    **{f"walk-{meal}": Habit.WALK for meal in MEALS},
    SLEEP_WIND_DOWN: Habit.SLEEP,
}
HABIT_COLUMNS = {
    Habit.WATER: "water_on",
    Habit.WALK: "walk_on",
    Habit.BREATHING: "breathing_on",
    Habit.SLEEP: "sleep_on",
}


class InvalidSetting(ValueError):
    """A value the member cannot choose; nothing was changed."""


def _save(session: Session, member: Member) -> None:
    if member.active:
        reschedule(member)
    # The weekly picture's time depends on the zone and settings: the next tick works it out anew.
    member.next_weekly_report_at = None
    session.add(member)
    session.commit()


def set_language(*, session: Session, member: Member, language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidSetting(f"unsupported language {language!r}")
    member.language = language
    _save(session, member)


def set_timezone(*, session: Session, member: Member, zone: str) -> None:
    if not is_valid_zone(zone):
        raise InvalidSetting(f"unknown time zone {zone!r}")
    member.timezone = zone
    _save(session, member)


def set_time(*, session: Session, member: Member, setting: TimeSetting, value: time) -> None:
    if value.tzinfo is not None or value.second or value.microsecond:
        raise InvalidSetting("times are whole local minutes")
    wake = value if setting is TimeSetting.WAKE else member.wake_time
    bedtime = value if setting is TimeSetting.BEDTIME else member.bedtime
    if wake == bedtime:
        raise InvalidSetting("wake-up and bedtime cannot be the same")
    setattr(member, setting.value, value)
    _save(session, member)


def toggle_habit(*, session: Session, member: Member, habit: Habit) -> bool:
    """Switch a habit on or off; returns whether it is on now. Switched on again, it has all its
    slots again (also those the member had asked to hear less often about)."""
    column = HABIT_COLUMNS[habit]
    switched_on = not getattr(member, column)
    setattr(member, column, switched_on)
    if switched_on:
        member.muted_slots = _joined(slot for slot in _muted(member) if not slot_of_habit(slot, habit))
    _save(session, member)
    return switched_on


def mute_slots(*, session: Session, member: Member, slots: Iterable[str]) -> None:
    """No more nudges for these slots, though their habits stay on ("less often")."""
    unknown = [slot for slot in slots if slot not in MUTABLE_SLOTS]
    if unknown:
        raise InvalidSetting(f"slots {unknown} cannot be muted")
    member.muted_slots = _joined({*_muted(member), *slots})
    _save(session, member)


def slot_of_habit(slot: str, habit: Habit) -> bool:
    return slot in MUTABLE_SLOTS and MUTABLE_SLOTS[slot] is habit


def _muted(member: Member) -> set[str]:
    return {slot for slot in member.muted_slots.split(",") if slot}


def _joined(slots: Iterable[str]) -> str:
    # In a fixed order, so the same choice is always stored the same way.
    return ",".join(sorted(set(slots), key=list(MUTABLE_SLOTS).index))


def set_water_goal(*, session: Session, member: Member, glasses: int) -> None:
    if glasses not in WATER_GOAL_CHOICES:
        raise InvalidSetting(f"water goal {glasses} is not offered")
    member.water_goal = glasses
    _save(session, member)


def set_water_interval(*, session: Session, member: Member, minutes: int) -> None:
    if minutes not in WATER_INTERVAL_CHOICES:
        raise InvalidSetting(f"water interval {minutes} is not offered")
    member.water_interval_minutes = minutes
    _save(session, member)


def set_snooze(*, session: Session, member: Member, minutes: int) -> None:
    if minutes not in SNOOZE_CHOICES:
        raise InvalidSetting(f"snooze length {minutes} is not offered")
    member.snooze_minutes = minutes
    _save(session, member)


def set_weekly_report(
    *,
    session: Session,
    member: Member,
    on: bool | None = None,
    weekday: int | None = None,
    at: time | None = None,
) -> None:
    """Switch the weekly picture on or off, or move it to another offered day or time."""
    if weekday is not None and weekday not in WEEKLY_REPORT_DAY_CHOICES:
        raise InvalidSetting(f"weekly picture on day {weekday} is not offered")
    if at is not None and at not in WEEKLY_REPORT_TIME_CHOICES:
        raise InvalidSetting(f"weekly picture at {at} is not offered")
    if on is not None:
        member.weekly_report_on = on
    if weekday is not None:
        member.weekly_report_weekday = weekday
    if at is not None:
        member.weekly_report_time = at
    _save(session, member)


def set_walk_streak_rule(*, session: Session, member: Member, rule: str) -> None:
    """Whether one walk a day keeps the walk streak, or only a walk after every meal."""
    if rule not in WALK_STREAK_RULES:
        raise InvalidSetting(f"walk streak rule {rule!r} is not offered")
    member.walk_streak_rule = rule
    _save(session, member)


def set_quiet_hours(*, session: Session, member: Member, start: time | None, end: time | None) -> None:
    """Fixed quiet hours, none (start == end), or both None to follow bedtime and wake-up."""
    if (start is None) != (end is None):
        raise InvalidSetting("quiet hours need both a start and an end")
    member.quiet_start, member.quiet_end = start, end
    _save(session, member)


def set_guided_breathing(
    *,
    session: Session,
    member: Member,
    pattern: str | None = None,
    minutes: int | None = None,
    guidance: str | None = None,
) -> None:
    """The pattern, length or guidance (text or animation) of the member's guided sessions."""
    if pattern is not None and pattern not in set(BreathingPattern):
        raise InvalidSetting(f"breathing pattern {pattern!r} is not offered")
    if minutes is not None and minutes not in set(SessionLength):
        raise InvalidSetting(f"a breathing session of {minutes} minutes is not offered")
    if guidance is not None and guidance not in set(GuidanceMode):
        raise InvalidSetting(f"breathing guidance {guidance!r} is not offered")
    if pattern is not None:
        member.breathing_pattern = pattern
    if minutes is not None:
        member.breathing_minutes = minutes
    if guidance is not None:
        member.breathing_guidance = guidance
    # Nothing about the nudges' times changes, so there is nothing to reschedule.
    session.add(member)
    session.commit()
