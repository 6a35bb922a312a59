"""The pace of a guided session's edits: late edits skipped, refusals waited out, thinned when the
full pace does not get out, and always a closing edit."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.breathing.pacing import LATE_SECONDS, THIN_AFTER_SKIPS, next_edit
from bot.breathing.views import closing_text, edit_text
from habits.breathing import (
    MIN_EDIT_SECONDS,
    BreathingPattern,
    SessionLength,
    SessionPlan,
    plan_session,
    thinned,
)

# Edits at 0, 4, 10, 14, ... 50, 54, closing at 60.
CALM = plan_session(BreathingPattern.CALM, SessionLength.ONE)
THIN_CALM = thinned(CALM)  # 0, 10, 20, ... 50, closing at 60
END = CALM.end_offset


@dataclass(frozen=True)
class Case:
    now: float
    skipped: int = 0
    after: float | None = None
    retry_after: float = 0.0


@pytest.mark.parametrize(
    ("case", "offset", "at", "skipped", "thin"),
    [
        # The start, and each edit after the one before.
        (Case(0), 0, 0, 0, False),
        (Case(0.2, after=0), 4, 4, 0, False),
        (Case(4.1, after=4), 10, 10, 0, False),
        # Up to a second late: made at once.
        (Case(4.8, after=0), 4, 4.8, 0, False),
        (Case(5.0, after=0), 4, 5.0, 0, False),
        # More than a second late: skipped, the next one on time.
        (Case(5.5, after=0), 10, 10, 1, False),
        (Case(11.5, after=0), 14, 14, 2, False),
        # A refusal (429) counts as skipped; nothing is made before its wait is over.
        (Case(4, 1, after=4, retry_after=5), 10, 10, 1, False),
        (Case(4, 1, after=4, retry_after=7), 10, 11, 1, False),
        (Case(4, 1, after=4, retry_after=8), 14, 14, 2, False),
        # A negative wait is no wait.
        (Case(4, 1, after=4, retry_after=-3), 10, 10, 1, False),
        # More than THIN_AFTER_SKIPS in a row: one edit per round from then on.
        (Case(4, 2, after=4, retry_after=8), 20, 20, 3, True),
        (Case(14, 2, after=14, retry_after=20), 40, 40, 4, True),
        (Case(0.5, 3, after=0), 10, 10, 3, True),
        (Case(15.5, after=0), 20, 20, 1, True),
        # The closing edit is never skipped, however late.
        (Case(59.5, after=54), END, END, 0, False),
        (Case(75, after=54), END, 75, 0, False),
        (Case(200, after=4), END, 200, 5, True),
        (Case(54, 1, after=54, retry_after=30), END, 84, 1, False),
        # A refused closing edit is tried again after the wait.
        (Case(60, 1, after=END, retry_after=3), END, 63, 1, False),
    ],
)
def test_next_edit(case: Case, offset: float, at: float, skipped: int, thin: bool) -> None:
    step = next_edit(CALM, case.now, case.skipped, after=case.after, retry_after=case.retry_after)
    assert step is not None
    assert (step.edit.offset, step.at, step.skipped, step.plan.thinned) == (offset, at, skipped, thin)
    assert step.plan == (THIN_CALM if thin else CALM)


@pytest.mark.parametrize(
    ("now", "skipped", "after", "offset", "at", "skipped_now"),
    [
        (0, 0, None, 0, 0, 0),
        (0.3, 0, 0, 10, 10, 0),
        (11.5, 0, 10, 20, 20, 0),
        (21.5, 0, 10, 30, 30, 1),
        (20, 5, 20, 30, 30, 5),
        (62, 0, 50, END, 62, 0),
    ],
)
def test_a_thinned_plan_stays_thinned(
    now: float, skipped: int, after: float | None, offset: float, at: float, skipped_now: int
) -> None:
    step = next_edit(THIN_CALM, now, skipped, after=after)
    assert step is not None
    assert (step.edit.offset, step.at, step.skipped, step.plan) == (offset, at, skipped_now, THIN_CALM)


def test_over_once_the_closing_edit_went_out() -> None:
    assert next_edit(CALM, 60.2, 0, after=END) is None
    assert next_edit(THIN_CALM, 300, 0, after=END) is None


@dataclass
class Attempt:
    at: float
    offset: float
    text: str
    closing: bool
    refused: float | None  # the retry_after of a 429, or None when the edit went out


def run_session(plan: SessionPlan, refusals: list[float | None], latency: float = 0.0) -> list[Attempt]:
    """Plays a session against a Telegram that answers the n-th edit with refusals[n] (a 429 and
    its retry_after) or, once the list runs out or has None there, accepts it. Every edit takes
    `latency` seconds."""
    attempts: list[Attempt] = []
    now, skipped, after, retry_after = 0.0, 0, None, 0.0
    for attempt in itertools.count():
        assert attempt < 1000, "the session never ends"
        step = next_edit(plan, now, skipped, after=after, retry_after=retry_after)
        if step is None:
            return attempts
        plan, now, after = step.plan, step.at, step.edit.offset
        refusal = refusals[attempt] if attempt < len(refusals) else None
        attempts.append(Attempt(now, after, edit_text("nl", step.edit), step.edit.closing, refusal))
        if refusal is None:
            skipped, retry_after = 0, 0.0
        else:
            skipped, retry_after = step.skipped + 1, refusal
        now += latency
    raise AssertionError("unreachable")


@pytest.mark.parametrize(("pattern", "length"), list(itertools.product(BreathingPattern, SessionLength)))
def test_an_undisturbed_session_makes_every_edit_on_time(
    pattern: BreathingPattern, length: SessionLength
) -> None:
    plan = plan_session(pattern, length)
    shown = run_session(plan, [], latency=0.3)
    assert all(item.refused is None for item in shown)
    assert [item.offset for item in shown] == [edit.offset for edit in plan.edits]
    assert all(item.at == item.offset for item in shown)


def test_a_session_that_cannot_get_its_edits_out_thins_and_ends_on_time() -> None:
    # The first three edits refused, each with a 5 s wait: from then on one edit per round.
    attempts = run_session(CALM, [5.0, 5.0, 5.0])
    assert [(item.offset, item.at) for item in attempts[:3]] == [(0, 0), (4, 5), (10, 10)]
    shown = [item for item in attempts if item.refused is None]
    assert [(item.offset, item.at) for item in shown] == [(20, 20), (30, 30), (40, 40), (50, 50), (END, END)]
    assert shown[-1].closing


def test_a_refusal_now_and_then_keeps_the_full_pace() -> None:
    # Every other edit refused with a 9 s wait: what gets out is on time, and never two skipped in
    # a row. The closing edit is refused too, and made once the wait is over.
    attempts = run_session(CALM, [9.0, None] * 20)
    assert [(item.offset, item.at, item.refused) for item in attempts] == [
        (0, 0, 9.0),
        (10, 10, None),
        (14, 14, 9.0),
        (24, 24, None),
        (30, 30, 9.0),
        (40, 40, None),
        (44, 44, 9.0),
        (54, 54, None),
        (END, END, 9.0),
        (END, END + 9, None),
    ]


@given(
    st.sampled_from(list(BreathingPattern)),
    st.sampled_from(list(SessionLength)),
    st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=30)), max_size=80),
    st.sampled_from([0.0, 0.2, 0.9]),
)
def test_any_run_of_refusals(
    pattern: BreathingPattern, length: SessionLength, refusals: list[float | None], latency: float
) -> None:
    plan = plan_session(pattern, length)
    attempts = run_session(plan, refusals, latency)
    shown = [item for item in attempts if item.refused is None]
    texts = [item.text for item in shown]
    # It always ends with the closing line, shown once.
    assert texts[-1] == closing_text("nl")
    assert texts.count(closing_text("nl")) == 1
    # Never the same text twice in a row (Telegram would refuse it), never ahead of the breath,
    # never more than a second behind it.
    assert all(first != second for first, second in itertools.pairwise(texts))
    assert all(item.offset <= item.at for item in shown)
    assert all(item.at <= item.offset + LATE_SECONDS for item in shown if not item.closing)
    assert all(
        later.at - earlier.at >= MIN_EDIT_SECONDS - LATE_SECONDS
        for earlier, later in itertools.pairwise(shown)
    )
    # The closing waits only for Telegram: it is due at the end, or as soon as the wait after the
    # last refusal is over, or (with a slow Telegram) as soon as the edit before it is done.
    before = attempts[-2]
    waited = before.at + latency + (before.refused or 0.0)
    assert shown[-1].at == max(plan.end_offset, waited)
    assert attempts[-1] is shown[-1]


@pytest.mark.parametrize("skipped", range(THIN_AFTER_SKIPS + 3))
def test_up_to_the_limit_the_full_pace_holds(skipped: int) -> None:
    step = next_edit(CALM, 4, skipped, after=4)
    assert step is not None
    assert step.plan.thinned == (skipped > THIN_AFTER_SKIPS)
