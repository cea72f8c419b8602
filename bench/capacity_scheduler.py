"""Capacity, in this process: the real ``DigestScheduler`` against one APScheduler job per
guild (the design before issue 13), building and firing jobs for many guilds, with the lag
of a 10 ms timer on the same loop. Part of ``bench/capacity.py``."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from bench._util import summary
from bench.spread import guild_settings, same_instant, spread

#: One APScheduler job per guild is measured up to this many guilds (100,000 takes minutes).
PER_GUILD_MAX = 100_000
TICK = 0.010


# ------------------------------------------------------------------ event-loop lag, in-process


class LagTimer:
    """A 10 ms timer on the running loop; each wake-up's lateness is one lag sample."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (perf_counter at wake-up, lag ms)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LagTimer:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        await asyncio.sleep(TICK * 2)  # the wake-up after the work ends counts too
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(TICK)
            now = loop.time()
            self.samples.append((time.perf_counter(), (now - start - TICK) * 1000.0))

    def between(self, start: float, end: float) -> list[float]:
        """Lag of the wake-ups from ``start`` to the first one after ``end`` (perf_counter)."""
        out = [lag for at, lag in self.samples if start <= at <= end]
        after = [lag for at, lag in self.samples if at > end]
        return out + after[:1]


class PerGuildJobs:
    """The design before issue 13: one APScheduler job per guild (``DailyTrigger``), as
    ``DigestScheduler.schedule_guild`` added them. Kept here only to measure it."""

    def __init__(self, callback: Callable[[int], Awaitable[None]]) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.callback = callback
        self.scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1},
        )

    def start(self) -> None:
        self.scheduler.start()

    def rebuild(self, settings_list: Iterable[Any]) -> int:
        from bot.digest.scheduler import DailyTrigger

        count = 0
        for s in settings_list:
            job = f"digest:{s.guild_id}"
            if self.scheduler.get_job(job) is not None:
                self.scheduler.remove_job(job)
            self.scheduler.add_job(
                self.callback,
                trigger=DailyTrigger(s.post_time, s.timezone),
                args=(s.guild_id,),
                id=job,
                name=f"digest for guild {s.guild_id}",
                replace_existing=True,
            )
            count += 1
        return count

    def fire_all_now(self) -> None:
        now = dt.datetime.now(dt.UTC)
        for job in self.scheduler.get_jobs():
            job.modify(next_run_time=now)

    async def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)


async def _scheduler_figures(design: str, count: int) -> dict[str, Any]:
    """Build ``count`` guilds' jobs (spread), then fire a worst-case minute of ``count``."""
    from bot.digest.scheduler import DigestScheduler

    done = 0
    all_done = asyncio.Event()

    async def callback(_guild_id: int) -> None:
        nonlocal done
        await asyncio.sleep(0)  # a post's first await (its claim)
        done += 1
        if done == count:
            all_done.set()

    def make() -> Any:
        return DigestScheduler(callback) if design == "slots" else PerGuildJobs(callback)

    settings = guild_settings(spread(count))
    # Time and lag first (tracing allocations slows Python down), then memory on a second build.
    gc.collect()
    sched = make()
    sched.start()
    async with LagTimer() as timer:
        await asyncio.sleep(TICK * 3)
        begin = time.perf_counter()
        sched.rebuild(settings)
        built = time.perf_counter()
    build_lag = timer.between(begin, built)
    jobs = len(sched._scheduler.get_jobs()) if design == "slots" else count
    await sched.shutdown()
    del sched
    gc.collect()
    sched = make()
    sched.start()
    tracemalloc.start()
    sched.rebuild(settings)
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await sched.shutdown()

    # The worst-case minute: every guild due at once (zones from the spread).
    due = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=5)
    settings = guild_settings(same_instant(count, due))
    sched = make()
    sched.start()
    sched.rebuild(settings)
    async with LagTimer() as timer:
        await asyncio.sleep(TICK * 3)
        fired = time.perf_counter()
        if design == "slots":
            for job in sched._scheduler.get_jobs():
                job.modify(next_run_time=dt.datetime.now(dt.UTC))
        else:
            sched.fire_all_now()
        await asyncio.wait_for(all_done.wait(), 600)
        finished = time.perf_counter()
    fire_lag = timer.between(fired, finished)
    await sched.shutdown()
    return {
        "design": design,
        "guilds": count,
        "jobs": jobs,
        "build_s": built - begin,
        "traced_bytes": traced,
        "bytes_per_guild": traced / count,
        "build_lag_ms": summary(build_lag),
        "minute_jobs": len({(s.post_time, s.timezone) for s in settings}),
        "minute_s": finished - fired,
        "minute_lag_ms": summary(fire_lag),
    }


def scheduler_figures(sizes: Sequence[int]) -> list[dict[str, Any]]:
    rows = []
    for count in sizes:
        for design in ("slots", "per-guild"):
            if design == "per-guild" and count > PER_GUILD_MAX:
                continue
            print(f"  capacity: scheduler, {design}, {count:,} guilds", file=sys.stderr, flush=True)
            rows.append(asyncio.run(_scheduler_figures(design, count)))
    return rows
