"""Rendering weekly pictures off the event loop, in worker processes (one per core by default).

Drawing one picture takes about 0.2 s of CPU in matplotlib, most of it holding the GIL: in a thread
of the bot's process it would slow down every update and nudge meanwhile, and it could use one core
only. Worker processes use every core, and they run at a lower priority, so the bot's own process
gets the CPU first whenever it has work. The pool starts with the first picture (that is when the
workers import matplotlib; the bot's process never does) and stops with the application, or once
it has been idle for a while: a worker holds about 130 MB, and pictures come in bursts (Sunday
evening) with /week now and then. `workers=0` renders in a thread of the bot's process instead
(tests, the offline console).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.progress.weekly_chart import render_week_png
from habits.stats import WeekPicture

log = logging.getLogger(__name__)

# Workers yield the CPU to the bot's process (niceness is added to the bot's own).
WORKER_NICENESS = 10


def default_workers() -> int:
    """One worker per core this process may run on."""
    return max(len(os.sched_getaffinity(0)), 1)


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


class ChartWorkers:
    """Renders weekly pictures as PNG bytes in a pool of worker processes."""

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError("workers must be 0 (a thread) or more")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._drawing = 0
        self._last_done = time.monotonic()

    @property
    def parallel(self) -> int:
        """How many pictures are worth having in hand at once: two per worker, so that a worker
        finds the next one waiting when it finishes."""
        return max(2 * self.workers, 1)

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def render(self, picture: WeekPicture, language: str) -> bytes:
        """The picture as PNG bytes, rendered without holding up the event loop."""
        if self.workers == 0:
            return await asyncio.to_thread(render_week_png, picture, language)
        pool = self._pool
        if pool is None:
            # spawn, not fork: a fork of a running bot would copy its event loop and sockets.
            pool = self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        self._drawing += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, render_week_png, picture, language)
        except BrokenProcessPool:
            # A worker died (e.g. killed for memory): start a fresh pool for the next picture.
            log.warning("a chart worker died; the pool is started again for the next picture")
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            self._drawing -= 1
            self._last_done = time.monotonic()

    async def stop_if_idle(self, idle_seconds: float) -> bool:
        """Stop the workers if nothing has been drawn for `idle_seconds`; True if they stopped."""
        if self._pool is None or self._drawing or time.monotonic() - self._last_done < idle_seconds:
            return False
        await asyncio.to_thread(self.close)
        return True

    def close(self) -> None:
        """Stop the workers (pictures being drawn are finished first)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
