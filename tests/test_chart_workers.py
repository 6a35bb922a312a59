"""Weekly pictures drawn in worker processes: valid PNGs, a dead worker replaced, the Sunday tick."""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.progress.chart_workers import ChartWorkers
from fakegram import FakeBotApi, UploadedFile
from habits.stats import WeekPicture
from habits.streaks import DayOutcome
from scheduler.clock import SteppedClock
from storage.kinds import Habit
from tests.harness import make_settings, running_bot, sqlite_engine

DONE, SKIPPED, MISSED = DayOutcome.DONE, DayOutcome.SKIPPED, DayOutcome.MISSED
PICTURE = WeekPicture(
    days=[date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)],
    outcomes={
        Habit.WATER: [DONE, MISSED, DONE, DONE, SKIPPED, DONE, DONE],
        Habit.WALK: [DONE, SKIPPED, DONE, MISSED, DONE, DONE, DONE],
    },
    water_glasses=[8, 5, 9, 8, 0, 8, 3],
    water_goal=8,
    sleep_hours=[7.5, 6.0, None, 8.0, None, 9.0, 7.0],
)


def assert_png_of_a_phone_screen(png: bytes) -> None:
    Image.open(io.BytesIO(png)).verify()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == 1080
    assert 1000 <= image.height <= 2400


def worker_processes() -> list[multiprocessing.process.BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.pid != os.getpid()]


async def test_pictures_are_drawn_in_worker_processes_at_the_same_time() -> None:
    charts = ChartWorkers(2)
    assert not charts.started  # nothing is started before the first picture
    try:
        pngs = await asyncio.gather(
            *(charts.render(PICTURE, language) for language in ("nl", "en", "nl", "en"))
        )
        assert charts.started
        assert len(worker_processes()) == 2
        for png in pngs:
            assert_png_of_a_phone_screen(png)
        assert pngs[0] == pngs[2]
        assert pngs[0] != pngs[1]  # Dutch and English labels
    finally:
        charts.close()
    assert not charts.started
    assert worker_processes() == []


async def test_a_dead_worker_fails_one_picture_and_the_next_one_gets_a_new_pool() -> None:
    charts = ChartWorkers(1)
    try:
        assert_png_of_a_phone_screen(await charts.render(PICTURE, "nl"))
        (worker,) = worker_processes()
        worker.kill()
        worker.join()
        with pytest.raises(BrokenProcessPool):
            await charts.render(PICTURE, "nl")
        assert_png_of_a_phone_screen(await charts.render(PICTURE, "en"))
    finally:
        charts.close()


async def test_idle_workers_stop_and_start_again_for_the_next_picture() -> None:
    charts = ChartWorkers(1)
    try:
        assert not await charts.stop_if_idle(0)  # nothing started yet
        assert_png_of_a_phone_screen(await charts.render(PICTURE, "nl"))
        assert not await charts.stop_if_idle(600)  # drew a moment ago
        assert worker_processes()
        assert await charts.stop_if_idle(0)
        assert not charts.started
        assert worker_processes() == []
        assert_png_of_a_phone_screen(await charts.render(PICTURE, "en"))
        assert charts.started
    finally:
        charts.close()


def test_a_thread_draws_when_no_workers_are_wanted() -> None:
    charts = ChartWorkers(0)
    assert_png_of_a_phone_screen(asyncio.run(charts.render(PICTURE, "en")))
    assert not charts.started
    assert charts.parallel == 1
    with pytest.raises(ValueError, match="workers"):
        ChartWorkers(-1)


async def test_the_sunday_tick_sends_everyones_picture_drawn_by_the_workers(
    api: FakeBotApi, clock: SteppedClock, database_path: Path
) -> None:
    engine = sqlite_engine(database_path)
    settings = make_settings(f"sqlite:///{database_path}", render_workers=2)
    members = [2001, 2002, 2003]
    try:
        async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
            for telegram_id in members:
                await bot.say(api.user(telegram_id, language_code="en"), "/start")
                await bot.say(api.user(telegram_id), "2 glasses")  # a silent week gets no picture
            await bot.tick()  # works out everyone's Sunday 19:00 (18:00 UTC)
            clock.set(datetime(2026, 11, 29, 18, 0, 5, tzinfo=UTC))
            await bot.tick()
            await bot.tick()
            charts = bot.app.services.charts
            assert charts.started
            uploads = api.calls_named("sendPhoto")
            assert sorted(call.params["chat_id"] for call in uploads) == members
            for call in uploads:
                photo = call.params["photo"]
                assert isinstance(photo, UploadedFile)
                assert_png_of_a_phone_screen(photo.data)
        assert not charts.started  # the application's shutdown stopped the workers
    finally:
        engine.dispose()
