"""The digest's APScheduler wrapper: one job per guild, fired once per guild-local date.

APScheduler 3.11's ``CronTrigger`` gets daylight-saving days wrong for a daily digest: on a
fall-back day a time inside the repeated hour fires twice (America/New_York 01:30 on
2026-11-01 fires at 05:30 and 06:30 UTC), and on a spring-forward day a nonexistent time fires
at the pre-transition offset (02:30 on 2026-03-08 fires at 03:30 EDT, not at the end of the
gap). :class:`DailyTrigger` replaces it with the due-time maths of :mod:`bot.digest.due`,
which gives exactly one fire per local date. ``tests/digest/test_scheduler.py`` pins both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
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
from apscheduler.triggers.base import BaseTrigger

from bot.digest.due import format_post_time, next_due, zone
from bot.digest.recipients import DigestSettings

__all__ = ["JOB_PREFIX", "DailyTrigger", "DigestCallback", "DigestScheduler", "job_id"]

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"

DigestCallback = Callable[[int], Awaitable[None]]


def job_id(guild_id: int) -> str:
    return f"{JOB_PREFIX}{guild_id}"


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
        zone(timezone)  # fail now, not at the first fire, on an unknown zone
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
        return next_due(start.astimezone(UTC), self.post_time, self.timezone).instant

    def __str__(self) -> str:
        return f"daily[{format_post_time(self.post_time)} {self.timezone}]"

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} (post_time='{format_post_time(self.post_time)}', "
            f"timezone='{self.timezone}')>"
        )


class DigestScheduler:
    """Schedules each enabled guild's digest; the callback does the posting.

    The callback receives the guild id when the guild's post is due; it decides the local date
    (:func:`bot.digest.due.previous_due`) and claims it in the store, so a duplicate fire
    can never post twice.
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
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": grace_seconds,
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._active: dict[asyncio.Future[None], int] = {}  # posts in flight → guild id
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
        """Add or replace the guild's (or user's) job; a disabled digest is unscheduled. True
        if scheduled."""
        # Remove first: before start(), APScheduler keeps added jobs in a pending list where
        # replace_existing does not apply yet, so a second add would leave two jobs.
        self.unschedule_guild(settings.recipient_id)
        if not settings.enabled:
            return False
        self._scheduler.add_job(
            self._run,
            trigger=DailyTrigger(settings.post_time, settings.timezone),
            args=(settings.recipient_id,),
            id=job_id(settings.recipient_id),
            name=f"digest for {self.label} {settings.recipient_id}",
            replace_existing=True,
        )
        return True

    def unschedule_guild(self, guild_id: int) -> bool:
        """Remove the guild's job; False if it had none."""
        if self._scheduler.get_job(job_id(guild_id)) is None:
            return False
        self._scheduler.remove_job(job_id(guild_id))
        return True

    def rebuild(self, settings_list: Iterable[DigestSettings]) -> int:
        """Replace every digest job with one per enabled settings row; return how many."""
        for job in self._scheduler.get_jobs():
            if _guild_of(job.id) is not None:
                job.remove()
        return sum(self.schedule_guild(s) for s in settings_list)

    def scheduled_guilds(self) -> list[int]:
        """Guild ids that have a digest job, sorted."""
        ids = (_guild_of(job.id) for job in self._scheduler.get_jobs())
        return sorted(g for g in ids if g is not None)

    # --------------------------------------------------------------------------- job plumbing

    async def _run(self, guild_id: int) -> None:
        task = asyncio.ensure_future(self._callback(guild_id))
        self._active[task] = guild_id
        task.add_done_callback(self._forget)
        # Shielded: shutdown cancels this wrapper, not the post in flight (see shutdown()).
        await asyncio.shield(task)

    def _forget(self, task: asyncio.Future[None]) -> None:
        self._active.pop(task, None)

    def _on_missed(self, event: JobEvent) -> None:
        guild_id = _guild_of(event.job_id)
        if guild_id is None:
            return
        run_time: Any = getattr(event, "scheduled_run_time", None)
        log.warning(
            "digest for %s %s missed its run at %s: more than %s s late "
            "(the startup catch-up decides whether to post it)",
            self.label,
            guild_id,
            run_time.isoformat() if isinstance(run_time, datetime) else run_time,
            self.grace_seconds,
        )

    def _on_error(self, event: JobExecutionEvent) -> None:
        guild_id = _guild_of(event.job_id)
        if guild_id is None:
            return
        exc = event.exception
        log.error(
            "digest for %s %s failed at its run of %s",
            self.label,
            guild_id,
            event.scheduled_run_time.isoformat(),
            exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None,
        )
