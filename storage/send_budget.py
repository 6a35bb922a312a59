"""The send budget's rows on PostgreSQL, which every process of the bot draws from.

A row holds two token buckets: the whole budget (answers and nudges) and the nudges' share of it
(the rest is kept for answers). `take` is one UPDATE ... RETURNING: it refills both buckets from
the time elapsed since the last grant and takes a message from them only if they hold one, all
under the row's lock, so concurrent takers never take the same message. Each bucket holds at
most one message (`BURST`): messages go out evenly spaced, and no second has more than the rate
and one. Time is the database's clock, which every process shares.

PostgreSQL only: on SQLite the bot runs as one process and counts in memory (bot/budgets.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

MESSAGES = "messages"  # Telegram's free limit, about 30 a second
PAID = "paid"  # paid broadcasts, at most 1000 a second
BUDGETS = (MESSAGES, PAID)
# The most either bucket holds: one message, so that sends are spaced rather than bunched.
BURST = 1.0

_ELAPSED = "greatest(0.0, extract(epoch FROM clock_timestamp() - refilled_at)::float8)"
_LEVEL = f"least(:burst, tokens + :rate * {_ELAPSED})"
_SHARE_LEVEL = f"least(:burst, share_tokens + :share_rate * {_ELAPSED})"

# clock_timestamp(), not now(): now() is when the statement began, before it waited for the lock.
_TAKE = text(
    f"""
    UPDATE sendbudget SET
        tokens = {_LEVEL} - 1,
        share_tokens = {_SHARE_LEVEL} - CASE WHEN :from_share THEN 1 ELSE 0 END,
        refilled_at = clock_timestamp()
    WHERE name = :name
      AND paused_until <= clock_timestamp()
      AND {_LEVEL} >= 1
      AND (NOT :from_share OR {_SHARE_LEVEL} >= 1)
    RETURNING name
    """
)
_STATE = text(
    f"""
    SELECT extract(epoch FROM paused_until - clock_timestamp())::float8, {_LEVEL}, {_SHARE_LEVEL}
    FROM sendbudget WHERE name = :name
    """
)
_PAUSE = text(
    "UPDATE sendbudget SET paused_until = "
    "greatest(paused_until, clock_timestamp() + make_interval(secs => :seconds))"
)
_ENSURE = text(
    "INSERT INTO sendbudget (name, tokens, share_tokens, refilled_at, paused_until) "
    "VALUES (:name, :burst, :burst, clock_timestamp(), clock_timestamp()) "
    "ON CONFLICT (name) DO NOTHING"
)


@dataclass(frozen=True)
class Rates:
    """Messages a second for the whole budget, and for the nudges' share of it."""

    per_second: float
    share_per_second: float


@dataclass(frozen=True)
class Taken:
    """Whether a message was taken; if not, how long until one may be (a hint, not a promise)."""

    granted: bool
    wait: float = 0.0
    paused: bool = False


def ensure_budgets(connection: Connection) -> None:
    """Make the budgets' rows if they are missing (a new or emptied table)."""
    for name in BUDGETS:
        connection.execute(_ENSURE, {"name": name, "burst": BURST})


def take(connection: Connection, *, name: str, rates: Rates, from_share: bool) -> Taken:
    """Take one message from the whole budget, and from the nudges' share too when `from_share`."""
    values = {
        "name": name,
        "burst": BURST,
        "rate": rates.per_second,
        "share_rate": rates.share_per_second,
        "from_share": from_share,
    }
    if connection.execute(_TAKE, values).first() is not None:
        return Taken(granted=True)
    row = connection.execute(_STATE, values).first()
    if row is None:  # the table was emptied (a test, a restore without it): made again, full
        ensure_budgets(connection)
        return Taken(granted=False)
    paused_for, level, share_level = (float(value) for value in row)
    if paused_for > 0:
        return Taken(granted=False, wait=paused_for, paused=True)
    waits = [(BURST - level) / rates.per_second]
    if from_share and rates.share_per_second > 0:
        waits.append((BURST - share_level) / rates.share_per_second)
    return Taken(granted=False, wait=max(0.0, *waits))


def pause(connection: Connection, *, seconds: float) -> None:
    """Nobody sends for `seconds` from now (or longer, if a pause already reaches further)."""
    connection.execute(_PAUSE, {"seconds": seconds})
