"""Which planned edit of a guided breathing session to make next, and when: pure, so the Telegram
side only sleeps, edits and reports back.

A session never falls behind the breath: an edit more than `LATE_SECONDS` past its time is skipped,
and the one after it is made on time instead. When Telegram refuses an edit (429, with a
`retry_after`), that edit is skipped too, and nothing is made before the wait is over. More than
`THIN_AFTER_SKIPS` skipped in a row, and the session switches to its thinned plan (one edit per
round), and stays on it. The closing edit is never skipped, so every session ends, at its planned
end or as soon as Telegram lets it.

The caller keeps three things between edits: the plan to follow (`NextEdit.plan`, which is the
thinned plan once switched), the offset of the last edit it tried (`after`), and the number of
edits skipped in a row (`NextEdit.skipped`, plus one when the edit it tried was refused; 0 once an
edit went out).
"""

from __future__ import annotations

from dataclasses import dataclass

from habits.breathing import PlannedEdit, SessionPlan, thinned

# An edit this late still shows the phase it is about; later, the member would be a step ahead.
LATE_SECONDS = 1.0
# A refusal or a late edit now and then is noise; three in a row means the full pace does not fit.
THIN_AFTER_SKIPS = 2


@dataclass(frozen=True)
class NextEdit:
    plan: SessionPlan  # the plan to follow from now on: the one given, or its thinned form
    edit: PlannedEdit
    at: float  # when to make it, in seconds from the start of the session
    skipped: int  # edits skipped in a row, those passed over now included


def next_edit(
    plan: SessionPlan,
    now_offset: float,
    skipped: int = 0,
    *,
    after: float | None = None,
    retry_after: float = 0.0,
) -> NextEdit | None:
    """The edit to make next; None when the session is over (its closing edit went out).

    `now_offset`: seconds since the start. `skipped`: edits skipped in a row so far, counting the
    last one tried if Telegram refused it. `after`: the offset of the last edit tried (made or
    refused), None before the first. `retry_after`: the wait Telegram asked for with a refusal.
    """
    earliest = now_offset + max(0.0, retry_after)
    closing = plan.closing
    if after is not None and after >= closing.offset:
        # The closing edit was tried: done, unless it was refused, and then it is tried again.
        return NextEdit(plan, closing, max(earliest, closing.offset), skipped) if skipped else None
    pending = [edit for edit in plan.edits if after is None or edit.offset > after]
    passed = next(
        index for index, edit in enumerate(pending) if edit.closing or edit.offset >= earliest - LATE_SECONDS
    )
    if skipped + passed > THIN_AFTER_SKIPS and not plan.thinned:
        return next_edit(thinned(plan), now_offset, skipped, after=after, retry_after=retry_after)
    chosen = pending[passed]
    return NextEdit(plan, chosen, max(earliest, chosen.offset), skipped + passed)
