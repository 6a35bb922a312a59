"""The plan of a guided breathing session: rounds that fit the length, the edits and their pace."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from habits.breathing import (
    MAX_EDITS_PER_MINUTE,
    MIN_EDIT_SECONDS,
    BreathingPattern,
    PhaseKind,
    PlannedEdit,
    SessionLength,
    SessionPlan,
    Timing,
    busiest_window,
    plan_session,
    plan_timing,
    round_groups,
    rounds_for,
    thinned,
    timing,
)

IN, HOLD_FULL, OUT, HOLD_EMPTY = PhaseKind.INHALE, PhaseKind.HOLD_FULL, PhaseKind.EXHALE, PhaseKind.HOLD_EMPTY
CALM, BOX, FOUR_SEVEN_EIGHT = BreathingPattern.CALM, BreathingPattern.BOX, BreathingPattern.FOUR_SEVEN_EIGHT
ALL_SESSIONS = list(itertools.product(BreathingPattern, SessionLength))
# A hypothetical quick pattern: every phase 2 s, shorter than one edit gap.
QUICK = Timing(inhale=2, hold_full=2, exhale=2, hold_empty=2)


def kinds(edit: PlannedEdit) -> tuple[PhaseKind, ...]:
    return tuple(phase.kind for phase in edit.phases)


def assert_sound(plan: SessionPlan) -> None:
    """What every plan promises, full or thinned."""
    offsets = [edit.offset for edit in plan.edits]
    assert offsets[0] == 0
    assert all(later - earlier >= MIN_EDIT_SECONDS for earlier, later in itertools.pairwise(offsets))
    assert busiest_window(plan) <= MAX_EDITS_PER_MINUTE
    assert plan.closing.closing
    assert plan.closing.offset == plan.end_offset
    assert [edit.closing for edit in plan.edits].count(True) == 1
    # Each edit covers the time up to the next one, so together they cover the session exactly.
    assert all(edit.offset + edit.seconds == later.offset for edit, later in itertools.pairwise(plan.edits))
    assert plan.end_offset == plan.rounds * plan.timing.cycle_seconds
    assert all(edit.rounds == plan.rounds and 1 <= edit.round <= plan.rounds for edit in plan.edits)
    # Every round shows all its phases once, in order.
    for number in range(1, plan.rounds + 1):
        shown = [p for edit in plan.edits if edit.round == number for p in edit.phases]
        assert tuple(shown) == plan.timing.phases


@pytest.mark.parametrize(
    ("pattern", "phases", "cycle"),
    [
        (CALM, ((IN, 4), (OUT, 6)), 10),
        (BOX, ((IN, 4), (HOLD_FULL, 4), (OUT, 4), (HOLD_EMPTY, 4)), 16),
        (FOUR_SEVEN_EIGHT, ((IN, 4), (HOLD_FULL, 7), (OUT, 8)), 19),
    ],
)
def test_patterns(pattern: BreathingPattern, phases: tuple[tuple[PhaseKind, int], ...], cycle: int) -> None:
    assert tuple((phase.kind, phase.seconds) for phase in timing(pattern).phases) == phases
    assert timing(pattern).cycle_seconds == cycle


def test_stored_values() -> None:
    assert [pattern.value for pattern in BreathingPattern] == ["calm", "box", "478"]
    assert [length.value for length in SessionLength] == [1, 2, 5]
    assert BreathingPattern("478") is FOUR_SEVEN_EIGHT
    assert SessionLength(5).seconds == 300


# Round rule: as many whole rounds as fit, at least one; so the session ends at or before its length.
@pytest.mark.parametrize(
    ("pattern", "length", "rounds", "ends_at"),
    [
        (CALM, SessionLength.ONE, 6, 60),
        (CALM, SessionLength.TWO, 12, 120),
        (CALM, SessionLength.FIVE, 30, 300),
        (BOX, SessionLength.ONE, 3, 48),
        (BOX, SessionLength.TWO, 7, 112),
        (BOX, SessionLength.FIVE, 18, 288),
        (FOUR_SEVEN_EIGHT, SessionLength.ONE, 3, 57),
        (FOUR_SEVEN_EIGHT, SessionLength.TWO, 6, 114),
        (FOUR_SEVEN_EIGHT, SessionLength.FIVE, 15, 285),
    ],
)
def test_rounds_fit_the_length(
    pattern: BreathingPattern, length: SessionLength, rounds: int, ends_at: int
) -> None:
    plan = plan_session(pattern, length)
    assert plan.rounds == rounds
    assert plan.end_offset == ends_at
    assert length.seconds - timing(pattern).cycle_seconds < plan.end_offset <= length.seconds


@pytest.mark.parametrize(
    ("cycle", "length", "rounds"),
    [(10, 60, 6), (10, 59.9, 5), (10, 69.9, 6), (30, 29, 1), (90, 60, 1), (3, 60, 20)],
)
def test_round_rule(cycle: float, length: float, rounds: int) -> None:
    assert rounds_for(Timing(inhale=cycle / 2, exhale=cycle / 2), length) == rounds


def test_calm_one_minute_edit_by_edit() -> None:
    plan = plan_session(CALM, SessionLength.ONE)
    assert [(edit.offset, edit.round, kinds(edit)) for edit in plan.edits] == [
        (0, 1, (IN,)),
        (4, 1, (OUT,)),
        (10, 2, (IN,)),
        (14, 2, (OUT,)),
        (20, 3, (IN,)),
        (24, 3, (OUT,)),
        (30, 4, (IN,)),
        (34, 4, (OUT,)),
        (40, 5, (IN,)),
        (44, 5, (OUT,)),
        (50, 6, (IN,)),
        (54, 6, (OUT,)),
        (60, 6, ()),
    ]
    assert not plan.thinned


@pytest.mark.parametrize(
    ("pattern", "first_round"),
    [
        (BOX, [(0, (IN,)), (4, (HOLD_FULL,)), (8, (OUT,)), (12, (HOLD_EMPTY,))]),
        (FOUR_SEVEN_EIGHT, [(0, (IN,)), (4, (HOLD_FULL,)), (11, (OUT,))]),
    ],
)
def test_built_in_patterns_need_no_merging(
    pattern: BreathingPattern, first_round: list[tuple[float, tuple[PhaseKind, ...]]]
) -> None:
    plan = plan_session(pattern, SessionLength.TWO)
    assert [(edit.offset, kinds(edit)) for edit in plan.edits if edit.round == 1][
        : len(first_round)
    ] == first_round
    assert all(len(edit.phases) <= 1 for edit in plan.edits)


@pytest.mark.parametrize(
    ("given_timing", "groups"),
    [
        # Every phase 2 s: in + hold share an edit, out + hold the next.
        (QUICK, [(IN, HOLD_FULL), (OUT, HOLD_EMPTY)]),
        # A short phase's edit runs on over the next phase: the hold is cued on time, the out-breath
        # with it.
        (Timing(inhale=4, hold_full=1, exhale=6), [(IN,), (HOLD_FULL, OUT)]),
        (Timing(inhale=2, exhale=6), [(IN, OUT)]),
        # A short last phase joins the one before, even when that one was long enough alone.
        (Timing(inhale=4, exhale=4, hold_empty=2), [(IN,), (OUT, HOLD_EMPTY)]),
        (Timing(inhale=2, hold_full=2, exhale=2), [(IN, HOLD_FULL, OUT)]),
        # Exactly 3 s is long enough.
        (Timing(inhale=3, hold_full=3, exhale=3, hold_empty=3), [(IN,), (HOLD_FULL,), (OUT,), (HOLD_EMPTY,)]),
        (Timing(inhale=1.5, exhale=1.5), [(IN, OUT)]),
    ],
)
def test_short_phases_share_an_edit(given_timing: Timing, groups: list[tuple[PhaseKind, ...]]) -> None:
    assert [tuple(phase.kind for phase in group) for group in round_groups(given_timing)] == groups
    for length in (60, 120, 300):
        assert_sound(plan_timing(given_timing, length))


def test_quick_pattern_stays_within_the_rate() -> None:
    plan = plan_timing(QUICK, 120)
    assert plan.rounds == 15
    assert [edit.offset for edit in plan.edits[:5]] == [0, 4, 8, 12, 16]
    # Without merging that would be 30 edits a minute.
    assert busiest_window(plan) == 15


@pytest.mark.parametrize(("pattern", "length"), ALL_SESSIONS)
def test_every_session_stays_within_the_rate(pattern: BreathingPattern, length: SessionLength) -> None:
    assert_sound(plan_session(pattern, length))
    assert_sound(thinned(plan_session(pattern, length)))


@pytest.mark.parametrize(("pattern", "length"), ALL_SESSIONS)
def test_thinned_is_one_edit_per_round(pattern: BreathingPattern, length: SessionLength) -> None:
    plan = plan_session(pattern, length)
    thin = thinned(plan)
    assert thin.thinned
    assert (thin.rounds, thin.end_offset) == (plan.rounds, plan.end_offset)
    assert [(edit.offset, edit.round) for edit in thin.edits[:-1]] == [
        ((number - 1) * plan.timing.cycle_seconds, number) for number in range(1, plan.rounds + 1)
    ]
    assert all(edit.phases == plan.timing.phases for edit in thin.edits[:-1])
    assert thinned(thin) == thin


def test_thinned_calm_one_minute() -> None:
    thin = thinned(plan_session(CALM, SessionLength.ONE))
    assert [edit.offset for edit in thin.edits] == [0, 10, 20, 30, 40, 50, 60]
    assert busiest_window(thin) == 6


@pytest.mark.parametrize(
    "bad",
    [
        {"inhale": 0, "exhale": 4},
        {"inhale": 4, "exhale": 0},
        {"inhale": 4, "exhale": 4, "hold_full": -1},
        {"inhale": 1, "exhale": 1},  # a round shorter than one edit gap
    ],
)
def test_unsound_timings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"breath|round"):
        Timing(**bad)


# Halves of a second, so sums are exact and the 3 s boundary is really hit.
seconds = st.integers(min_value=1, max_value=40).map(lambda halves: halves / 2)
holds = st.one_of(st.just(0.0), seconds)


@st.composite
def timings(draw: st.DrawFn) -> Timing:
    candidate = (draw(seconds), draw(seconds), draw(holds), draw(holds))
    if sum(candidate) < MIN_EDIT_SECONDS:
        candidate = (MIN_EDIT_SECONDS, *candidate[1:])
    return Timing(*candidate)


@given(timings(), st.integers(min_value=3, max_value=900))
def test_any_timing_stays_within_the_rate(given_timing: Timing, length: int) -> None:
    plan = plan_timing(given_timing, length)
    assert_sound(plan)
    assert_sound(thinned(plan))
    assert plan.rounds == max(1, int(length // given_timing.cycle_seconds))
    assert plan.end_offset <= length or plan.rounds == 1
