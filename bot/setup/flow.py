"""The onboarding and settings flows: a tap, a typed answer or a shared location in, replies out.

Which screen waits for typed input is stored on the member (`onboarding_step`, `settings_screen`),
so the flows survive a restart. Every change goes through habits/ (preferences, onboarding), which
validates and reschedules; bad input changes nothing and gets a retry message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.setup.keyboards import (
    TYPED_SCREENS,
    Mode,
    Screen,
    ScreenRenderer,
    SetupButton,
    clock,
    location_keyboard,
    parse_compact,
    parse_time_choice,
    which_time_keyboard,
)
from bot.texts import text
from habits import onboarding, preferences
from habits.onboarding import Step
from habits.parsing import CheckInKind, parse_checkin
from habits.preferences import MEAL_SETTINGS, InvalidSetting, TimeSetting
from habits.timezones import COMMON_ZONES, zone_from_location, zone_from_text
from scheduler.routines import routine_of
from scheduler.slots import next_due_after
from storage.kinds import Habit
from storage.models import DEFAULT_BREAKFAST_TIME, DEFAULT_DINNER_TIME, DEFAULT_LUNCH_TIME, Member

# Typed input counts for a settings screen only this long after it was opened.
SETTINGS_INPUT_WINDOW = timedelta(minutes=15)
DEFAULT_MEALS = {
    TimeSetting.BREAKFAST: DEFAULT_BREAKFAST_TIME,
    TimeSetting.LUNCH: DEFAULT_LUNCH_TIME,
    TimeSetting.DINNER: DEFAULT_DINNER_TIME,
}

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: Markup | None = None
    is_menu: bool = False  # the settings menu: remember its id so typed input can update it


@dataclass
class FlowReply:
    """What the handler does: answer the tap, edit a screen in place, send new messages."""

    toast: str | None = None
    edit: tuple[str, InlineKeyboardMarkup | None] | None = None
    # None: edit the message whose button was tapped.
    edit_message_id: int | None = None
    send: list[Outgoing] = field(default_factory=list)


def _render(member: Member, mode: Mode, screen: Screen, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    return ScreenRenderer(member, mode, now).render(screen)


def onboarding_screen(member: Member, now: datetime, *, greeting: str | None = None) -> Outgoing:
    """The member's current onboarding step as a new message (optionally after a greeting)."""
    step = onboarding.step_of(member) or Step.SUMMARY
    body, keyboard = _render(member, Mode.ONBOARDING, Screen(step.value), now)
    return Outgoing(f"{greeting}\n\n{body}" if greeting else body, keyboard)


def settings_menu(session: Session, member: Member, now: datetime) -> Outgoing:
    _leave_typed_screen(session, member)
    body, keyboard = _render(member, Mode.SETTINGS, Screen.MAIN, now)
    return Outgoing(body, keyboard, is_menu=True)


def settings_screen(session: Session, member: Member, screen: Screen, now: datetime) -> Outgoing:
    """One settings screen as a new message, which typed times then update (as if opened from
    the menu): where a question about a habit takes the member."""
    _open_screen(session, member, screen, now)
    body, keyboard = _render(member, Mode.SETTINGS, screen, now)
    return Outgoing(body, keyboard, is_menu=True)


def _leave_typed_screen(session: Session, member: Member) -> None:
    member.settings_screen, member.settings_opened_at = None, None
    session.commit()


def _open_screen(session: Session, member: Member, screen: Screen, now: datetime) -> None:
    typed = screen in TYPED_SCREENS
    member.settings_screen = screen.value if typed else None
    member.settings_opened_at = now if typed else None
    session.commit()


# ------------------------------------------------------------------------------------------------
# Taps


def handle_button(*, session: Session, member: Member, button: SetupButton, now: datetime) -> FlowReply:
    language = member.language
    if button.mode is Mode.ONBOARDING and member.onboarding_step is None:
        return FlowReply(toast=text(language, "already_set_up"))
    if button.mode is Mode.SETTINGS and member.onboarding_step is not None:
        return FlowReply(toast=text(language, "finish_onboarding_first"))
    try:
        reply = _apply(session, member, button, now)
    except (InvalidSetting, ValueError, IndexError):
        session.rollback()
        return FlowReply(toast=text(member.language, "answer_unknown"))
    if reply is not None:
        return reply
    if button.mode is Mode.ONBOARDING:
        step = onboarding.step_of(member) or Step.SUMMARY
        return FlowReply(edit=_render(member, Mode.ONBOARDING, Screen(step.value), now))
    toast = None if button.action in ("open", "menu") else text(member.language, "saved")
    shown = Screen.MAIN if button.action == "menu" else button.screen
    if button.action == "open":
        shown = Screen(button.argument)
    return FlowReply(toast=toast, edit=_render(member, Mode.SETTINGS, shown, now))


def _apply(session: Session, member: Member, button: SetupButton, now: datetime) -> FlowReply | None:
    """Apply a tap; a FlowReply when the tap needs more than showing the resulting screen."""
    screen, action, argument = button.screen, button.action, button.argument
    onboarding_flow = button.mode is Mode.ONBOARDING
    if action == "t":
        choice = parse_time_choice(argument)
        if choice is None:
            raise ValueError(argument)
        preferences.set_time(session=session, member=member, setting=choice[0], value=choice[1])
    elif screen is Screen.LANGUAGE and action == "set":
        preferences.set_language(session=session, member=member, language=argument)
        if onboarding_flow:
            onboarding.go_to(session=session, member=member, step=Step.TIMEZONE)
    elif screen is Screen.LANGUAGE and action == "defaults" and onboarding_flow:
        onboarding.go_to(session=session, member=member, step=Step.SUMMARY)
    elif screen is Screen.TIMEZONE and action == "set":
        zone = COMMON_ZONES[_button_number(argument)]
        preferences.set_timezone(session=session, member=member, zone=zone)
        if onboarding_flow:
            onboarding.go_to(session=session, member=member, step=Step.HABITS)
    elif screen is Screen.TIMEZONE and action == "location":
        prompt = Outgoing(text(member.language, "location_prompt"), location_keyboard(member.language))
        return FlowReply(send=[prompt])
    elif screen is Screen.HABITS and action == "toggle":
        preferences.toggle_habit(session=session, member=member, habit=Habit(argument))
    elif screen is Screen.MEALS and action == "defaults":
        for setting, value in DEFAULT_MEALS.items():
            preferences.set_time(session=session, member=member, setting=setting, value=value)
    elif screen is Screen.WATER and action == "goal":
        preferences.set_water_goal(session=session, member=member, glasses=_button_number(argument))
    elif screen is Screen.WATER and action == "every":
        preferences.set_water_interval(session=session, member=member, minutes=_button_number(argument))
    elif screen is Screen.BREATHING and action == "pattern":
        preferences.set_guided_breathing(session=session, member=member, pattern=argument)
    elif screen is Screen.BREATHING and action == "length":
        preferences.set_guided_breathing(session=session, member=member, minutes=_button_number(argument))
    elif screen is Screen.BREATHING and action == "guide":
        preferences.set_guided_breathing(session=session, member=member, guidance=argument)
    elif screen is Screen.SNOOZE and action == "set":
        preferences.set_snooze(session=session, member=member, minutes=_button_number(argument))
    elif screen is Screen.PROGRESS and action == "weekly" and argument in ("on", "off"):
        preferences.set_weekly_report(session=session, member=member, on=argument == "on")
    elif screen is Screen.PROGRESS and action == "day":
        preferences.set_weekly_report(session=session, member=member, weekday=_button_number(argument))
    elif screen is Screen.PROGRESS and action == "at":
        at = parse_compact(argument)
        if at is None:
            raise ValueError(argument)
        preferences.set_weekly_report(session=session, member=member, at=at)
    elif screen is Screen.PROGRESS and action == "walk":
        preferences.set_walk_streak_rule(session=session, member=member, rule=argument)
    elif screen is Screen.QUIET and action in ("auto", "off", "set"):
        start, end = _quiet_choice(action, argument)
        preferences.set_quiet_hours(session=session, member=member, start=start, end=end)
    elif action == "open" and not onboarding_flow:
        _open_screen(session, member, Screen(argument), now)
    elif action == "menu" and not onboarding_flow:
        _leave_typed_screen(session, member)
    elif action == "close" and not onboarding_flow:
        _leave_typed_screen(session, member)
        return FlowReply(edit=(text(member.language, "settings_closed"), None))
    elif action in ("next", "previous") and onboarding_flow:
        step = Step(screen.value)
        target = onboarding.step_after(step) if action == "next" else onboarding.step_before(step)
        onboarding.go_to(session=session, member=member, step=target)
    elif action == "finish" and onboarding_flow:
        return _finish(session, member, now)
    else:
        raise ValueError(f"unknown setup button {button}")
    return None


def _button_number(argument: str) -> int:
    """A number exactly as the screens write it in callback data; ValueError for anything else.

    int() alone would also take "-1" (the last time zone), " 8", "+8" or other scripts' digits.
    """
    if not (argument.isascii() and argument.isdigit()) or str(int(argument)) != argument:
        raise ValueError(argument)
    return int(argument)


def _quiet_choice(action: str, argument: str) -> tuple[time | None, time | None]:
    if action == "auto":
        return None, None
    if action == "off":
        return time(0, 0), time(0, 0)
    start, _, end = argument.partition("-")
    parsed = parse_compact(start), parse_compact(end)
    if parsed[0] is None or parsed[1] is None:
        raise ValueError(argument)
    return parsed


def _finish(session: Session, member: Member, now: datetime) -> FlowReply:
    onboarding.finish_onboarding(session=session, member=member, now=now)
    renderer = ScreenRenderer(member, Mode.ONBOARDING, now)
    done = f"{text(member.language, 'summary_done')}\n\n{renderer.overview()}"
    return FlowReply(edit=(done, None), send=[Outgoing(first_nudge_text(member, now))])


def first_nudge_text(member: Member, now: datetime) -> str:
    """When the first nudge comes, in the member's own time and words."""
    zone = ZoneInfo(member.timezone)
    first = next_due_after(routine_of(member), zone, member.schedule_cursor)
    if first is None:
        return text(member.language, "ready_no_habits")
    due, today = first.astimezone(zone), now.astimezone(zone).date()
    key = "ready_today" if due.date() == today else "ready_later"
    return text(member.language, key, time=f"{due:%H:%M}")


# ------------------------------------------------------------------------------------------------
# Typed answers and shared locations


def _typed_screen(member: Member, now: datetime) -> tuple[Mode, Screen] | None:
    step = onboarding.step_of(member)
    if step is not None:
        screen = Screen(step.value)
        return (Mode.ONBOARDING, screen) if screen in TYPED_SCREENS else None
    opened = member.settings_opened_at
    if member.settings_screen and opened is not None and now - opened <= SETTINGS_INPUT_WINDOW:
        return Mode.SETTINGS, Screen(member.settings_screen)
    return None


def handle_text(*, session: Session, member: Member, typed: str, now: datetime) -> FlowReply | None:
    """Typed input for the screen that waits for it; None when no screen does (a check-in, then)."""
    waiting = _typed_screen(member, now)
    if waiting is None:
        return None
    mode, screen = waiting
    language = member.language
    if mode is Mode.SETTINGS and _is_checkin_not_setting(screen, typed):
        return None
    if screen is Screen.TIMEZONE:
        zone = zone_from_text(typed)
        if zone is None:
            return FlowReply(send=[Outgoing(text(language, "timezone_invalid"))])
        return _zone_chosen(session, member, zone, mode, now)
    times = onboarding.parse_times(typed)
    if times is None:
        return FlowReply(send=[Outgoing(text(language, "time_invalid"))])
    try:
        reply = _typed_times(session, member, mode, screen, times, now)
    except InvalidSetting:
        session.rollback()
        return FlowReply(send=[Outgoing(text(language, "times_same_invalid"))])
    return reply


def _is_checkin_not_setting(screen: Screen, typed: str) -> bool:
    """A settings screen left open does not swallow a check-in such as "2 glazen" or "klaar", nor
    a command typed without its slash ("stop"); anything else, "hallo" too, is the screen's, which
    says how to type a time (or a zone) and changes nothing."""
    parsed = parse_checkin(typed)
    if parsed is None or not (parsed.may_store or parsed.kind is CheckInKind.COMMAND):
        return False
    if screen is Screen.TIMEZONE:
        return zone_from_text(typed) is None
    return onboarding.parse_times(typed) is None


def _typed_times(
    session: Session, member: Member, mode: Mode, screen: Screen, times: list[time], now: datetime
) -> FlowReply:
    language = member.language
    fields: tuple[TimeSetting, ...] = {
        Screen.SLEEP: (TimeSetting.WAKE, TimeSetting.BEDTIME),
        Screen.MEALS: MEAL_SETTINGS,
        Screen.BREATHING: (TimeSetting.BREATHING,),
    }.get(screen, ())
    if screen is Screen.QUIET:
        if len(times) != 2:
            return FlowReply(send=[Outgoing(text(language, "quiet_invalid"))])
        preferences.set_quiet_hours(session=session, member=member, start=times[0], end=times[1])
    elif len(times) == 1 and len(fields) > 1:
        keyboard = which_time_keyboard(mode, screen, fields, times[0], language)
        return FlowReply(send=[Outgoing(text(language, "which_time", time=clock(times[0])), keyboard)])
    elif len(times) == len(fields):
        if screen is Screen.SLEEP and times[0] == times[1]:
            raise InvalidSetting("wake-up and bedtime cannot be the same")
        for setting, value in zip(fields, times, strict=True):
            preferences.set_time(session=session, member=member, setting=setting, value=value)
    else:
        return FlowReply(send=[Outgoing(text(language, f"times_count_{screen.value}"))])
    return _after_change(member, mode, screen, now)


def _after_change(member: Member, mode: Mode, screen: Screen, now: datetime) -> FlowReply:
    """Onboarding shows the step again below; settings updates the menu message in place."""
    saved = Outgoing(text(member.language, "saved"))
    if mode is Mode.ONBOARDING:
        return FlowReply(send=[saved, onboarding_screen(member, now)])
    return FlowReply(
        edit=_render(member, Mode.SETTINGS, screen, now), edit_message_id=member.menu_message_id, send=[saved]
    )


def _zone_chosen(session: Session, member: Member, zone: str, mode: Mode | None, now: datetime) -> FlowReply:
    preferences.set_timezone(session=session, member=member, zone=zone)
    local = now.astimezone(ZoneInfo(zone))
    confirmation = Outgoing(
        text(member.language, "timezone_set", zone=zone, local=f"{local:%H:%M}"), ReplyKeyboardRemove()
    )
    if mode is Mode.ONBOARDING:
        onboarding.go_to(session=session, member=member, step=Step.HABITS)
        return FlowReply(send=[confirmation, onboarding_screen(member, now)])
    if mode is Mode.SETTINGS:
        return FlowReply(
            edit=_render(member, Mode.SETTINGS, Screen.TIMEZONE, now),
            edit_message_id=member.menu_message_id,
            send=[confirmation],
        )
    return FlowReply(send=[confirmation])


def handle_location(
    *, session: Session, member: Member, latitude: float, longitude: float, now: datetime
) -> FlowReply:
    """A shared location always sets the time zone; during onboarding it also moves on."""
    zone = zone_from_location(latitude, longitude)
    if zone is None:
        return FlowReply(send=[Outgoing(text(member.language, "location_unknown"))])
    waiting = _typed_screen(member, now)
    mode = waiting[0] if waiting is not None and waiting[1] is Screen.TIMEZONE else None
    return _zone_chosen(session, member, zone, mode, now)
