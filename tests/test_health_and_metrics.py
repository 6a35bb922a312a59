"""/healthz and /metrics on HEALTH_PORT, served by the running bot against fakegram: the health
follows the tick on the bot's clock and the database, and the scrape counts what happened without
naming anyone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from bot.operations.health import database_problem, tick_problem
from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.database import create_db_engine
from tests.harness import BotHarness, button_data, latest_with_buttons, make_settings, running_bot

ALICE, BOB = 1001, 1002
SLEEP_QUESTION = datetime(2026, 11, 23, 6, 15, 30, tzinfo=UTC)  # 07:15:30 in Amsterdam
WALK_TIME = datetime(2026, 11, 23, 7, 15, 30, tzinfo=UTC)  # 08:15:30, the walk after breakfast
INTERVAL = timedelta(seconds=30)  # make_settings' dispatch interval
# The labels a scrape may carry: kinds of things, never who (python_info's are the interpreter's).
ALLOWED_LABELS = {"status", "habit", "kind", "source", "state", "le", "implementation", "major", "minor"}
ALLOWED_LABELS |= {"patchlevel", "version"}


@pytest.fixture
async def served(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with /healthz and /metrics on a free loopback port."""
    settings = make_settings(f"sqlite:///{database_path}", health_port=0, health_listen="127.0.0.1")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings, read_timeout=0.3) as bot:
        yield bot


def base_url(bot: BotHarness) -> str:
    server = bot.app.health_server
    assert server is not None
    assert server.port
    return f"http://127.0.0.1:{server.port}"


async def get(bot: BotHarness, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(base_url(bot) + path)


def samples(scrape: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
    }


def value(scrape: str, name: str, **labels: str) -> float:
    return samples(scrape)[(name, frozenset(labels.items()))]


async def test_healthz_follows_the_tick_on_the_bots_clock(served: BotHarness, clock: SteppedClock) -> None:
    bot = served
    before = await get(bot, "/healthz")
    assert before.status_code == 503
    assert before.text == "unhealthy: the dispatch tick has not run yet\n"

    await bot.tick()
    assert (await get(bot, "/healthz")).status_code == 200
    assert (await get(bot, "/healthz")).text == "ok\n"
    clock.advance(seconds=3 * INTERVAL.total_seconds())
    assert (await get(bot, "/healthz")).status_code == 200  # three intervals: still in time

    clock.advance(seconds=1)
    stale = await get(bot, "/healthz")
    assert stale.status_code == 503
    assert stale.text == "unhealthy: the dispatch tick last ran 91 s ago, more than 3 intervals of 30 s\n"
    await bot.tick()
    assert (await get(bot, "/healthz")).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_healthz_is_503_when_the_database_file_is_gone(served: BotHarness, database_path: Path) -> None:
    bot = served
    await bot.tick()
    assert (await get(bot, "/healthz")).status_code == 200
    # The bot's open connections would go on using the deleted file: the check looks at the path.
    await asyncio.to_thread(database_path.unlink)
    answer = await get(bot, "/healthz")
    assert answer.status_code == 503
    assert answer.text == f"unhealthy: the database file {database_path} is gone\n"


def test_a_database_that_does_not_answer_is_named_with_its_error() -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2")
    try:
        problem = database_problem(engine)
    finally:
        engine.dispose()
    assert problem is not None
    assert problem.startswith("the database does not answer: OperationalError: ")


def test_the_tick_rule_allows_three_intervals() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert tick_problem(now, None, INTERVAL) == "the dispatch tick has not run yet"
    assert tick_problem(now, now - 3 * INTERVAL, INTERVAL) is None
    assert tick_problem(now, now - 3 * INTERVAL - timedelta(seconds=1), INTERVAL) is not None


async def test_metrics_count_nudges_errors_and_check_ins_and_name_nobody(
    served: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    bot = served
    alice = api.user(ALICE, first_name="Alice")
    bob = api.user(BOB, first_name="Bob")
    await bot.onboard(alice)
    await bot.onboard(bob)

    clock.set(SLEEP_QUESTION)
    before = (await get(bot, "/metrics")).text
    assert value(before, "habits_nudge_backlog") == 2  # both members' sleep question is due
    assert value(before, "habits_members", state="active") == 2
    # Once Telegram's flood control (the rate limiter waits it out), once a 5xx, once a timeout.
    api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1)
    await bot.tick()
    api.fail_next("sendMessage", status=502, description="Bad Gateway")
    await bot.say(alice, "2 glazen")
    api.delay_next("sendMessage", 1.0)
    await bot.say(bob, "+1")
    sleep_question = latest_with_buttons(api, ALICE)
    await bot.press(alice, sleep_question, button_data(sleep_question, "hours:7"))

    api.block_user(BOB)
    clock.set(WALK_TIME)
    await bot.tick()

    response = await get(bot, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    scrape = response.text
    assert value(scrape, "habits_nudges_total", status="sent", habit="sleep") == 2
    assert value(scrape, "habits_nudges_total", status="sent", habit="walk") == 1
    assert value(scrape, "habits_nudges_total", status="undelivered", habit="walk") == 1
    assert value(scrape, "habits_nudges_total", status="missed", habit="water") == 0
    assert value(scrape, "habits_telegram_errors_total", kind="429") == 1
    assert value(scrape, "habits_telegram_errors_total", kind="403") == 1
    assert value(scrape, "habits_telegram_errors_total", kind="5xx") == 1
    assert value(scrape, "habits_telegram_errors_total", kind="timeout") == 1
    assert value(scrape, "habits_checkins_total", source="button") == 1
    assert value(scrape, "habits_checkins_total", source="text") == 2
    assert value(scrape, "habits_members", state="active") == 1
    assert value(scrape, "habits_members", state="inactive") == 1
    assert value(scrape, "habits_members", state="paused") == 0
    assert value(scrape, "habits_nudge_backlog") == 0
    # The sleep question left 30 s after its slot (one tick); so did the walk.
    assert value(scrape, "habits_nudge_send_lateness_seconds_count", habit="sleep") == 2
    assert value(scrape, "habits_nudge_send_lateness_seconds_bucket", habit="sleep", le="30.0") == 2
    assert value(scrape, "habits_nudge_send_lateness_seconds_bucket", habit="sleep", le="15.0") == 0
    assert value(scrape, "habits_dispatch_tick_duration_seconds_count") == 2
    assert "process_resident_memory_bytes" in scrape

    labels = {name for (_, pairs) in samples(scrape) for name, _ in pairs}
    assert labels <= ALLOWED_LABELS
    for who in (str(ALICE), str(BOB), "Alice", "Bob"):
        assert who not in scrape


async def test_pauses_show_in_members_by_state(served: BotHarness, api: FakeBotApi) -> None:
    bot = served
    alice = api.user(ALICE, first_name="Alice")
    await bot.onboard(alice)
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "1 dag")
    scrape = (await get(bot, "/metrics")).text
    assert value(scrape, "habits_members", state="paused") == 1
    assert value(scrape, "habits_members", state="active") == 0


async def test_the_server_stops_with_the_bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{database_path}", health_port=0, health_listen="127.0.0.1")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        url = base_url(bot)
        await bot.tick()
        async with httpx.AsyncClient(timeout=5) as client:
            assert (await client.get(url + "/healthz")).status_code == 200
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url + "/healthz")


async def test_without_health_port_there_is_no_server(bot: BotHarness) -> None:
    assert bot.app.health_server is None
