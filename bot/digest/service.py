"""The daily digest as one service: scheduler, poster, startup catch-up, the claim keeper and
the storage retries, started and stopped together by their one owner (the digest cog).

- :meth:`DigestService.start` takes this process's claim lease, schedules every enabled
  guild this process holds (one job per (post time, timezone) slot, built in batches), starts
  the scheduler, and starts two tasks: the catch-up (once the
  gateway is ready: the posts missed while the bot was down) and the keeper (renews the lease
  and sweeps claims dead processes left).
- A due job calls :meth:`DigestService.post_due`, which hands the guild to the poster; a post
  the database refused is tried again with backoff while it is within its grace period.
- :meth:`DigestService.stop` stops the scheduler (letting a post in flight finish and record
  itself), cancels every task and releases the lease, so a claim left behind is settled at once
  by the next start. Nothing of the service runs after it.

Personal digests (``/mydigest``, by DM) run beside the guilds' in the same service: a second
poster of the same design (:class:`~bot.digest.recipients.UserRecipients`) with its own
scheduler, on the *same* throttle, lease and instance id, so server and personal posts together
stay under ``digest.global_rate_per_second`` and one process's claims are one owner's.

Discord-free: the bot side is behind :class:`DigestHost` and the posters'
:class:`~bot.digest.sending.Sender` / :class:`~bot.digest.sending.DmSender`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.catalog import Catalog
from bot.digest.outcomes import PostOutcome, PostResult
from bot.digest.poster import DigestPoster
from bot.digest.recipients import UserRecipients
from bot.digest.scheduler import DigestScheduler
from bot.digest.sending import DmSender, Sender
from bot.digest.throttle import Throttle
from bot.store import DisableReason, GuildSettings, Store, StoreError, UserSettings

__all__ = ["PACING", "STORAGE_RETRY_DELAYS", "DigestHost", "DigestService"]

log = logging.getLogger(__name__)

#: Seconds between tries of a scheduled post the database refused (read-only, full, locked);
#: the last delay repeats. Tries stop once the post's grace period is over.
STORAGE_RETRY_DELAYS = (30.0, 60.0, 120.0, 300.0, 600.0)

#: Digest sends are paced this far under `digest.global_rate_per_second`: at exactly the ceiling,
#: the 51st request of a second arrives within network jitter of the window's end and is refused
#: half the time (measured: 16-18 global 429s per 1,000 posts). 4 % still let arrivals bunched
#: by a busy host fill a window: 10 global 429s in 10,000 posts (docs/performance.md,
#: capacity); 7 % leaves 3.5 requests of every second's 50 for that jitter.
PACING = 0.93


class DigestHost(Protocol):
    """What the service needs to know about the bot process it runs in."""

    def is_ready(self) -> bool:
        """Whether the gateway is ready (the guild cache is filled)."""
        ...

    async def wait_until_ready(self) -> None: ...

    def holds_guild(self, guild_id: int) -> bool:
        """Whether the bot is in the guild (on this process's shards)."""
        ...

    async def held_settings(self) -> list[GuildSettings]:
        """The enabled digests of the guilds this process's shards hold."""
        ...

    async def held_user_settings(self) -> list[UserSettings]:
        """The enabled personal digests this process sends (users are spread over the
        processes by the shard formula applied to the user id)."""
        ...


def _no_context(_guild_id: int) -> AbstractContextManager[object]:
    return contextlib.nullcontext()


class DigestService:
    """Owns the digest's scheduler, poster and background tasks (see the module doc).

    ``job_context(guild_id)`` wraps each due job (the bot binds the guild id to its log
    lines); ``on_result`` sees every post attempt (metrics).
    """

    def __init__(
        self,
        store: Store,
        catalog: Callable[[], Catalog],
        sender: Sender,
        host: DigestHost,
        *,
        rate_per_second: float,
        grace: timedelta,
        lease: timedelta,
        on_result: Callable[[PostResult], None] | None = None,
        job_context: Callable[[int], AbstractContextManager[object]] = _no_context,
        dm_sender: DmSender | None = None,
    ) -> None:
        self.host = host
        self.store = store
        #: One throttle for every request of the fan-out, server and personal posts alike.
        self.throttle = Throttle(rate_per_second * PACING)
        self.poster = DigestPoster(
            store,
            catalog,
            sender,
            throttle=self.throttle,
            grace=grace,
            lease=lease,
            on_disabled=self._on_disabled,
            on_result=on_result,
        )
        self.scheduler = DigestScheduler(self.post_due, grace_seconds=int(grace.total_seconds()))
        #: The personal digests' poster and scheduler (None without a DM sender).
        self.personal: DigestPoster | None = None
        self.personal_scheduler: DigestScheduler | None = None
        if dm_sender is not None:
            self.personal = DigestPoster(
                store,
                catalog,
                dm_sender,
                recipients=UserRecipients(store, dm_sender),
                throttle=self.throttle,
                grace=grace,
                lease=lease,
                # The same owner: the guild poster's lease covers both posters' claims.
                instance_id=self.poster.instance_id,
                on_disabled=self._on_user_disabled,
                on_result=on_result,
            )
            self.personal_scheduler = DigestScheduler(
                self.post_user_due, grace_seconds=int(grace.total_seconds()), label="user"
            )
        self._job_context = job_context
        #: The startup task (wait for READY, then catch up); tests await it.
        self.startup: asyncio.Task[list[PostResult]] | None = None
        #: Renews the claim lease and sweeps abandoned claims while the service runs.
        self.keeper: asyncio.Task[None] | None = None
        #: Scheduled posts waiting for the database to take writes again, by guild.
        self.storage_retries: dict[int, asyncio.Task[None]] = {}
        #: The same for personal digests, by user.
        self.personal_retries: dict[int, asyncio.Task[None]] = {}
        #: How a storage retry waits (tests replace it to drive the retries).
        self.sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        self._stopped = False

    def clock(self) -> datetime:
        """The digest's clock (the poster's)."""
        return self.poster.clock()

    # ------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Take the lease, schedule the held guilds, start the scheduler and the tasks."""
        # The lease first: a claim whose owner has no lease counts as a dead process's.
        try:
            await self.poster.renew_lease()
        except Exception:
            # Storage trouble must not stop the bot from starting; the keeper tries again.
            log.warning("digest: could not take the claim lease yet", exc_info=True)
        log.info("digest: claim owner %s", self.poster.instance_id)
        self.scheduler.start()
        count = await self.scheduler.load(await self.host.held_settings())
        log.info("digest: scheduled %d guilds", count)
        if self.personal_scheduler is not None:
            self.personal_scheduler.start()
            users = await self.personal_scheduler.load(await self.host.held_user_settings())
            log.info("digest: scheduled %d personal digests", users)
        self.startup = asyncio.create_task(self._catch_up(), name="digest-catch-up")
        self.keeper = asyncio.create_task(self._keep_claims(), name="digest-claims")

    async def stop(self) -> None:
        """Stop everything the service started; a post in flight finishes and records first."""
        self._stopped = True
        # Let a post in flight finish and record itself before the gateway goes away.
        await self.scheduler.shutdown(wait=True)
        if self.personal_scheduler is not None:
            await self.personal_scheduler.shutdown(wait=True)
        tasks = [
            self.startup,
            self.keeper,
            *self.storage_retries.values(),
            *self.personal_retries.values(),
        ]
        for task in tasks:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            # A claim a cancelled catch-up left is then settled at the next start at once.
            await self.poster.release_lease()
        except Exception:
            log.warning("digest: could not release the claim lease", exc_info=True)

    def tasks(self) -> list[asyncio.Task[Any]]:
        """Every task the service started that is still running."""
        started: list[asyncio.Task[Any] | None] = [
            self.startup,
            self.keeper,
            *self.storage_retries.values(),
            *self.personal_retries.values(),
        ]
        return [task for task in started if task is not None and not task.done()]

    # ---------------------------------------------------------------------- jobs

    def schedule(self, settings: GuildSettings) -> bool:
        """Add or replace the guild's job (a disabled digest is unscheduled); True if scheduled."""
        return self.scheduler.schedule_guild(settings)

    def unschedule(self, guild_id: int) -> bool:
        """Remove the guild's job; False if it had none."""
        return self.scheduler.unschedule_guild(guild_id)

    async def post_due(self, guild_id: int) -> None:
        """The scheduler's job: post the guild's due digest."""
        with self._job_context(guild_id):
            if not self.host.is_ready():
                # Not waiting here: a job blocked until READY would hold up a shutdown. Nothing
                # is claimed, so the startup catch-up (which runs once READY) posts it instead.
                log.info(
                    "digest for guild %d due before the bot is ready; catch-up posts it", guild_id
                )
                return
            try:
                await self.poster.post_due(guild_id)
            except StoreError as error:
                self._retry_when_storage_is_back(guild_id, error)

    def _on_disabled(self, guild_id: int, reason: DisableReason) -> None:
        self.unschedule(guild_id)
        log.warning("digest for guild %d disabled: %s", guild_id, reason.value)

    # ------------------------------------------------------------------ personal digests

    def schedule_user(self, settings: UserSettings) -> bool:
        """Add or replace a user's job (a paused or stopped digest is unscheduled)."""
        if self.personal_scheduler is None:
            return False
        return self.personal_scheduler.schedule_guild(settings)

    def unschedule_user(self, user_id: int) -> bool:
        if self.personal_scheduler is None:
            return False
        return self.personal_scheduler.unschedule_guild(user_id)

    async def post_user_due(self, user_id: int) -> None:
        """The personal scheduler's job: send the user's due digest by DM."""
        if self.personal is None:
            return
        if not self.host.is_ready():
            log.info("digest for user %d due before the bot is ready; catch-up sends it", user_id)
            return
        try:
            await self.personal.post_due(user_id)
        except StoreError as error:
            self._retry_when_storage_is_back(user_id, error, personal=True)

    def _on_user_disabled(self, user_id: int, reason: DisableReason) -> None:
        self.unschedule_user(user_id)
        log.warning("digest for user %d paused: %s", user_id, reason.value)

    # ------------------------------------------------------------------ storage retries

    def _retry_when_storage_is_back(
        self, guild_id: int, error: StoreError, *, personal: bool = False
    ) -> None:
        """Try the guild's (or, ``personal``, the user's) post again with backoff while it is
        still within its grace period.

        Without this, a post the database refused waited for the next restart's catch-up.
        """
        retries = self.personal_retries if personal else self.storage_retries
        poster = self.personal if personal and self.personal is not None else self.poster
        if guild_id in retries or self._stopped:
            return  # already retrying (or stopping: the next start's catch-up posts it)
        deadline = self.clock() + self.poster.grace
        log.warning(
            "digest for guild %d: storage unavailable (%s); trying again until %s",
            guild_id,
            error,
            deadline.isoformat(timespec="seconds"),
        )
        task = asyncio.create_task(
            self._retry_post(poster, guild_id, deadline), name=f"digest-storage-retry-{guild_id}"
        )
        retries[guild_id] = task
        task.add_done_callback(lambda done: self._retry_done(retries, guild_id, done))

    def _retry_done(
        self, retries: dict[int, asyncio.Task[None]], guild_id: int, task: asyncio.Task[None]
    ) -> None:
        if retries.get(guild_id) is task:
            del retries[guild_id]

    async def _retry_post(self, poster: DigestPoster, guild_id: int, deadline: datetime) -> None:
        for attempt in itertools.count():
            await self.sleep(STORAGE_RETRY_DELAYS[min(attempt, len(STORAGE_RETRY_DELAYS) - 1)])
            try:
                # Shielded: stopping the service may cut the wait, not a post being made.
                result = await asyncio.shield(poster.post_due(guild_id))
            except StoreError as error:
                if self.clock() >= deadline:
                    log.error(
                        "digest for guild %d: storage still unavailable after the grace "
                        "period (%s); giving up (the next start's catch-up records it)",
                        guild_id,
                        error,
                    )
                    return
                log.warning("digest for guild %d: storage still unavailable: %s", guild_id, error)
            else:
                log.info(
                    "digest for guild %d: storage is back; the post's outcome: %s",
                    guild_id,
                    result.outcome.value,
                )
                return

    # ------------------------------------------------------------ catch-up and claims

    async def _present_settings(self) -> list[GuildSettings]:
        """Enabled digests of the guilds this process holds and is in."""
        present: list[GuildSettings] = []
        for settings in await self.host.held_settings():
            if not self.host.holds_guild(settings.guild_id):
                # Left (or was removed) while offline: no job; the settings stay for a rejoin.
                if self.unschedule(settings.guild_id):
                    log.info("digest: guild %d is gone; not scheduled", settings.guild_id)
            else:
                present.append(settings)
        return present

    async def _claimed_settings(self, guild_ids: set[int]) -> list[GuildSettings]:
        """The enabled settings of those of ``guild_ids`` this process holds and is in."""
        held: list[GuildSettings] = []
        for guild_id in sorted(guild_ids):
            if not self.host.holds_guild(guild_id):
                continue  # another process's shard, or a guild the bot left
            settings = await self.store.get_settings(guild_id)
            if settings is not None and settings.enabled:
                held.append(settings)
        return held

    async def _catch_up(self) -> list[PostResult]:
        await self.host.wait_until_ready()
        present = await self._present_settings()
        results = await self.poster.catch_up_all(present)
        made = sum(r.outcome is PostOutcome.POSTED for r in results)
        skipped = sum(r.outcome is PostOutcome.SKIPPED for r in results)
        log.info(
            "digest catch-up: %d guilds checked, %d missed posts made, %d skipped",
            len(present),
            made,
            skipped,
        )
        if self.personal is not None:
            users = await self.host.held_user_settings()
            personal = await self.personal.catch_up_all(users)
            log.info(
                "personal digest catch-up: %d users checked, %d missed sent, %d skipped",
                len(users),
                sum(r.outcome is PostOutcome.POSTED for r in personal),
                sum(r.outcome is PostOutcome.SKIPPED for r in personal),
            )
            results = [*results, *personal]
        return results

    async def _keep_claims(self) -> None:
        """Every third of the lease: renew it, and (once the startup catch-up is done) settle
        the claims dead processes left on this process's guilds, so no restart is needed. The
        sweep runs beside the renewals: a slow one (a send retrying Discord errors) must not let
        this process's own lease run out."""
        poster = self.poster
        sweeping: asyncio.Task[None] | None = None
        try:
            while True:
                await asyncio.sleep(poster.renew_every)
                try:
                    await poster.renew_lease()
                except Exception:
                    log.exception("digest: renewing the claim lease failed")
                startup = self.startup
                ready = self.host.is_ready() and startup is not None and startup.done()
                if ready and (sweeping is None or sweeping.done()):
                    sweeping = asyncio.create_task(self._sweep(), name="digest-sweep")
        finally:
            if sweeping is not None and not sweeping.done():
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping

    async def _sweep(self) -> None:
        # Only recipients with a claim to settle have their settings read: reading every
        # enabled digest each sweep stalled the loop 2.5 s every 20 s at 100,000 guilds.
        try:
            results: list[PostResult] = []
            claimed = {record.guild_id for record in await self.poster.abandoned()}
            if claimed:
                results += await self.poster.sweep(await self._claimed_settings(claimed))
            if self.personal is not None and await self.personal.abandoned():
                results += await self.personal.sweep(await self.host.held_user_settings())
        except Exception:
            log.exception("digest: sweeping abandoned claims failed")
            return
        if results:
            log.info("digest sweep: settled %d abandoned claims", len(results))
