"""Typed text: the answer to a setup screen waiting for it, else a check-in such as "2 glazen".

One query reads the member, whether an onboarding or settings screen is open, and the nudge the
text may answer. Check-ins are what members type most and a screen is almost never open, so the
screen's ORM session is opened only when one is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from bot.setup import flow as setup_flow
from bot.setup.flow import FlowReply
from habits import checkins
from habits.checkins import CheckInResult, Outcome
from habits.parsing import CheckInKind, parse_checkin
from storage.database import new_session
from storage.direct import DirectConnection
from storage.models import Member


def answer_typed_text(
    *, engine: Engine, telegram_id: int, typed: str, now: datetime
) -> FlowReply | CheckInResult:
    """What the text does: a screen's reply, or the check-in's result (NOT_REGISTERED: no member)."""
    parsed = parse_checkin(typed)
    with DirectConnection(engine) as connection:
        member, latest = checkins.member_and_open_nudge(
            connection=connection, telegram_id=telegram_id, parsed=parsed, now=now
        )
        if member is None:
            if parsed is not None and parsed.kind is CheckInKind.COMMAND:
                # The command itself knows what to say to someone who is not a member ("help" helps).
                return CheckInResult(Outcome.COMMAND, command=parsed.command)
            return CheckInResult(Outcome.NOT_REGISTERED)
        if member.has_screen_open:
            with new_session(engine) as session:
                reply = setup_flow.handle_text(
                    session=session, member=session.get_one(Member, member.id), typed=typed, now=now
                )
            if reply is not None:
                return reply
        return checkins.record_text(
            connection=connection, member=member, latest=latest, parsed=parsed, now=now
        )
