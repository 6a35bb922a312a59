"""The forecast of when nudges fall due, read from the stored routines, and the release plan
worked out on it, kept for a while: routines change slowly, a rush is hours in the making."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from scheduler.release_plan import Batch, BusyMinute, ReleasePlan, busiest_minutes, due_batches, plan_release
from scheduler.routines import quiet_hours_of, routine_of, zone_of
from storage import capacity_queries
from storage.database import new_session

# A member's next opening is worked out when its previous slot is claimed, up to a night before.
FORECAST_AHEAD = timedelta(hours=27)
# Windows reach back this far: nudges due a little before now still compete for the rate.
FORECAST_BEHIND = timedelta(hours=1)
REFRESH_EVERY = timedelta(minutes=10)


def forecast(*, engine: Engine, start: datetime, end: datetime) -> list[Batch]:
    """Every active member's nudges due in [start, end), counted per window kind and instant."""
    with new_session(engine) as session:
        groups = capacity_queries.routine_groups(session=session)
    return due_batches(
        ((routine_of(g), zone_of(g), quiet_hours_of(g), g.members) for g in groups), start, end
    )


def tomorrow_busiest(*, engine: Engine, now: datetime, rate: float, most: int = 3) -> list[BusyMinute]:
    """Tomorrow's (UTC) busiest minutes from the stored routines, for the operator."""
    day = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    # The evening before and the morning after count too: their windows reach into the day.
    batches = forecast(engine=engine, start=day - FORECAST_BEHIND, end=day + timedelta(days=1, hours=1))
    return [minute for minute in busiest_minutes(batches, rate, most=most + 2) if minute.minute >= day][:most]


@dataclass
class ReleasePlanner:
    """The release plan, worked out again every REFRESH_EVERY on a fresh forecast."""

    rate_per_second: float
    plan: ReleasePlan | None = None
    made_at: datetime | None = None

    def plan_at(self, *, engine: Engine, now: datetime) -> ReleasePlan:
        if self.plan is None or self.made_at is None or now - self.made_at >= REFRESH_EVERY:
            batches = forecast(engine=engine, start=now - FORECAST_BEHIND, end=now + FORECAST_AHEAD)
            self.plan, self.made_at = plan_release(batches, self.rate_per_second), now
        return self.plan
