"""The admins' statistics ranked: per habit, the tips by the share of nudges done within 2 hours.

A tip is ranked once it was sent `MIN_SENT` times in 30 days (fewer say little); a ranked tip is
weak when its rate is `WEAK_GAP` points or more below its habit's. Deleted tips keep their rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from storage.stats_queries import TipSendCounts
from tips.library import TipLibrary
from tips.schema import TipGroup

MIN_SENT = 10
WEAK_GAP = 15  # percentage points


@dataclass(frozen=True)
class TipRank:
    tip_id: str | None  # None: nudges that went without a tip
    sent_30: int
    done_30: int
    sent_7: int
    done_7: int
    enabled: bool = True
    deleted_text: str | None = None  # the Dutch text of a deleted tip
    weak: bool = False

    @property
    def rate(self) -> float | None:
        return self.done_30 / self.sent_30 if self.sent_30 else None

    @property
    def rate_7(self) -> float | None:
        return self.done_7 / self.sent_7 if self.sent_7 else None


@dataclass(frozen=True)
class HabitRanking:
    group: TipGroup
    sent_30: int
    done_30: int
    sent_7: int
    done_7: int
    ranked: tuple[TipRank, ...]  # best first
    few: tuple[TipRank, ...]  # sent fewer than MIN_SENT times, in file order
    without_tip: TipRank | None

    @property
    def rate(self) -> float | None:
        return self.done_30 / self.sent_30 if self.sent_30 else None

    @property
    def rate_7(self) -> float | None:
        return self.done_7 / self.sent_7 if self.sent_7 else None


def rank(
    counts: Sequence[TipSendCounts], library: TipLibrary, deleted: Mapping[str, str]
) -> list[HabitRanking]:
    """Every habit group that has tips or sends; `deleted` maps a deleted tip's id to its text."""
    rankings = []
    for group in TipGroup:
        rows = {row.tip_id: row for row in counts if row.habit == group.value}
        tips = [tip for tip in library.tips if tip.group is group]
        if not rows and not tips:
            continue
        ids: list[str | None] = [tip.id for tip in tips]
        ids += sorted(tip_id for tip_id in rows if tip_id not in ids and tip_id is not None)
        entries = []
        for tip_id in ids:
            row = rows.get(tip_id) or TipSendCounts(group.value, tip_id, 0, 0, 0, 0)
            tip = library.get(tip_id) if tip_id else None
            entries.append(
                TipRank(
                    tip_id,
                    row.sent_30_days,
                    row.done_30_days,
                    row.sent_7_days,
                    row.done_7_days,
                    enabled=tip.enabled if tip else False,
                    deleted_text=None if tip else deleted.get(str(tip_id), ""),
                )
            )
        totals = [sum(getattr(row, name) for row in rows.values()) for name in _FIELDS]
        habit_rate = totals[1] / totals[0] if totals[0] else None
        ranked = [entry for entry in entries if entry.sent_30 >= MIN_SENT]
        ranked = [replace(entry, weak=_is_weak(entry, habit_rate)) for entry in ranked]
        ranked.sort(key=lambda entry: (-(entry.rate or 0), -entry.sent_30, entry.tip_id or ""))
        few = tuple(
            entry
            for entry in entries
            if entry.sent_30 < MIN_SENT and (entry.sent_30 or entry.deleted_text is None)
        )
        none = rows.get(None)
        without = (
            TipRank(None, none.sent_30_days, none.done_30_days, none.sent_7_days, none.done_7_days)
            if none is not None
            else None
        )
        sent_30, done_30, sent_7, done_7 = totals
        rankings.append(HabitRanking(group, sent_30, done_30, sent_7, done_7, tuple(ranked), few, without))
    return rankings


_FIELDS = ("sent_30_days", "done_30_days", "sent_7_days", "done_7_days")


def _is_weak(entry: TipRank, habit_rate: float | None) -> bool:
    rate = entry.rate
    return rate is not None and habit_rate is not None and (habit_rate - rate) * 100 >= WEAK_GAP


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(100 * rate)}%"
