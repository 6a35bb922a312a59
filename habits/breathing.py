"""Guided breathing: the patterns, the session lengths and the plan of a session's message edits.

Pure: no I/O, no clock. A guided session is one Telegram message that is edited as the breath goes
(in, hold, out, hold). Telegram allows about 20 edits per minute in one chat, so the plan never puts
two edits less than `MIN_EDIT_SECONDS` apart: an edit that would show less than that also shows
the phase after it, and a short rest at the end of a round joins the edit before it (the built-in
patterns, all phases 4 s or more, need neither). With edits at least 3 s apart, any 60 s window
holds at most 20 of them.

The round rule: a session has as many whole rounds as fit its length, and at least one. So it
ends at, or at most one round (under 20 s for the built-in patterns) before, the chosen length,
and never stops mid-breath. Only a pattern whose round is longer than the length itself overruns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

# Telegram's limit is about 20 edits per minute and chat; 60 / 20 = 3 s between edits keeps any
# 60 s window at 20 edits or fewer.
MAX_EDITS_PER_MINUTE = 20
MIN_EDIT_SECONDS = 60 / MAX_EDITS_PER_MINUTE
# The check-in source of a breathing exercise finished in the chat.
GUIDED_SOURCE = "guided"


class PhaseKind(StrEnum):
    INHALE = "inhale"
    HOLD_FULL = "hold_full"  # holding after the in-breath
    EXHALE = "exhale"
    HOLD_EMPTY = "hold_empty"  # holding after the out-breath


class BreathingPattern(StrEnum):
    """Stored in a member's settings by value."""

    CALM = "calm"  # in 4, out 6
    BOX = "box"  # in 4, hold 4, out 4, hold 4
    FOUR_SEVEN_EIGHT = "478"  # in 4, hold 7, out 8


class SessionLength(IntEnum):
    """Minutes; stored in a member's settings by value."""

    ONE = 1
    TWO = 2
    FIVE = 5

    @property
    def seconds(self) -> int:
        return self.value * 60


class GuidanceMode(StrEnum):
    """How a member prefers to be guided: edits of one message, or a looping animation."""

    TEXT = "text"
    ANIMATION = "animation"


DEFAULT_PATTERN = BreathingPattern.CALM
DEFAULT_LENGTH = SessionLength.TWO
DEFAULT_MODE = GuidanceMode.TEXT


@dataclass(frozen=True)
class Phase:
    kind: PhaseKind
    seconds: float


@dataclass(frozen=True)
class Timing:
    """One round of breathing, in seconds; a hold of 0 is left out.

    Only this order exists (in, hold, out, hold), so the phases of one round are all of different
    kinds, which keeps the edits within a round distinguishable.
    """

    inhale: float
    exhale: float
    hold_full: float = 0
    hold_empty: float = 0

    def __post_init__(self) -> None:
        if self.inhale <= 0 or self.exhale <= 0 or self.hold_full < 0 or self.hold_empty < 0:
            raise ValueError(f"a breath needs an in- and out-breath and no negative hold: {self}")
        # A round shorter than one edit gap would need edits spanning rounds; no real pattern is.
        if self.cycle_seconds < MIN_EDIT_SECONDS:
            raise ValueError(f"a round shorter than {MIN_EDIT_SECONDS:g} s: {self}")

    @property
    def phases(self) -> tuple[Phase, ...]:
        parts = (
            Phase(PhaseKind.INHALE, self.inhale),
            Phase(PhaseKind.HOLD_FULL, self.hold_full),
            Phase(PhaseKind.EXHALE, self.exhale),
            Phase(PhaseKind.HOLD_EMPTY, self.hold_empty),
        )
        return tuple(phase for phase in parts if phase.seconds > 0)

    @property
    def cycle_seconds(self) -> float:
        return self.inhale + self.hold_full + self.exhale + self.hold_empty


TIMINGS: dict[BreathingPattern, Timing] = {
    BreathingPattern.CALM: Timing(inhale=4, exhale=6),
    BreathingPattern.BOX: Timing(inhale=4, hold_full=4, exhale=4, hold_empty=4),
    BreathingPattern.FOUR_SEVEN_EIGHT: Timing(inhale=4, hold_full=7, exhale=8),
}


def timing(pattern: BreathingPattern) -> Timing:
    return TIMINGS[pattern]


@dataclass(frozen=True)
class PlannedEdit:
    """What the session message shows from `offset` seconds after the start.

    `phases` are the phases it covers, in order (one, or more when short phases share an edit or
    the plan is thinned); none for the closing edit at the planned end.
    """

    offset: float
    round: int
    rounds: int
    phases: tuple[Phase, ...]

    @property
    def closing(self) -> bool:
        return not self.phases

    @property
    def seconds(self) -> float:
        return sum(phase.seconds for phase in self.phases)


@dataclass(frozen=True)
class SessionPlan:
    timing: Timing
    length_seconds: float
    rounds: int
    # In time order; the last one is the closing edit, at `end_offset`.
    edits: tuple[PlannedEdit, ...]
    thinned: bool = False

    @property
    def end_offset(self) -> float:
        return self.rounds * self.timing.cycle_seconds

    @property
    def closing(self) -> PlannedEdit:
        return self.edits[-1]


def rounds_for(timing: Timing, length_seconds: float) -> int:
    """As many whole rounds as fit in the length, and at least one."""
    return max(1, int(length_seconds // timing.cycle_seconds))


def round_groups(timing: Timing) -> tuple[tuple[Phase, ...], ...]:
    """A round's phases grouped into edits, each spanning at least `MIN_EDIT_SECONDS`.

    A phase joins the group before it while that group is still too short; a too-short group left
    at the end of the round joins the one before it (edits never span two rounds, so each round's
    first edit carries its number). Every group but the last is closed only once
    it is long enough, and the last one is either long enough, joined to a long-enough group, or
    the whole round (at least `MIN_EDIT_SECONDS` by `Timing`'s rule).
    """
    groups: list[list[Phase]] = []
    for phase in timing.phases:
        if groups and sum(p.seconds for p in groups[-1]) < MIN_EDIT_SECONDS:
            groups[-1].append(phase)
        else:
            groups.append([phase])
    if len(groups) > 1 and sum(p.seconds for p in groups[-1]) < MIN_EDIT_SECONDS:
        groups[-2].extend(groups.pop())
    return tuple(tuple(group) for group in groups)


def _plan(timing: Timing, length_seconds: float, groups: tuple[tuple[Phase, ...], ...]) -> SessionPlan:
    rounds = rounds_for(timing, length_seconds)
    edits: list[PlannedEdit] = []
    for number in range(1, rounds + 1):
        # Multiplied, not summed edit by edit, so offsets of long sessions do not drift.
        offset = (number - 1) * timing.cycle_seconds
        for group in groups:
            edits.append(PlannedEdit(offset, number, rounds, group))
            offset += sum(phase.seconds for phase in group)
    edits.append(PlannedEdit(rounds * timing.cycle_seconds, rounds, rounds, ()))
    return SessionPlan(timing, length_seconds, rounds, tuple(edits), thinned=len(groups) == 1)


def plan_timing(timing: Timing, length_seconds: float) -> SessionPlan:
    """The plan of a session of `length_seconds` for any timing (the built-in ones or another)."""
    return _plan(timing, length_seconds, round_groups(timing))


def plan_session(pattern: BreathingPattern, length: SessionLength) -> SessionPlan:
    return plan_timing(timing(pattern), length.seconds)


def thinned(plan: SessionPlan) -> SessionPlan:
    """The same session with one edit per round (at its start, showing the whole round) and the
    closing edit: for when the edits of the full plan do not get out."""
    return _plan(plan.timing, plan.length_seconds, (plan.timing.phases,))


def edits_in_window(plan: SessionPlan, start: float, seconds: float = 60) -> int:
    """How many planned edits fall in [start, start + seconds)."""
    return sum(1 for edit in plan.edits if start <= edit.offset < start + seconds)


def busiest_window(plan: SessionPlan, seconds: float = 60) -> int:
    """The most edits in any window of `seconds`; the busiest window always starts at an edit."""
    return max(edits_in_window(plan, edit.offset, seconds) for edit in plan.edits)
