"""Singular and plural in both languages: the helper, every text with a counted noun, and the
messages that fill them in ("1 nacht", "2 nachten", "0 glasses", "1.5 hours")."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pytest

from bot.nudges.messages import answer_line
from bot.progress.messages import stats_text, week_caption
from bot.setup.keyboards import Mode, Screen, ScreenRenderer
from bot.texts import TEXTS, format_number, is_singular, text
from habits.checkins import CheckInResult, Outcome
from habits.stats import HabitStats, MemberStats, WeekPicture
from habits.streaks import DayOutcome
from storage.kinds import CheckInStatus, Habit
from storage.models import Member

NOW = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "singular"),
    [
        (1, True),
        ("1", True),
        (1.0, True),  # shown as "1"
        (-1, True),
        (0, False),
        (2, False),
        (11, False),
        (21, False),  # not like Russian: only exactly one
        (0.5, False),
        (1.5, False),
        ("1,5", False),
        ("1,0", False),  # visible decimals take the plural, as in CLDR ("1.0 hours")
        ("1.0", False),
    ],
)
def test_is_singular(number: int | float | str, singular: bool) -> None:
    assert is_singular(number) is singular


def _fields(sentence: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(sentence) if name is not None]


def test_both_languages_have_the_same_texts_and_placeholders() -> None:
    assert set(TEXTS) == {"nl", "en"}
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    for key in TEXTS["nl"]:
        names = [{name for name, _ in _fields(TEXTS[language][key])} for language in ("nl", "en")]
        assert names[0] == names[1], key


def test_every_plural_has_two_forms_and_its_number_is_shown() -> None:
    for language, table in TEXTS.items():
        for key, sentence in table.items():
            shown = {name for name, spec in _fields(sentence) if "|" not in spec}
            for name, spec in _fields(sentence):
                if "|" in spec:
                    forms = spec.split("|")
                    assert len(forms) == 2, (language, key)
                    assert all(form.strip() for form in forms), (language, key)
                    assert name in shown, f"{language} {key}: a noun for {name} without the number"


# (key, values, {number: (Dutch, English)}): `number` is put into every value named `count_of`.
PLURAL_TABLE: list[tuple[str, str, dict[str, object], dict[object, tuple[str, str]]]] = [
    (
        "answer_glass",
        "goal",
        {"glasses": 1},
        {
            1: ("💧 Genoteerd: 1/1 glas vandaag.", "💧 Noted: 1/1 glass today."),
            2: ("💧 Genoteerd: 1/2 glazen vandaag.", "💧 Noted: 1/2 glasses today."),
        },
    ),
    (
        "answer_glass_goal",
        "goal",
        {"glasses": 1},
        {
            1: (
                "🎉 Doel gehaald: 1/1 glas! Vandaag geen waterherinneringen meer.",
                "🎉 Goal reached: 1/1 glass! No more water reminders today.",
            ),
            8: (
                "🎉 Doel gehaald: 1/8 glazen! Vandaag geen waterherinneringen meer.",
                "🎉 Goal reached: 1/8 glasses! No more water reminders today.",
            ),
        },
    ),
    (
        "today_water",
        "goal",
        {"glasses": 0},
        {
            1: ("💧 Water: 0/1 glas", "💧 Water: 0/1 glass"),
            2: ("💧 Water: 0/2 glazen", "💧 Water: 0/2 glasses"),
        },
    ),
    (
        "answer_hours",
        "hours",
        {},
        {
            "1": ("😴 1 uur geslapen, genoteerd.", "😴 1 hour of sleep, noted."),
            "2": ("😴 2 uur geslapen, genoteerd.", "😴 2 hours of sleep, noted."),
        },
    ),
    (
        "answer_snoozed",
        "minutes",
        {},
        {
            1: ("⏰ Ik kom over 1 minuut terug.", "⏰ I'll be back in 1 minute."),
            2: ("⏰ Ik kom over 2 minuten terug.", "⏰ I'll be back in 2 minutes."),
        },
    ),
    (
        "screen_snooze",
        "minutes",
        {},
        {
            1: ("💤 Uitstellen duurt nu 1 minuut.", "💤 Snooze currently lasts 1 minute."),
            15: ("💤 Uitstellen duurt nu 15 minuten.", "💤 Snooze currently lasts 15 minutes."),
        },
    ),
    (
        "screen_water",
        "goal",
        {"every": "…"},
        {
            1: ("💧 Doel: 1 glas per dag, een herinnering ….", "💧 Goal: 1 glass a day, a reminder …."),
            8: ("💧 Doel: 8 glazen per dag, een herinnering ….", "💧 Goal: 8 glasses a day, a reminder …."),
        },
    ),
    (
        "stats_habit",
        "current",
        {"icon": "💧", "name": "W", "best": 2, "week": 0},
        {
            0: (
                "💧 W: reeks 0 dagen · beste 2 dagen · deze week 0/7",
                "💧 W: streak 0 days · best 2 days · this week 0/7",
            ),
            1: (
                "💧 W: reeks 1 dag · beste 2 dagen · deze week 0/7",
                "💧 W: streak 1 day · best 2 days · this week 0/7",
            ),
            2: (
                "💧 W: reeks 2 dagen · beste 2 dagen · deze week 0/7",
                "💧 W: streak 2 days · best 2 days · this week 0/7",
            ),
        },
    ),
    (
        "stats_habit",
        "best",
        {"icon": "💧", "name": "W", "current": 0, "week": 1},
        {
            1: (
                "💧 W: reeks 0 dagen · beste 1 dag · deze week 1/7",
                "💧 W: streak 0 days · best 1 day · this week 1/7",
            ),
        },
    ),
    (
        "stats_water_week",
        "glasses",
        {},
        {
            0: ("💧 Deze week 0 glazen water", "💧 0 glasses of water this week"),
            1: ("💧 Deze week 1 glas water", "💧 1 glass of water this week"),
            2: ("💧 Deze week 2 glazen water", "💧 2 glasses of water this week"),
        },
    ),
    (
        "stats_sleep_week",
        "nights",
        {"hours": "7"},
        {
            1: (
                "😴 Deze week gemiddeld 7 uur slaap (1 nacht)",
                "😴 7 hours of sleep on average this week (1 night)",
            ),
            2: (
                "😴 Deze week gemiddeld 7 uur slaap (2 nachten)",
                "😴 7 hours of sleep on average this week (2 nights)",
            ),
        },
    ),
    (
        "stats_sleep_week",
        "hours",
        {"nights": 1},
        {
            "1": (
                "😴 Deze week gemiddeld 1 uur slaap (1 nacht)",
                "😴 1 hour of sleep on average this week (1 night)",
            ),
            "2": (
                "😴 Deze week gemiddeld 2 uur slaap (1 nacht)",
                "😴 2 hours of sleep on average this week (1 night)",
            ),
        },
    ),
    (
        "week_caption_start",
        "counted",
        {"done": 0},
        {
            1: (
                "📊 Je week: 0 van de 1 gewoontedag gehaald. Elke dag is een nieuwe kans 🌱",
                "📊 Your week: 0 of 1 habit day done. Every day is a fresh chance 🌱",
            ),
            2: (
                "📊 Je week: 0 van de 2 gewoontedagen gehaald. Elke dag is een nieuwe kans 🌱",
                "📊 Your week: 0 of 2 habit days done. Every day is a fresh chance 🌱",
            ),
        },
    ),
    (
        "week_caption_good",
        "counted",
        {"done": 1},
        {
            2: (
                "📊 Je week: 1 van de 2 gewoontedagen gehaald. Goed bezig! 💪",
                "📊 Your week: 1 of 2 habit days done. Nice going! 💪",
            ),
        },
    ),
    (
        "week_caption_great",
        "counted",
        {"done": 1},
        {
            1: (
                "📊 Je week: 1 van de 1 gewoontedag gehaald. Knap gedaan! 🎉",
                "📊 Your week: 1 of 1 habit day done. Well done! 🎉",
            ),
        },
    ),
    (
        "export_checkins_caption",
        "count",
        {},
        {
            0: ("0 check-ins", "0 check-ins"),
            1: ("1 check-in", "1 check-in"),
            2: ("2 check-ins", "2 check-ins"),
        },
    ),
]


@pytest.mark.parametrize(
    ("key", "count_of", "values", "number", "expected"),
    [
        pytest.param(key, count_of, values, number, expected, id=f"{key}-{count_of}-{number}")
        for key, count_of, values, table in PLURAL_TABLE
        for number, expected in table.items()
    ],
)
def test_plural_table(
    key: str, count_of: str, values: dict[str, object], number: object, expected: tuple[str, str]
) -> None:
    filled = {**values, count_of: number}
    assert (text("nl", key, **filled), text("en", key, **filled)) == expected


def test_every_text_with_a_plural_is_in_the_table() -> None:
    with_plurals = {key for key, sentence in TEXTS["nl"].items() if "|" in sentence}
    with_plurals |= {key for key, sentence in TEXTS["en"].items() if "|" in sentence}
    # "overview" is the settings summary; its water goal is checked with the screen below.
    assert with_plurals - {key for key, *_ in PLURAL_TABLE} == {"overview"}


def _member(**fields: object) -> Member:
    return Member(telegram_id=1, chat_id=1, created_at=NOW, schedule_cursor=NOW, **fields)


@pytest.mark.parametrize(
    ("minutes", "goal", "nl", "en"),
    [
        (60, 8, "💧 8 glazen, elk uur", "💧 8 glasses, every hour"),
        (90, 8, "💧 8 glazen, elke 1,5 uur", "💧 8 glasses, every 1.5 hours"),
        (120, 1, "💧 1 glas, elke 2 uur", "💧 1 glass, every 2 hours"),
    ],
)
def test_settings_water_line_and_screen(minutes: int, goal: int, nl: str, en: str) -> None:
    for language, line in (("nl", nl), ("en", en)):
        member = _member(language=language, water_interval_minutes=minutes, water_goal=goal)
        renderer = ScreenRenderer(member, Mode.SETTINGS, NOW)
        assert line in renderer.overview().splitlines()
        screen, keyboard = renderer.render(Screen.WATER)
        every = line.split(", ", 1)[1]
        assert screen.endswith(f"{every}.")
        # The interval's buttons keep the short form.
        labels = [button.text for row in keyboard.inline_keyboard for button in row]
        assert any(label.endswith("⏱️ 1 uur" if language == "nl" else "⏱️ 1 h") for label in labels)


def _water(today: int, added: float, goal: int = 8, language: str = "nl") -> str:
    return answer_line(
        CheckInResult(
            Outcome.RECORDED,
            habit=Habit.WATER,
            status=CheckInStatus.DONE,
            value=added,
            water_today=today,
            water_goal=goal,
            language=language,
        )
    )


def test_goal_reached_is_said_by_the_answer_that_reaches_it_only() -> None:
    assert _water(7, 1).startswith("💧 Genoteerd: 7/8")
    assert _water(8, 1) == "🎉 Doel gehaald: 8/8 glazen! Vandaag geen waterherinneringen meer."
    assert _water(9, 2).startswith("🎉 Doel gehaald: 9/8")  # two at once from 7 cross it
    assert _water(9, 1) == "💧 Genoteerd: 9/8 glazen vandaag."
    assert _water(10, 1, language="en") == "💧 Noted: 10/8 glasses today."


@pytest.mark.parametrize(
    ("hours", "nl", "en"),
    [
        (1.0, "😴 1 uur geslapen, genoteerd.", "😴 1 hour of sleep, noted."),
        (7.5, "😴 7,5 uur geslapen, genoteerd.", "😴 7.5 hours of sleep, noted."),
        (0.5, "😴 0,5 uur geslapen, genoteerd.", "😴 0.5 hours of sleep, noted."),
    ],
)
def test_hours_slept_answer(hours: float, nl: str, en: str) -> None:
    for language, expected in (("nl", nl), ("en", en)):
        result = CheckInResult(
            Outcome.RECORDED, habit=Habit.SLEEP, status=CheckInStatus.DONE, value=hours, language=language
        )
        assert answer_line(result) == expected


def test_snoozed_answer() -> None:
    result = CheckInResult(Outcome.SNOOZED, habit=Habit.WALK, snooze_minutes=10, language="en")
    assert answer_line(result) == "⏰ I'll be back in 10 minutes."


def test_stats_lines_with_one_of_everything() -> None:
    stats = MemberStats(
        week_start=date(2026, 11, 23),
        habits=[HabitStats(Habit.WATER, 1, 1, 1), HabitStats(Habit.SLEEP, 0, 2, 0)],
        water_glasses_week=1,
        sleep_hours_average=1.0,
        sleep_nights=1,
    )
    assert stats_text("nl", stats).splitlines()[3:] == [
        "💧 Water: reeks 1 dag · beste 1 dag · deze week 1/7",
        "🌙 Slaap: reeks 0 dagen · beste 2 dagen · deze week 0/7",
        "",
        "💧 Deze week 1 glas water",
        "😴 Deze week gemiddeld 1 uur slaap (1 nacht)",
    ]
    assert stats_text("en", stats).splitlines()[3:] == [
        "💧 Water: streak 1 day · best 1 day · this week 1/7",
        "🌙 Sleep: streak 0 days · best 2 days · this week 0/7",
        "",
        "💧 1 glass of water this week",
        "😴 1 hour of sleep on average this week (1 night)",
    ]


def test_week_caption_with_one_habit_day() -> None:
    days = [date(2026, 11, 23)]
    picture = WeekPicture(
        days=days,
        outcomes={Habit.WATER: [DayOutcome.DONE]},
        water_glasses=[8],
        water_goal=8,
        sleep_hours=[None],
    )
    assert week_caption("nl", picture, None) == "📊 Je week: 1 van de 1 gewoontedag gehaald. Knap gedaan! 🎉"
    assert week_caption("en", picture, None) == "📊 Your week: 1 of 1 habit day done. Well done! 🎉"


def test_numbers_in_each_language() -> None:
    assert [format_number("nl", n) for n in (7.5, 8.0, 0.25)] == ["7,5", "8", "0,25"]
    assert [format_number("en", n) for n in (7.5, 8.0, 0.25)] == ["7.5", "8", "0.25"]
