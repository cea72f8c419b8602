"""The digest's APScheduler wrapper: one job per (post time, timezone) slot, fanning out to the
slot's guilds; each guild fired once per guild-local date.

One APScheduler job per guild did not hold at 100,000 guilds (docs/performance.md, capacity):
adding a job costs APScheduler a trigger evaluation and a sorted insert, so building them took
tens of seconds at startup, and a popular minute made the scheduler reschedule thousands of jobs
in one pass of the event loop. Guilds share a slot when they post at the same local time in the
same zone, and there are only a few thousand distinct slots however many guilds there are:
building is grouping, and a slot's run starts its guilds' posts in small batches, yielding to
the event loop between them, with a bounded number in flight. A guild's :func:`job_id` still
names a job: its slot's.

APScheduler 3.11's ``CronTrigger`` gets daylight-saving days wrong for a daily digest: on a
fall-back day a time inside the repeated hour fires twice (America/New_York 01:30 on
2026-11-01 fires at 05:30 and 06:30 UTC), and on a spring-forward day a nonexistent time fires
at the pre-transition offset (02:30 on 2026-03-08 fires at 03:30 EDT, not at the end of the
gap). :class:`DailyTrigger` replaces it with the due-time maths of :mod:`bot.digest.due`,
which gives exactly one fire per local date. ``tests/digest/test_scheduler.py`` pins both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_SHUTDOWN,
    JobEvent,
    JobExecutionEvent,
    SchedulerEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger

from bot.digest.due import format_post_time, next_due, zone
from bot.digest.recipients import DigestSettings

__all__ = [
    "JOB_PREFIX",
    "SLOT_PREFIX",
    "DailyTrigger",
    "DigestCallback",
    "DigestFanOutError",
    "DigestScheduler",
    "job_id",
    "slot_job_id",
]

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
SLOT_PREFIX = "digest-slot:"
#: Posts a slot's run starts before it yields to the event loop: each post's first step (its
#: claim) runs in the loop iteration after it is started, so this bounds that iteration.
FAN_OUT_BATCH = 100
#: Posts in flight at once, across every slot due in the same minute. Every post reads and
#: claims through the store's one connection before it waits for its turn to send: with all
#: 10,000 posts of a big minute started at once, the first send waited behind 10,000 reads
#: (16.8 s, docs/performance.md). The poster's throttle sends about 48 per second, so this
#: keeps about five seconds of sends ready and the store's queue short.
MAX_IN_FLIGHT = 250
#: Settings rows :meth:`DigestScheduler.load` places before it yields to the event loop, and
#: what adding one slot's job costs in rows: a batch is 1,000 rows placed or 20 jobs added,
#: about 5 ms each on the bench machine (0.26 ms per job measured at startup).
REBUILD_BATCH = 1_000
SLOT_JOB_COST = 50

DigestCallback = Callable[[int], Awaitable[None]]
#: Guilds that post at the same local time in the same zone share one job.
Slot = tuple[time, str]


def job_id(guild_id: int) -> str:
    """A guild's job id; the scheduler resolves it to the job of the guild's slot."""
    return f"{JOB_PREFIX}{guild_id}"


def slot_job_id(post_time: time, timezone: str) -> str:
    return f"{SLOT_PREFIX}{format_post_time(post_time)} {timezone}"


class DigestFanOutError(Exception):
    """Some posts of a slot's run failed (each is logged with its guild id)."""


class _SlotScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """APScheduler, with a guild's job id (:func:`job_id`) resolving to its slot's job."""

    def __init__(self, resolve: Callable[[str], str], **options: Any) -> None:
        super().__init__(**options)
        self._resolve = resolve

    def get_job(self, job_id: str, jobstore: str | None = None) -> Any:
        return super().get_job(self._resolve(job_id), jobstore)

    def modify_job(self, job_id: str, jobstore: str | None = None, **changes: Any) -> Any:
        return super().modify_job(self._resolve(job_id), jobstore, **changes)


def _guild_of(job: str) -> int | None:
    if not job.startswith(JOB_PREFIX):
        return None
    try:
        return int(job.removeprefix(JOB_PREFIX))
    except ValueError:
        return None


class DailyTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires once per local date at ``post_time`` in ``timezone`` (DST-safe, see module doc)."""

    def __init__(self, post_time: time, timezone: str) -> None:
        # Fails now, not at the first fire, on an unknown zone. Held: ZoneInfo keeps only a few
        # zones alive by itself, and reloading one from disk per fire time adds up over slots.
        self._zone = zone(timezone)
        self.post_time = post_time.replace(second=0, microsecond=0, tzinfo=None)
        self.timezone = timezone

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # Like CronTrigger: after a fire, the next date strictly after it (even if already past,
        # so APScheduler can apply misfire_grace_time and coalescing); otherwise from ``now``.
        start = (
            now if previous_fire_time is None else previous_fire_time + timedelta(microseconds=1)
        )
        return next_due(start.astimezone(UTC), self.post_time, self._zone).instant

    def __str__(self) -> str:
        return f"daily[{format_post_time(self.post_time)} {self.timezone}]"

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} (post_time='{format_post_time(self.post_time)}', "
            f"timezone='{self.timezone}')>"
        )


class DigestScheduler:
    """Schedules each enabled guild's (or user's) digest; the callback does the posting.

    The callback receives the guild id (user id for the personal digests' scheduler) when its
    post is due; it decides the local date (:func:`bot.digest.due.previous_due`) and claims it
    in the store, so a duplicate fire can never post twice.
    """

    def __init__(
        self,
        callback: DigestCallback,
        *,
        grace_seconds: int = 6 * 3600,
        label: str = "guild",
    ) -> None:
        self._callback = callback
        #: What the ids are ("guild", or "user" for the personal digests' scheduler).
        self.label = label
        self.grace_seconds = grace_seconds
        # The in-memory job store is rebuilt from the database at every start.
        # APScheduler logs a line per job it adds ("Added job ... to job store"): 1,484 lines,
        # most of the scheduling time at startup with 100,000 guilds (docs/performance.md).
        aps_log = logging.getLogger(f"{__name__}.apscheduler")
        aps_log.setLevel(logging.WARNING)
        self._scheduler = _SlotScheduler(
            self._resolve,
            logger=aps_log,
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": grace_seconds,
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._active: dict[asyncio.Future[None], int] = {}  # posts in flight → guild id
        self._slots: dict[Slot, set[int]] = {}  # slot → its guild ids
        self._slot_of: dict[int, Slot] = {}  # guild id → its slot
        self._fan_outs: set[asyncio.Future[int]] = set()  # slot runs starting their posts
        # One batch of posts starts at a time, across every slot due in the same minute.
        self._starting = asyncio.Lock()
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._scheduler.add_listener(self._on_error, EVENT_JOB_ERROR)

    # ------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start scheduling; call from inside the running event loop (the bot's setup_hook)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "DigestScheduler.start() must be called inside a running event loop "
                "(from setup_hook), not at import time or before the loop starts"
            ) from None
        if not self._scheduler.running:
            self._scheduler.start()

    async def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait``, let digests being posted finish, else cancel them.

        (APScheduler's asyncio executor would cancel running jobs either way; the jobs run the
        callback in a shielded task so a post in flight can complete and record its outcome.)
        """
        if self._scheduler.running:
            # AsyncIOScheduler applies shutdown on the loop's next iteration; wait for its event.
            stopped = asyncio.Event()

            def on_shutdown(_event: SchedulerEvent) -> None:
                stopped.set()

            self._scheduler.add_listener(on_shutdown, EVENT_SCHEDULER_SHUTDOWN)
            try:
                self._scheduler.shutdown(wait=wait)
                await stopped.wait()
            finally:
                self._scheduler.remove_listener(on_shutdown)
        fan_outs = list(self._fan_outs)
        if not wait:
            for fan_out in fan_outs:
                fan_out.cancel()  # cancels the posts it started, too
        # With wait, a slot's run starts every post it holds and waits for them.
        await asyncio.gather(*fan_outs, return_exceptions=True)
        active = dict(self._active)
        if not wait:
            for task in active:
                task.cancel()
        results = await asyncio.gather(*active, return_exceptions=True)
        for guild_id, result in zip(active.values(), results, strict=True):
            if isinstance(result, Exception):
                log.error(
                    "digest for %s %s failed while shutting down",
                    self.label,
                    guild_id,
                    exc_info=(type(result), result, result.__traceback__),
                )

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    # ------------------------------------------------------------------------------------ jobs

    def schedule_guild(self, settings: DigestSettings) -> bool:
        """Add or move the guild (or user) to its slot; a disabled digest is unscheduled.
        True if scheduled."""
        self.unschedule_guild(settings.recipient_id)
        if not settings.enabled:
            return False
        slot = _slot(settings)
        members = self._slots.get(slot)
        if members is None:
            self._add_slot_job(slot)  # an unknown zone raises here, before any state changes
            members = self._slots[slot] = set()
        members.add(settings.recipient_id)
        self._slot_of[settings.recipient_id] = slot
        return True

    def unschedule_guild(self, guild_id: int) -> bool:
        """Remove the guild from its slot (and the slot's job with its last guild); False if
        it had none."""
        slot = self._slot_of.pop(guild_id, None)
        if slot is None:
            return False
        members = self._slots[slot]
        members.discard(guild_id)
        if not members:
            del self._slots[slot]
            self._scheduler.remove_job(slot_job_id(*slot))
        return True

    def rebuild(self, settings_list: Iterable[DigestSettings]) -> int:
        """Replace every digest job with one per slot of the enabled settings rows; return how
        many guilds are scheduled. One synchronous pass: :meth:`load` is the same in batches."""
        with self._rebuilding():
            self._place_all(settings_list, {})
        return len(self._slot_of)

    async def load(
        self, settings_list: Iterable[DigestSettings], *, batch: int = REBUILD_BATCH
    ) -> int:
        """:meth:`rebuild`, yielding to the event loop after about ``batch`` rows' worth of
        work (a slot's new job costs ``SLOT_JOB_COST`` rows: adding it evaluates its trigger).

        The startup build of 100,000 guilds in one call held the loop for about a second
        (docs/performance.md, capacity). The scheduler stays paused until the last batch, so
        no slot fires with only part of its guilds placed.
        """
        slots: dict[tuple[time, str], Slot] = {}
        with self._rebuilding():
            work = 0
            for settings in settings_list:
                work += 1 + SLOT_JOB_COST * self._place(settings, slots)
                if work >= batch:
                    work = 0
                    await asyncio.sleep(0)
        return len(self._slot_of)

    def scheduled_guilds(self) -> list[int]:
        """Guild ids that have a digest job, sorted."""
        return sorted(self._slot_of)

    def slot_count(self) -> int:
        """Distinct (post time, timezone) slots, i.e. APScheduler jobs."""
        return len(self._slots)

    # --------------------------------------------------------------------------- job plumbing

    def _add_slot_job(self, slot: Slot) -> None:
        post_time, timezone = slot
        self._scheduler.add_job(
            self._run_slot,
            trigger=DailyTrigger(post_time, timezone),
            args=(slot,),
            id=slot_job_id(post_time, timezone),
            name=f"digest for {self.label}s at {format_post_time(post_time)} {timezone}",
            replace_existing=True,
        )

    @contextlib.contextmanager
    def _rebuilding(self) -> Iterator[None]:
        """Drop every slot job, then (the body places the guilds) resume the scheduler.

        Paused, APScheduler wakes up once at resume() instead of once per job added.
        """
        for job in self._scheduler.get_jobs():
            if job.id.startswith(SLOT_PREFIX):
                job.remove()
        self._slots.clear()
        self._slot_of.clear()
        pause = self._scheduler.state == STATE_RUNNING
        if pause:
            self._scheduler.pause()
        try:
            yield
        finally:
            if pause:
                self._scheduler.resume()

    def _place_all(
        self, settings_list: Iterable[DigestSettings], slots: dict[tuple[time, str], Slot]
    ) -> None:
        for settings in settings_list:
            self._place(settings, slots)

    def _place(self, settings: DigestSettings, slots: dict[tuple[time, str], Slot]) -> bool:
        """Place a guild in its slot (a guild placed twice ends in its last one), adding the
        slot's job with its first guild; ``slots`` interns one tuple per slot. True if a job
        was added."""
        guild_id = settings.recipient_id
        old = self._slot_of.pop(guild_id, None)
        if old is not None:
            left = self._slots[old]
            left.discard(guild_id)
            if not left:
                del self._slots[old]
                self._scheduler.remove_job(slot_job_id(*old))
        if not settings.enabled:
            return False
        key = (settings.post_time, settings.timezone)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = _slot(settings)
        members = self._slots.get(slot)
        added = members is None
        if members is None:
            self._add_slot_job(slot)
            members = self._slots[slot] = set()
        members.add(guild_id)
        self._slot_of[guild_id] = slot
        return added

    def _resolve(self, job: str) -> str:
        """A guild's job id → its slot's job id (any other id unchanged)."""
        guild_id = _guild_of(job)
        slot = self._slot_of.get(guild_id) if guild_id is not None else None
        return slot_job_id(*slot) if slot is not None else job

    async def _run_slot(self, slot: Slot) -> None:
        fan_out = asyncio.ensure_future(self._fan_out(slot))
        self._fan_outs.add(fan_out)
        fan_out.add_done_callback(self._fan_outs.discard)
        # Shielded: shutdown cancels this wrapper, not the posts being started (see shutdown()).
        failed = await asyncio.shield(fan_out)
        if failed:
            raise DigestFanOutError(f"{failed} posts of {slot_job_id(*slot)} failed (logged)")

    async def _fan_out(self, slot: Slot) -> int:
        """Start the post of every guild in the slot, a batch per loop iteration and at most
        ``MAX_IN_FLIGHT`` at once; wait for them and log each failure with its guild id.
        Returns how many failed."""
        run_of = datetime.now(UTC)
        guild_ids = sorted(self._slots.get(slot, ()))
        started: list[tuple[int, asyncio.Future[None]]] = []
        for first in range(0, len(guild_ids), FAN_OUT_BATCH):
            async with self._starting:
                for guild_id in guild_ids[first : first + FAN_OUT_BATCH]:
                    await self._in_flight.acquire()
                    if self._slot_of.get(guild_id) != slot:
                        self._in_flight.release()
                        continue  # moved or unscheduled while this run was starting
                    task = asyncio.ensure_future(self._callback(guild_id))
                    self._active[task] = guild_id
                    task.add_done_callback(self._forget)
                    task.add_done_callback(lambda _task: self._in_flight.release())
                    started.append((guild_id, task))
                # The batch's first steps run in the next loop iteration, before another batch.
                await asyncio.sleep(0)
        results = await asyncio.gather(*(task for _, task in started), return_exceptions=True)
        failed = 0
        for (guild_id, _), result in zip(started, results, strict=True):
            if isinstance(result, Exception):
                failed += 1
                log.error(
                    "digest for %s %s failed at its run of %s",
                    self.label,
                    guild_id,
                    run_of.isoformat(),
                    exc_info=(type(result), result, result.__traceback__),
                )
        return failed

    def _forget(self, task: asyncio.Future[None]) -> None:
        self._active.pop(task, None)

    def _guilds_of(self, job: str) -> list[int]:
        if not job.startswith(SLOT_PREFIX):
            return []
        post_time, _, timezone = job.removeprefix(SLOT_PREFIX).partition(" ")
        hour, _, minute = post_time.partition(":")
        return sorted(self._slots.get((time(int(hour), int(minute)), timezone), ()))

    def _on_missed(self, event: JobEvent) -> None:
        run_time: Any = getattr(event, "scheduled_run_time", None)
        for guild_id in self._guilds_of(event.job_id):
            log.warning(
                "digest for %s %s missed its run at %s: more than %s s late "
                "(the startup catch-up decides whether to post it)",
                self.label,
                guild_id,
                run_time.isoformat() if isinstance(run_time, datetime) else run_time,
                self.grace_seconds,
            )

    def _on_error(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith(SLOT_PREFIX) or isinstance(
            event.exception, DigestFanOutError
        ):
            return  # each failed post was logged with its guild id
        exc = event.exception
        log.error(
            "digest run %s failed at its run of %s",
            event.job_id,
            event.scheduled_run_time.isoformat(),
            exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None,
        )


def _slot(settings: DigestSettings) -> Slot:
    return settings.post_time.replace(second=0, microsecond=0, tzinfo=None), settings.timezone
