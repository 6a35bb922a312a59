"""A small tip file of the tests' own (the shipped one changes with the content), and a bot on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from tests.harness import ADMIN, BotHarness, make_settings, running_bot

COACH_TIPS = """\
# Tips for the tests: a comment at the top,
# and one before each group.

# Water
water:
  - id: water-first-glass
    nl: "Begin de dag met een glas water, nog voor de koffie."
    en: "Start the day with a glass of water, before your coffee."
    enabled: true

  - id: water-why  # the one the tests edit
    nl: "Water houdt je darmen in beweging en je huid soepel."
    en: "Water keeps your gut moving and your skin supple."
    source: "VitaminFit"
    enabled: true
  - id: water-bottle
    nl: "Zet een fles water in het zicht."
    en: "Keep a bottle of water in sight."

# Walking
walk:
  - id: walk-ten-minutes
    nl: "Tien minuten lopen na het eten helpt je spijsvertering."
    en: "Ten minutes of walking after a meal helps your digestion."
  - id: walk-together
    nl: "Vraag iemand mee, dan is het gezellig."
    en: "Ask someone along; it is more fun together."

breathing:
  - id: breathing-four-six
    nl: "Adem 4 tellen in en 6 tellen uit."
    en: "Breathe in for 4 counts and out for 6."

sleep:
  - id: sleep-screens-off
    nl: "Leg je telefoon een half uur voor het slapen weg."
    en: "Put your phone away half an hour before bed."

general:
  - id: general-daylight
    nl: "Daglicht in de ochtend helpt je slaap."
    en: "Morning daylight helps your sleep."
"""


def write_coach_tips(folder: Path) -> Path:
    path = folder / "content" / "tips.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(COACH_TIPS, encoding="utf-8")
    return path


@asynccontextmanager
async def coach_bot(
    *,
    api: FakeBotApi,
    clock: SteppedClock,
    engine: Engine,
    database_path: Path,
    tips_path: Path,
    **settings: Any,
) -> AsyncIterator[BotHarness]:
    """The bot with ADMIN as its admin and `tips_path` as its tips."""
    values: dict[str, Any] = {"admin_ids": str(ADMIN), "tips_path": tips_path, **settings}
    configured = make_settings(f"sqlite:///{database_path}", **values)
    async with running_bot(api=api, clock=clock, engine=engine, settings=configured) as harness:
        yield harness
