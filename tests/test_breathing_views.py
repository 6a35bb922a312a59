"""The texts of a guided breathing session, nl and en: words, dots, rounds, and never a repeat."""

from __future__ import annotations

import itertools
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.breathing.views import (
    DOT_SIZES,
    LANGUAGES,
    MAX_DOTS,
    TEXTS,
    breath_dots,
    closing_text,
    edit_text,
    interrupted_text,
    intro_text,
    length_label,
    mode_label,
    pattern_label,
    phase_words,
    restart_button,
    round_line,
    session_texts,
    start_button,
    stop_button,
    stopped_text,
)
from habits.breathing import (
    BreathingPattern,
    GuidanceMode,
    PhaseKind,
    SessionLength,
    SessionPlan,
    Timing,
    plan_session,
    plan_timing,
    thinned,
)

IN, HOLD_FULL, OUT, HOLD_EMPTY = PhaseKind.INHALE, PhaseKind.HOLD_FULL, PhaseKind.EXHALE, PhaseKind.HOLD_EMPTY
ALL_SESSIONS = list(itertools.product(BreathingPattern, SessionLength))
# Telegram's limit for a message text.
TELEGRAM_TEXT_LIMIT = 4096


def sizes(dots: str) -> list[int]:
    return [DOT_SIZES.index(dot) for dot in dots.split(" ")]


def test_every_text_in_both_languages() -> None:
    assert set(TEXTS) == set(LANGUAGES)
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    for key in TEXTS["nl"]:
        fields = {
            language: {name for _, name, _, _ in string.Formatter().parse(TEXTS[language][key]) if name}
            for language in LANGUAGES
        }
        assert fields["nl"] == fields["en"], key
        assert all(TEXTS[language][key].strip() for language in LANGUAGES), key


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            [
                "▶️ Samen ademen (2 min)",
                "⏹️ Stop",
                "🔁 Opnieuw",
                "Klaar. Mooi gedaan 🌿 Ik heb je ademoefening genoteerd.",
                "Deze ademsessie werd onderbroken.",
                "Ronde 2 van 8",
                "🌬️ Adem in",
                "⏸️ Vasthouden",
                "😮‍💨 Adem uit",
            ],
        ),
        (
            "en",
            [
                "▶️ Breathe with me (2 min)",
                "⏹️ Stop",
                "🔁 Start again",
                "Done. Nicely done 🌿 I've logged your breathing exercise.",
                "This breathing session was interrupted.",
                "Round 2 of 8",
                "🌬️ Breathe in",
                "⏸️ Hold",
                "😮‍💨 Breathe out",
            ],
        ),
    ],
)
def test_the_words(language: str, texts: list[str]) -> None:
    assert [
        start_button(language),
        stop_button(language),
        restart_button(language),
        closing_text(language),
        interrupted_text(language),
        round_line(language, 2, 8),
        phase_words(language, IN),
        phase_words(language, HOLD_FULL),
        phase_words(language, OUT),
    ] == texts


@pytest.mark.parametrize(
    ("language", "pattern", "length", "labels"),
    [
        ("nl", BreathingPattern.CALM, SessionLength.ONE, ("Rustig 4-6", "1 min", "▶️ Samen ademen (1 min)")),
        (
            "nl",
            BreathingPattern.BOX,
            SessionLength.TWO,
            ("Vierkant 4-4-4-4", "2 min", "▶️ Samen ademen (2 min)"),
        ),
        (
            "nl",
            BreathingPattern.FOUR_SEVEN_EIGHT,
            SessionLength.FIVE,
            ("4-7-8", "5 min", "▶️ Samen ademen (5 min)"),
        ),
        ("en", BreathingPattern.CALM, SessionLength.ONE, ("Calm 4-6", "1 min", "▶️ Breathe with me (1 min)")),
        (
            "en",
            BreathingPattern.BOX,
            SessionLength.TWO,
            ("Box 4-4-4-4", "2 min", "▶️ Breathe with me (2 min)"),
        ),
        (
            "en",
            BreathingPattern.FOUR_SEVEN_EIGHT,
            SessionLength.FIVE,
            ("4-7-8", "5 min", "▶️ Breathe with me (5 min)"),
        ),
    ],
)
def test_settings_labels(
    language: str, pattern: BreathingPattern, length: SessionLength, labels: tuple[str, str, str]
) -> None:
    assert (
        pattern_label(language, pattern),
        length_label(language, length),
        start_button(language, length),
    ) == labels
    assert pattern_label(language, pattern) in intro_text(language, pattern, length)
    assert length_label(language, length) in intro_text(language, pattern, length)


@pytest.mark.parametrize(
    ("language", "text", "animation"),
    [("nl", "💬 Tekst", "🎞️ Animatie"), ("en", "💬 Text", "🎞️ Animation")],
)
def test_mode_labels(language: str, text: str, animation: str) -> None:
    assert (mode_label(language, GuidanceMode.TEXT), mode_label(language, GuidanceMode.ANIMATION)) == (
        text,
        animation,
    )


def test_unknown_language_speaks_dutch() -> None:
    assert closing_text("fr") == closing_text("nl")
    assert stopped_text("") == stopped_text("nl")


@pytest.mark.parametrize(
    ("kind", "seconds", "dots"),
    [
        (IN, 4, "· • ● ⬤"),
        (OUT, 4, "⬤ ● • ·"),
        (OUT, 6, "⬤ ● ● • • ·"),
        (OUT, 8, "⬤ ⬤ ● ● • • · ·"),
        (HOLD_FULL, 7, "⬤ ⬤ ⬤ ⬤ ⬤ ⬤ ⬤"),
        (HOLD_EMPTY, 4, "· · · ·"),
        (IN, 1, "⬤"),
        (OUT, 1.2, "⬤"),
        (HOLD_EMPTY, 0.4, "·"),
    ],
)
def test_dots(kind: PhaseKind, seconds: float, dots: str) -> None:
    assert breath_dots(kind, seconds) == dots


@given(st.integers(min_value=1, max_value=60))
def test_dots_grow_in_and_shrink_out(seconds: int) -> None:
    growing, shrinking = sizes(breath_dots(IN, seconds)), sizes(breath_dots(OUT, seconds))
    assert len(growing) == len(shrinking) == min(seconds, MAX_DOTS)
    assert growing == sorted(growing)
    assert shrinking == growing[::-1]
    assert growing[-1] == len(DOT_SIZES) - 1
    assert sizes(breath_dots(HOLD_FULL, seconds)) == [growing[-1]] * len(growing)
    assert set(sizes(breath_dots(HOLD_EMPTY, seconds))) == {0}


@pytest.mark.parametrize(
    ("language", "number", "text"),
    [
        ("nl", 0, "🌬️ Adem in\n· • ● ⬤\n\nRonde 1 van 12"),
        ("nl", 3, "😮‍💨 Adem uit\n⬤ ● ● • • ·\n\nRonde 2 van 12"),
        ("en", 2, "🌬️ Breathe in\n· • ● ⬤\n\nRound 2 of 12"),
        ("en", -1, "Done. Nicely done 🌿 I've logged your breathing exercise."),
    ],
)
def test_calm_texts(language: str, number: int, text: str) -> None:
    assert edit_text(language, plan_session(BreathingPattern.CALM, SessionLength.TWO).edits[number]) == text


def test_thinned_text_shows_the_whole_round() -> None:
    plan = thinned(plan_session(BreathingPattern.FOUR_SEVEN_EIGHT, SessionLength.ONE))
    assert edit_text("nl", plan.edits[1]) == (
        "🌬️ Adem in\n· • ● ⬤\n⏸️ Vasthouden\n⬤ ⬤ ⬤ ⬤ ⬤ ⬤ ⬤\n😮‍💨 Adem uit\n⬤ ⬤ ● ● • • · ·\n\nRonde 2 van 3"
    )


def assert_all_different(plan: SessionPlan) -> None:
    for language in LANGUAGES:
        texts = session_texts(language, plan)
        assert len(set(texts)) == len(texts)
        assert all(0 < len(text) <= TELEGRAM_TEXT_LIMIT for text in texts)
        assert not any(re.search(r"[{}]", text) for text in texts)


@pytest.mark.parametrize(("pattern", "length"), ALL_SESSIONS)
def test_no_text_repeats(pattern: BreathingPattern, length: SessionLength) -> None:
    plan = plan_session(pattern, length)
    assert_all_different(plan)
    assert_all_different(thinned(plan))


@pytest.mark.parametrize(("pattern", "length"), ALL_SESSIONS)
def test_no_repeat_when_a_session_switches_to_thinned(
    pattern: BreathingPattern, length: SessionLength
) -> None:
    """After a switch the next thinned edit starts a later round, so it never repeats the text shown."""
    plan, thin = plan_session(pattern, length), thinned(plan_session(pattern, length))
    for language, shown in itertools.product(LANGUAGES, plan.edits[:-1]):
        following = next(edit for edit in thin.edits if edit.offset > shown.offset)
        assert edit_text(language, following) != edit_text(language, shown)


halves = st.integers(min_value=1, max_value=30).map(lambda count: count / 2)
holds = st.one_of(st.just(0.0), halves)


@given(halves, halves, holds, holds, st.integers(min_value=3, max_value=300))
def test_no_text_repeats_for_any_timing(
    inhale: float, exhale: float, hold_full: float, hold_empty: float, length: int
) -> None:
    if inhale + exhale + hold_full + hold_empty < 3:
        inhale = 3
    plan = plan_timing(Timing(inhale, exhale, hold_full, hold_empty), length)
    assert_all_different(plan)
    assert_all_different(thinned(plan))


def test_session_lines_are_distinct_from_each_other() -> None:
    for language in LANGUAGES:
        endings = {closing_text(language), stopped_text(language), interrupted_text(language)}
        assert len(endings) == 3
