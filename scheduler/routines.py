"""A member's stored settings as the scheduler reads them: their routine, quiet hours and zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from scheduler.quiet import QuietHours, quiet_hours_for
from scheduler.slots import DailyRoutine
from storage.capacity_queries import RoutineGroup
from storage.checkin_queries import MemberSnapshot
from storage.kinds import Habit
from storage.models import Member


def routine_of(member: Member | MemberSnapshot | RoutineGroup) -> DailyRoutine:
    switched_on = {
        Habit.WATER: member.water_on,
        Habit.WALK: member.walk_on,
        Habit.BREATHING: member.breathing_on,
        Habit.SLEEP: member.sleep_on,
    }
    return DailyRoutine(
        wake=member.wake_time,
        breakfast=member.breakfast_time,
        lunch=member.lunch_time,
        dinner=member.dinner_time,
        bedtime=member.bedtime,
        breathing=member.breathing_time,
        water_every_minutes=member.water_interval_minutes,
        habits=frozenset(habit for habit, on in switched_on.items() if on),
        muted=muted_slots_of(member),
    )


def muted_slots_of(member: Member | MemberSnapshot | RoutineGroup) -> frozenset[str]:
    return frozenset(key for key in member.muted_slots.split(",") if key)


def quiet_hours_of(member: Member | RoutineGroup) -> QuietHours:
    return quiet_hours_for(
        bedtime=member.bedtime, wake=member.wake_time, start=member.quiet_start, end=member.quiet_end
    )


def zone_of(member: Member | MemberSnapshot | RoutineGroup) -> ZoneInfo:
    return ZoneInfo(member.timezone)
