"""The onboarding and settings screens: their text, their buttons and the callback data behind them.

One screen renders the same in both flows; only the bottom row differs (onboarding: back / next,
settings: back to the menu). Callback data is "<mode>:<screen>:<action>[:<argument>]".
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.breathing.views import length_label, mode_label, pattern_label
from bot.calendar_words import weekday_name
from bot.callback_data import CallbackData
from bot.texts import format_number, text
from habits.breathing import BreathingPattern, GuidanceMode, SessionLength
from habits.breathing_sessions import choice_of
from habits.members import SUPPORTED_LANGUAGES
from habits.onboarding import STEPS, Step
from habits.preferences import (
    HABIT_COLUMNS,
    SNOOZE_CHOICES,
    WALK_STREAK_RULES,
    WATER_GOAL_CHOICES,
    WATER_INTERVAL_CHOICES,
    WEEKLY_REPORT_DAY_CHOICES,
    WEEKLY_REPORT_TIME_CHOICES,
    TimeSetting,
)
from habits.timezones import COMMON_ZONES
from scheduler.routines import quiet_hours_of
from storage.kinds import Habit
from storage.models import DEFAULT_BREAKFAST_TIME, DEFAULT_DINNER_TIME, DEFAULT_LUNCH_TIME, Member


class Mode(StrEnum):
    ONBOARDING = "o"
    SETTINGS = "s"


class Screen(StrEnum):
    MAIN = "main"
    LANGUAGE = "language"
    TIMEZONE = "timezone"
    HABITS = "habits"
    SLEEP = "sleep"
    MEALS = "meals"
    BREATHING = "breathing"
    WATER = "water"
    SNOOZE = "snooze"
    QUIET = "quiet"
    PROGRESS = "progress"
    SUMMARY = "summary"


# Screens that also take typed input (a city, one or more times).
TYPED_SCREENS = frozenset({Screen.TIMEZONE, Screen.SLEEP, Screen.MEALS, Screen.BREATHING, Screen.QUIET})
WAKE_CHOICES = (time(6, 0), time(6, 30), time(7, 0), time(7, 30), time(8, 0), time(8, 30))
BEDTIME_CHOICES = (time(22, 0), time(22, 30), time(23, 0), time(23, 30), time(0, 0), time(0, 30))
MEAL_CHOICES = {
    TimeSetting.BREAKFAST: (time(7, 0), time(8, 0), time(9, 0)),
    TimeSetting.LUNCH: (time(12, 0), time(12, 30), time(13, 0)),
    TimeSetting.DINNER: (time(17, 30), time(18, 30), time(19, 30)),
}
BREATHING_CHOICES = (time(8, 0), time(12, 0), time(13, 0), time(16, 0), time(18, 0), time(21, 0))
QUIET_CHOICES = (
    (time(21, 30), time(7, 0)),
    (time(22, 0), time(7, 0)),
    (time(22, 30), time(7, 0)),
    (time(23, 0), time(8, 0)),
)
SETTING_EMOJI = {
    TimeSetting.WAKE: "⏰",
    TimeSetting.BEDTIME: "🌙",
    TimeSetting.BREAKFAST: "🍳",
    TimeSetting.LUNCH: "🥪",
    TimeSetting.DINNER: "🍽️",
    TimeSetting.BREATHING: "🌬️",
}
HABIT_EMOJI = {Habit.WATER: "💧", Habit.WALK: "🚶", Habit.BREATHING: "🌬️", Habit.SLEEP: "🌙"}
MAIN_MENU = (
    (Screen.LANGUAGE, Screen.TIMEZONE),
    (Screen.HABITS, Screen.WATER),
    (Screen.SLEEP, Screen.MEALS),
    (Screen.BREATHING, Screen.SNOOZE),
)


class SetupButton(CallbackData, prefix=None):
    """A tap in a setup screen; the mode leads its data, as it always has: o:sleep:t:wake_time.0700."""

    mode: Mode
    screen: Screen
    action: str
    argument: str = ""


def clock(value: time) -> str:
    return f"{value:%H:%M}"


def compact(value: time) -> str:
    return f"{value:%H%M}"


def parse_compact(value: str) -> time | None:
    if len(value) != 4 or not value.isdigit():
        return None
    hour, minute = int(value[:2]), int(value[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def time_choice_argument(setting: TimeSetting, value: time) -> str:
    return f"{setting.value}.{compact(value)}"


def parse_time_choice(argument: str) -> tuple[TimeSetting, time] | None:
    setting, _, value = argument.partition(".")
    try:
        chosen = TimeSetting(setting)
    except ValueError:
        return None
    parsed = parse_compact(value)
    return (chosen, parsed) if parsed is not None else None


def _mark(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


class ScreenRenderer:
    """Renders one member's screens in one flow (onboarding or settings)."""

    def __init__(self, member: Member, mode: Mode, now: datetime) -> None:
        self.member, self.mode, self.now = member, mode, now
        self.language = member.language

    def t(self, key: str, **values: object) -> str:
        return text(self.language, key, **values)

    def button(self, label: str, screen: Screen, action: str, argument: str = "") -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=SetupButton(self.mode, screen, action, argument).pack()
        )

    def time_button(self, screen: Screen, setting: TimeSetting, value: time) -> InlineKeyboardButton:
        current = getattr(self.member, setting.value)
        label = _mark(f"{SETTING_EMOJI[setting]} {clock(value)}", current == value)
        return self.button(label, screen, "t", time_choice_argument(setting, value))

    def render(self, screen: Screen) -> tuple[str, InlineKeyboardMarkup]:
        body, rows = getattr(self, f"_{screen.value}")()
        return body, InlineKeyboardMarkup([*rows, *self._navigation(screen)])

    def _navigation(self, screen: Screen) -> list[list[InlineKeyboardButton]]:
        if self.mode is Mode.SETTINGS:
            if screen is Screen.MAIN:
                return [[self.button(self.t("button_close"), Screen.MAIN, "close")]]
            return [[self.button(self.t("button_back_to_menu"), screen, "menu")]]
        step = Step(screen.value)
        row = []
        if step is not STEPS[0]:
            row.append(self.button(self.t("button_previous"), screen, "previous"))
        if step is Step.SUMMARY:
            return [[self.button(self.t("button_start"), screen, "finish")], row]
        row.append(self.button(self.t("button_next"), screen, "next"))
        return [row]

    # Each screen: (text, rows of buttons above the navigation).

    def _main(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        rows = [
            [
                self.button(self.t(f"menu_{screen.value}"), Screen.MAIN, "open", screen.value)
                for screen in pair
            ]
            for pair in MAIN_MENU
        ]
        rows.append(
            [
                self.button(self.t("menu_quiet"), Screen.MAIN, "open", Screen.QUIET.value),
                self.button(self.t("menu_progress"), Screen.MAIN, "open", Screen.PROGRESS.value),
            ]
        )
        return f"{self.t('settings_title')}\n\n{self.overview()}", rows

    def _summary(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        return f"{self.t('summary_title')}\n\n{self.overview()}\n\n{self.t('summary_hint')}", []

    def _language(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        row = [
            self.button(
                _mark(self.t(f"language_{code}"), self.language == code), Screen.LANGUAGE, "set", code
            )
            for code in SUPPORTED_LANGUAGES
        ]
        rows = [row]
        if self.mode is Mode.ONBOARDING:
            rows.append([self.button(self.t("button_all_defaults"), Screen.LANGUAGE, "defaults")])
        return self.t("screen_language"), rows

    def _timezone(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        zone = self.member.timezone
        local = self.now.astimezone(ZoneInfo(zone))
        body = self.t("screen_timezone", zone=zone, local=f"{local:%H:%M}")
        zones = [
            self.button(
                _mark(name.split("/")[-1].replace("_", " "), name == zone), Screen.TIMEZONE, "set", str(index)
            )
            for index, name in enumerate(COMMON_ZONES)
        ]
        rows = _rows(zones, 2)
        rows.append([self.button(self.t("button_share_location"), Screen.TIMEZONE, "location")])
        return body, rows

    def _habits(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        toggles = [
            self.button(
                f"{'✅' if getattr(self.member, HABIT_COLUMNS[habit]) else '⬜'} "
                f"{HABIT_EMOJI[habit]} {self.t(f'habit_{habit.value}')}",
                Screen.HABITS,
                "toggle",
                habit.value,
            )
            for habit in Habit
        ]
        return self.t("screen_habits"), _rows(toggles, 2)

    def _sleep(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        body = self.t("screen_sleep", wake=clock(self.member.wake_time), bedtime=clock(self.member.bedtime))
        wake = [self.time_button(Screen.SLEEP, TimeSetting.WAKE, t) for t in WAKE_CHOICES]
        bed = [self.time_button(Screen.SLEEP, TimeSetting.BEDTIME, t) for t in BEDTIME_CHOICES]
        return body, [*_rows(wake, 3), *_rows(bed, 3)]

    def _meals(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        member = self.member
        body = self.t(
            "screen_meals",
            breakfast=clock(member.breakfast_time),
            lunch=clock(member.lunch_time),
            dinner=clock(member.dinner_time),
        )
        rows = [
            [self.time_button(Screen.MEALS, setting, t) for t in choices]
            for setting, choices in MEAL_CHOICES.items()
        ]
        defaults = self.t(
            "button_default_meals",
            breakfast=clock(DEFAULT_BREAKFAST_TIME),
            lunch=clock(DEFAULT_LUNCH_TIME),
            dinner=clock(DEFAULT_DINNER_TIME),
        )
        rows.append([self.button(defaults, Screen.MEALS, "defaults")])
        return body, rows

    def _breathing(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        """The nudge's time, then how a guided session (/adem) goes: pattern, length, text or animation."""
        language, chosen = self.language, choice_of(self.member)
        guided = self.t(
            "screen_breathing_guided",
            pattern=pattern_label(language, chosen.pattern),
            length=length_label(language, chosen.length),
            guidance=mode_label(language, chosen.guidance),
        )
        body = f"{self.t('screen_breathing', time=clock(self.member.breathing_time))}\n\n{guided}"
        choices = [self.time_button(Screen.BREATHING, TimeSetting.BREATHING, t) for t in BREATHING_CHOICES]
        patterns = [
            self.button(
                _mark(pattern_label(language, pattern), pattern is chosen.pattern),
                Screen.BREATHING,
                "pattern",
                pattern.value,
            )
            for pattern in BreathingPattern
        ]
        lengths = [
            self.button(
                _mark(f"⏱️ {length_label(language, length)}", length is chosen.length),
                Screen.BREATHING,
                "length",
                str(length.value),
            )
            for length in SessionLength
        ]
        modes = [
            self.button(
                _mark(mode_label(language, mode), mode is chosen.guidance),
                Screen.BREATHING,
                "guide",
                mode.value,
            )
            for mode in GuidanceMode
        ]
        return body, [*_rows(choices, 3), *_rows(patterns, 2), lengths, modes]

    def _water(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        member = self.member
        body = self.t("screen_water", goal=member.water_goal, every=self.every(member.water_interval_minutes))
        goals = [
            self.button(_mark(f"🎯 {goal}", goal == member.water_goal), Screen.WATER, "goal", str(goal))
            for goal in WATER_GOAL_CHOICES
        ]
        every = [
            self.button(
                _mark(f"⏱️ {self.interval(minutes)}", minutes == member.water_interval_minutes),
                Screen.WATER,
                "every",
                str(minutes),
            )
            for minutes in WATER_INTERVAL_CHOICES
        ]
        return body, [goals, every]

    def _snooze(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        body = self.t("screen_snooze", minutes=self.member.snooze_minutes)
        choices = [
            self.button(
                _mark(self.t("minutes", minutes=minutes), minutes == self.member.snooze_minutes),
                Screen.SNOOZE,
                "set",
                str(minutes),
            )
            for minutes in SNOOZE_CHOICES
        ]
        return body, [choices]

    def _progress(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        member = self.member
        state = (
            self.t(
                "weekly_on",
                day=weekday_name(self.language, member.weekly_report_weekday),
                time=clock(member.weekly_report_time),
            )
            if member.weekly_report_on
            else self.t("weekly_off")
        )
        body = self.t(
            "screen_progress", weekly=state, walk_rule=self.t(f"walk_rule_{member.walk_streak_rule}")
        )
        toggle = self.button(
            self.t("button_weekly_off" if member.weekly_report_on else "button_weekly_on"),
            Screen.PROGRESS,
            "weekly",
            "off" if member.weekly_report_on else "on",
        )
        days = [
            self.button(
                _mark(weekday_name(self.language, day), day == member.weekly_report_weekday),
                Screen.PROGRESS,
                "day",
                str(day),
            )
            for day in WEEKLY_REPORT_DAY_CHOICES
        ]
        times = [
            self.button(_mark(clock(at), at == member.weekly_report_time), Screen.PROGRESS, "at", compact(at))
            for at in WEEKLY_REPORT_TIME_CHOICES
        ]
        rules = [
            self.button(
                _mark(self.t(f"walk_rule_{rule}"), rule == member.walk_streak_rule),
                Screen.PROGRESS,
                "walk",
                rule,
            )
            for rule in WALK_STREAK_RULES
        ]
        return body, [[toggle], days, times, rules]

    def _quiet(self) -> tuple[str, list[list[InlineKeyboardButton]]]:
        member = self.member
        automatic = member.quiet_start is None
        body = self.t("screen_quiet", quiet=self.quiet_text())
        rows = [[self.button(_mark(self.t("quiet_auto"), automatic), Screen.QUIET, "auto")]]
        fixed = [
            self.button(
                _mark(f"{clock(start)}–{clock(end)}", (member.quiet_start, member.quiet_end) == (start, end)),
                Screen.QUIET,
                "set",
                f"{compact(start)}-{compact(end)}",
            )
            for start, end in QUIET_CHOICES
        ]
        rows.extend(_rows(fixed, 2))
        off = not automatic and member.quiet_start == member.quiet_end
        rows.append([self.button(_mark(self.t("quiet_off"), off), Screen.QUIET, "off")])
        return body, rows

    def interval(self, minutes: int) -> str:
        """A water interval on its button: "1,5 uur" / "1.5 h"."""
        return self.t("hours_short", hours=format_number(self.language, minutes / 60))

    def every(self, minutes: int) -> str:
        """A water interval in a sentence: "elk uur", "elke 1,5 uur" / "every hour", "every 1.5 hours"."""
        if minutes == 60:
            return self.t("every_hour")
        return self.t("every_hours", hours=format_number(self.language, minutes / 60))

    def quiet_text(self) -> str:
        quiet = quiet_hours_of(self.member)
        if quiet.is_off:
            return self.t("quiet_none")
        span = f"{clock(quiet.start)}–{clock(quiet.end)}"
        return self.t("quiet_auto_span", span=span) if self.member.quiet_start is None else span

    def overview(self) -> str:
        """Every setting in a few short lines (the settings menu and the onboarding summary)."""
        member = self.member
        habits = " ".join(
            HABIT_EMOJI[habit] for habit in Habit if getattr(member, HABIT_COLUMNS[habit])
        ) or self.t("habits_none")
        return self.t(
            "overview",
            language_name=self.t(f"language_{member.language}"),
            zone=member.timezone,
            habits=habits,
            wake=clock(member.wake_time),
            bedtime=clock(member.bedtime),
            breakfast=clock(member.breakfast_time),
            lunch=clock(member.lunch_time),
            dinner=clock(member.dinner_time),
            breathing=clock(member.breathing_time),
            goal=member.water_goal,
            every=self.every(member.water_interval_minutes),
            snooze=member.snooze_minutes,
            quiet=self.quiet_text(),
        )


def location_keyboard(language: str) -> ReplyKeyboardMarkup:
    """A reply keyboard whose one big button shares the member's location."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(text(language, "button_send_location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def which_time_keyboard(
    mode: Mode, screen: Screen, settings: tuple[TimeSetting, ...], value: time, language: str
) -> InlineKeyboardMarkup:
    """For one typed time on a screen with several: a button per setting it could be."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{SETTING_EMOJI[setting]} {text(language, f'setting_{setting.value}')} {clock(value)}",
                    callback_data=SetupButton(mode, screen, "t", time_choice_argument(setting, value)).pack(),
                )
            ]
            for setting in settings
        ]
    )
