"""Posting the daily digest: claim the guild's local date, pick, render, send, record.

One poster design serves both kinds of recipient: a guild (its digest channel) and a user
(``/mydigest``, by DM). A :class:`DigestPoster` is built for one kind
(:mod:`bot.digest.recipients`); the guarantees below hold for each, with "guild" read as
"user" and "channel" as "the user's DM channel". The service runs one poster per kind on one
shared :class:`~bot.digest.throttle.Throttle`, so together they stay under the global limit.

Exactly one post per guild and guild-local date, whatever restarts and errors happen:

- a post waits for its throttle slot *unclaimed*; only once the slot is granted is the
  (guild, local date) row claimed, and the send follows at once, so a crash can only leave
  behind the claims of sends that were actually under way, never a queue of them;
- a date that already has a row is never sent again (a ``failed`` one only by an admin's
  ``/digest now``);
- the send carries a nonce derived from (guild, date) with ``enforce_nonce``, so Discord itself
  refuses a duplicate if a retry follows a 5xx that had in fact created the message;
- each claim names its owner, this process's instance id, and the process keeps a lease in the
  store that it renews (:meth:`DigestPoster.renew_lease`). A claim whose owner's lease ran out
  (the process died) is settled at once, at startup (:meth:`DigestPoster.catch_up`) and by a
  periodic sweep while running (:meth:`DigestPoster.sweep`): the claim is taken over
  atomically, then the channel is searched for the message. Found → recorded as posted; absent
  in a channel whose history the bot can read → sent now if still within the grace period, else
  recorded skipped; history unreadable (no Read Message History: Discord then answers with an
  empty list, which proves nothing) or the search failed → recorded skipped, never sent twice.

Errors: 404 Unknown Channel → the guild's digest is disabled (``channel_missing``); 403 →
disabled (``missing_access`` for 50001, else ``missing_permissions``); the settings are kept.
Server errors are retried with backoff, then recorded as failed. discord.py's HTTP client
already sleeps and retries 429s (honouring ``retry_after`` and the global flag) and retries
500/502/504/524 itself; what escapes it (503, or a 5xx that persisted) is retried here. Every
REST call of the fan-out first takes a slot from one shared :class:`~bot.digest.throttle.Throttle`.

The decisions (which error means what, what to do at startup) are plain functions and the
Discord calls sit behind :class:`~bot.digest.sending.Sender`, so the poster is tested without
Discord. Making one date's post lives in :mod:`bot.digest.posting`; this module holds the entry
points, the lease and the recovery of abandoned claims.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from bot.catalog import Catalog
from bot.catalog.models import Quote
from bot.digest.due import Due, MissedAction, due_instant, local_date_for, missed_post, previous_due
from bot.digest.outcomes import PostOutcome, PostResult, already, late_detail
from bot.digest.picker import Pick, record_posted
from bot.digest.posting import Clock, Posting
from bot.digest.recipients import DigestSettings, GuildRecipients, Recipients
from bot.digest.sending import HistoryUnreadable, Sender, SendError
from bot.digest.throttle import Throttle
from bot.store import (
    DisableReason,
    PostRecord,
    PostStatus,
    Reason,
    RecipientKind,
    Store,
    StoreConnection,
)

__all__ = [
    "CATCH_UP_IN_FLIGHT",
    "DEFAULT_CLAIM_LEASE",
    "DEFAULT_RETRY_DELAYS",
    "STALE_CLAIM_AFTER",
    "DigestPoster",
    "wall_clock",
]

log = logging.getLogger(__name__)

#: Waits between send attempts after a server error: four attempts in all.
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0, 30.0)

#: A ``claimed`` row without an owner (written before owners were recorded) older than this
#: was left by a crash, not a send in progress.
STALE_CLAIM_AFTER = timedelta(minutes=15)

#: How long a process's lease lasts without renewal: its claims count as abandoned (the
#: process died) once it runs out. The poster renews it three times per lease.
DEFAULT_CLAIM_LEASE = timedelta(seconds=60)

#: Startup catch-ups in flight at once (as the scheduler's ``MAX_IN_FLIGHT``: about five
#: seconds of sends ready, the store's queue short).
CATCH_UP_IN_FLIGHT = 250

#: How far before a stale claim to look for the message it may have sent.
_CLAIM_LOOKBACK = timedelta(minutes=1)


def wall_clock() -> datetime:
    """The clock a poster runs on unless given one (end-to-end tests replace it to drive time)."""
    return datetime.now(UTC)


class DigestPoster(Posting):
    """Posts guilds' digests: on schedule, on ``/digest now`` and at startup for missed ones.

    ``on_disabled(guild_id, reason)`` is called after a guild's digest was disabled (so the
    caller can drop its job); ``on_result(result)`` after every attempt (for metrics).
    ``retry_delays`` and ``sleep`` make the retries instant in tests; ``clock`` decides which
    local date is due and when leases run out. ``instance_id`` names this process's claims
    (random unless given); ``lease`` is how long they stay its own without a renewal.
    ``recipients`` makes it a poster of users' personal digests
    (:class:`~bot.digest.recipients.UserRecipients`; its sender replaces ``sender``); the
    default posts guilds' digests through ``sender``.
    """

    def __init__(
        self,
        store: Store,
        catalog: Callable[[], Catalog],
        sender: Sender,
        *,
        throttle: Throttle,
        grace: timedelta,
        clock: Clock | None = None,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        stale_claim_after: timedelta = STALE_CLAIM_AFTER,
        instance_id: str | None = None,
        lease: timedelta = DEFAULT_CLAIM_LEASE,
        on_disabled: Callable[[int, DisableReason], None] | None = None,
        on_result: Callable[[PostResult], None] | None = None,
        recipients: Recipients | None = None,
    ) -> None:
        self.store = store
        self._catalog = catalog
        self.recipients = recipients if recipients is not None else GuildRecipients(store, sender)
        self.kind = self.recipients.kind
        self.sender = self.recipients.sender
        self.throttle = throttle
        self.grace = grace
        # Looked up now, not bound as a default, so a replaced wall_clock takes effect.
        self.clock: Clock = clock if clock is not None else wall_clock
        self.retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self.stale_claim_after = stale_claim_after
        if lease <= timedelta(0):
            raise ValueError("the claim lease must be positive")
        self.instance_id = instance_id or uuid.uuid4().hex
        self.lease = lease
        self._on_disabled = on_disabled
        self._on_result = on_result
        self._locks: dict[int, asyncio.Lock] = {}

    # ------------------------------------------------------------------- lease and sweep

    @property
    def renew_every(self) -> float:
        """Seconds between lease renewals (and sweeps): a third of the lease."""
        return self.lease.total_seconds() / 3

    async def renew_lease(self) -> None:
        """Register this process or extend its lease; call every :attr:`renew_every` s."""
        now = self.clock()
        await self.store.renew_instance(self.instance_id, now=now, lease_until=now + self.lease)

    async def release_lease(self) -> None:
        """A clean stop: forget this process, so a claim it still holds is settled at once."""
        await self.store.release_instance(self.instance_id)

    async def sweep(self, settings_list: Iterable[DigestSettings]) -> list[PostResult]:
        """Settle every abandoned claim (owner dead, or our own with no post in progress) of
        the given guilds, the ones this process holds; claims of live processes are left
        alone. Runs while the bot runs, so no restart is needed to settle them."""
        held = {s.recipient_id: s for s in settings_list if s.enabled}
        claims = await self.abandoned()
        results: list[PostResult] = []
        for record in claims:
            settings = held.get(record.guild_id)
            if settings is None:
                continue  # another process's shard, or a digest that is off
            try:
                result = await self._settle_claim(settings, record)
            except Exception:
                log.exception(
                    "digest for %s %d: settling the claim of %s failed",
                    self.kind.value,
                    record.guild_id,
                    record.local_date,
                )
                continue
            if result is not None:
                results.append(result)
        return results

    async def abandoned(self) -> list[PostRecord]:
        """The claims a sweep would look at (owner dead, or our own), of every recipient of
        this kind; prunes expired leases first. Usually none: the service reads the settings
        of the claimed recipients only, instead of every recipient's every sweep."""
        now = self.clock()
        await self.store.prune_instances(now=now)
        return await self.store.abandoned_claims(
            owner=self.instance_id,
            now=now,
            legacy_before=now - self.stale_claim_after,
            kind=self.kind,
        )

    # --------------------------------------------------------------------- entry points

    async def post_due(self, guild_id: int) -> PostResult:
        """The scheduled post: the guild's latest due date (``previous_due`` of now)."""
        settings = await self.recipients.settings(guild_id)
        if settings is None or not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        now = self.clock()
        due = previous_due(now, settings.post_time, settings.timezone)
        late_by = now - due.instant
        if late_by > self.grace:
            async with self._lock(guild_id):
                return await self._skip(
                    settings, due, Reason.MISSED, late_detail(late_by, self.grace)
                )
        return await self._post(settings, due, retry_failed=False)

    async def post_today(self, guild_id: int) -> PostResult:
        """``/digest now``: today's (guild-local) post, unless it was already made.

        A date recorded as failed is tried again; a posted or skipped one is left alone.
        """
        settings = await self.recipients.settings(guild_id)
        if settings is None or not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        today = local_date_for(self.clock(), settings.timezone)
        due = Due(today, due_instant(today, settings.post_time, settings.timezone))
        return await self._post(settings, due, retry_failed=True)

    async def catch_up(self, settings: DigestSettings) -> PostResult:
        """At startup: settle a crashed send, then post a missed digest once within grace,
        or record it skipped."""
        guild_id = settings.recipient_id
        if not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        last = await self.store.last_post(guild_id, kind=self.kind)
        recovered: PostResult | None = None
        if last is not None and last.status is PostStatus.CLAIMED:
            recovered = await self._settle_claim(settings, last)
        now = self.clock()
        decision = missed_post(
            now,
            last.local_date if last is not None else None,
            settings.post_time,
            settings.timezone,
            self.grace,
            since=settings.updated_at,
        )
        if decision.local_date is None or decision.due is None:
            # A settled claim was the latest date owed (a later one is still made below).
            return recovered or self._log(PostResult(guild_id, PostOutcome.NOTHING_DUE))
        due = Due(decision.local_date, decision.due)
        if decision.action is MissedAction.SKIP:
            async with self._lock(guild_id):
                detail = late_detail(now - due.instant, self.grace)
                return await self._skip(settings, due, Reason.MISSED, detail)
        return await self._post(settings, due, retry_failed=False)

    async def catch_up_all(
        self, settings_list: Iterable[DigestSettings], *, in_flight: int = CATCH_UP_IN_FLIGHT
    ) -> list[PostResult]:
        """:meth:`catch_up` for every guild, at most ``in_flight`` at once (the throttle paces
        the sends); one guild's error never stops another's. Results in the given order.

        Bounded like the scheduler's fan-out: starting 10,000 catch-ups at once queued the
        first send behind 10,000 store reads (20 s) and held a coroutine per guild."""
        items = list(settings_list)
        results: list[PostResult | Exception | None] = [None] * len(items)
        todo = iter(enumerate(items))

        async def worker() -> None:
            for index, settings in todo:
                try:
                    results[index] = await self.catch_up(settings)
                except Exception as error:  # logged below with its guild id
                    results[index] = error

        await asyncio.gather(*(worker() for _ in range(min(in_flight, len(items)))))
        out: list[PostResult] = []
        for settings, result in zip(items, results, strict=True):
            if isinstance(result, Exception):
                log.error(
                    "digest catch-up for %s %d failed",
                    self.kind.value,
                    settings.recipient_id,
                    exc_info=(type(result), result, result.__traceback__),
                )
                continue
            if result is not None:
                out.append(result)
        return out

    async def next_post(self, guild_id: int) -> tuple[Catalog, Quote] | None:
        """The catalog and quote the guild's next digest will post (None: no quotes)."""
        catalog = self._catalog()
        # The recipient's own settings (a user's never pick from the whosaid pool).
        settings = await self.recipients.settings(guild_id)
        pick = await self._next_pick(catalog, guild_id, settings)
        if pick is None:
            return None
        return catalog, catalog.quotes[pick.quote_id]

    # ------------------------------------------------------------ crash recovery

    async def _settle_claim(
        self, settings: DigestSettings, record: PostRecord
    ) -> PostResult | None:
        """Settle a ``claimed`` row nobody is sending any more; None when it is not abandoned
        (a live process, this one included, holds it) or another process settles it."""
        guild_id, day, kind = settings.recipient_id, record.local_date, self.kind
        lock = self._lock(guild_id)
        if lock.locked():
            return None  # a post of ours for this guild is in progress: not abandoned
        async with lock:
            now = self.clock()
            taken = await self.store.take_over_claim(
                guild_id,
                day,
                owner=self.instance_id,
                now=now,
                legacy_before=now - self.stale_claim_after,
                kind=kind,
            )
            if not taken:
                return None
            current = await self.store.post_for(guild_id, day, kind=kind)
            if current is None or current.status is not PostStatus.CLAIMED:
                return None
            return await self._resolve_claim(settings, current, now)

    async def _resolve_claim(
        self, settings: DigestSettings, record: PostRecord, now: datetime
    ) -> PostResult:
        """Settle a claim this process has taken over (guild lock held): look for the message,
        then record it posted, send it, or record the date skipped; never post twice.

        A claim without a channel (a user whose DM channel was not open yet) sent nothing:
        the channel is stored before the send."""
        guild_id, day, kind = settings.recipient_id, record.local_date, self.kind
        due = Due(day, record.scheduled_for)
        channel_id = record.channel_id or settings.channel_id
        found: int | None = None
        if record.quote_id is not None and channel_id is not None:
            await self.throttle.acquire()
            try:
                found = await self.sender.find_sent(
                    guild_id,
                    channel_id,
                    since=record.created_at - _CLAIM_LOOKBACK,
                    quote_id=record.quote_id,
                )
            except HistoryUnreadable as error:
                detail = (
                    "interrupted mid-send; the channel's history cannot be read "
                    f"({error}), so the post was not sent again"
                )
                return await self._skip(settings, due, Reason.NO_HISTORY, detail, settle_claim=True)
            except SendError as error:
                detail = f"interrupted mid-send; could not check the channel: {error}"
                return await self._skip(settings, due, Reason.UNVERIFIED, detail, settle_claim=True)
        if found is not None and record.quote_id is not None:
            pick = await self._pick_of(record)
            async with self.store.transaction() as conn:
                await self.store.mark_posted(
                    guild_id, day, found, channel_id=channel_id, conn=conn, kind=kind
                )
                await record_posted(self.store, guild_id, pick, conn=conn, kind=kind)
                if kind is RecipientKind.GUILD and channel_id is not None:
                    await self._found_round(record, channel_id, found, conn=conn)
            return self._log(
                PostResult(
                    guild_id,
                    PostOutcome.POSTED,
                    day,
                    message_id=found,
                    channel_id=channel_id,
                    quote_id=record.quote_id,
                    detail="found the message an interrupted send had posted",
                )
            )
        late_by = now - record.scheduled_for
        if late_by > self.grace:
            detail = "no message found, and " + late_detail(late_by, self.grace)
            return await self._skip(settings, due, Reason.INTERRUPTED, detail, settle_claim=True)
        # Verifiably not sent: send it now, under the claim this process holds.
        catalog = self._catalog()
        fresh = await self._next_pick(catalog, guild_id, settings)
        if fresh is None:
            return await self._skip(settings, due, Reason.NO_QUOTES, settle_claim=True)
        # Both in one transaction: a kill between them would leave a `failed` row that
        # nothing retries, where a `claimed` one is settled again by the next sweep.
        async with self.store.transaction() as conn:
            await self.store.mark_failed(
                guild_id,
                day,
                Reason.INTERRUPTED,
                "no message found; sending again",
                record.attempts,
                conn=conn,
                kind=kind,
            )
            reclaimed = await self.store.retry_claim(
                guild_id,
                day,
                quote_id=fresh.quote_id,
                owner=self.instance_id,
                conn=conn,
                kind=kind,
            )
        if not reclaimed:
            existing = await self.store.post_for(guild_id, day, kind=kind)
            return self._log(already(guild_id, day, existing))
        return await self._send(catalog, settings, day, fresh)

    async def _found_round(
        self, record: PostRecord, channel_id: int, message_id: int, *, conn: StoreConnection
    ) -> None:
        """A guild's interrupted post found in its channel was the date's "who said it?"
        round if one was made for it (``whosaid`` mode): record its message, as a send does,
        so the next day's post reveals it and the round is never re-picked."""
        round_ = await self.store.daily_round(record.guild_id, record.local_date, conn=conn)
        if round_ is not None and round_.message_id is None and round_.quote_id == record.quote_id:
            await self.store.set_round_message(
                round_.id, channel_id=channel_id, message_id=message_id, conn=conn
            )

    async def _pick_of(self, record: PostRecord) -> Pick:
        """The cycle the interrupted post's quote belongs to (the next one on a rollover)."""
        assert record.quote_id is not None
        state = await self.store.cycle_state(record.guild_id, kind=self.kind)
        if state is None:
            return Pick(record.quote_id, 1)
        if record.quote_id in state.posted:
            return Pick(record.quote_id, state.cycle + 1)
        return Pick(record.quote_id, state.cycle)
