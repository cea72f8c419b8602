"""Posting the daily digest: claim the guild's local date, pick, render, send, record.

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
Discord calls sit behind :class:`Sender`, so the poster is tested without Discord.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import aiohttp
import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote
from bot.digest.picker import Pick, next_quote, record_posted
from bot.digest.schedule import (
    Due,
    MissedAction,
    due_instant,
    local_date_for,
    missed_post,
    previous_due,
)
from bot.digest.throttle import Throttle
from bot.store import DisableReason, GuildSettings, PostRecord, PostStatus, Store
from bot.ui.components import daily_post_view
from bot.ui.digest import digest_embed

__all__ = [
    "DEFAULT_CLAIM_LEASE",
    "DEFAULT_RETRY_DELAYS",
    "INTERRUPTED",
    "MISSED",
    "NO_HISTORY",
    "NO_QUOTES",
    "REJECTED",
    "SERVER_ERROR",
    "STALE_CLAIM_AFTER",
    "UNVERIFIED",
    "DigestPoster",
    "DiscordSender",
    "FailureAction",
    "HistoryUnreadable",
    "PostOutcome",
    "PostResult",
    "SendError",
    "Sender",
    "classify_failure",
    "digest_nonce",
    "render_digest",
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

#: How far before a stale claim to look for the message it may have sent.
_CLAIM_LOOKBACK = timedelta(minutes=1)

# Discord JSON error codes the poster acts on.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
MISSING_ACCESS = 50001
CANNOT_SEND_IN_NON_TEXT = 50008

Clock = Callable[[], datetime]

# Reason codes that start a post-log row's reason ("<code>: <detail>"); `/digest status` shows
# them in words. A disabled digest's failure starts with its DisableReason value instead.
MISSED = "missed"  # due while the bot was down, beyond the grace period
INTERRUPTED = "interrupted"  # a crash mid-send; the message was not found afterwards
UNVERIFIED = "unverified"  # a crash mid-send, and the channel could not be checked
NO_HISTORY = "no_history"  # a crash mid-send, and the bot cannot read the channel's history
NO_QUOTES = "no_quotes"  # the content packs have no quotes
SERVER_ERROR = "server_error"  # Discord kept failing (5xx, 429, no answer) through the retries
REJECTED = "rejected"  # Discord refused the request itself (another 4xx)


def wall_clock() -> datetime:
    """The clock a poster runs on unless given one (end-to-end tests replace it to drive time)."""
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- decisions


class SendError(Exception):
    """A send (or a channel lookup) that Discord refused or that never got an answer.

    ``status`` is the HTTP status (0: no response: connection error or timeout); ``code`` is
    Discord's JSON error code (0 when there is none).
    """

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"HTTP {status} (code {code}): {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message


class HistoryUnreadable(Exception):
    """The bot cannot read the channel's message history, so looking for a message proves
    nothing: without Read Message History Discord answers a history request with no messages."""


@dataclass(frozen=True, slots=True)
class FailureAction:
    """What a failed send means: try again, or give up (disabling the digest, or not)."""

    retry: bool
    disable: DisableReason | None = None


def classify_failure(status: int, code: int) -> FailureAction:
    """Decide what a failed send means from its HTTP status and Discord error code."""
    if status == 0 or status == 429 or status >= 500:
        return FailureAction(retry=True)
    if status == 404:
        if code == UNKNOWN_GUILD:
            return FailureAction(False, DisableReason.GUILD_UNAVAILABLE)
        return FailureAction(False, DisableReason.CHANNEL_MISSING)
    if status == 403:
        if code == MISSING_ACCESS:
            return FailureAction(False, DisableReason.MISSING_ACCESS)
        return FailureAction(False, DisableReason.MISSING_PERMISSIONS)
    if status == 400 and code == CANNOT_SEND_IN_NON_TEXT:
        return FailureAction(False, DisableReason.CHANNEL_UNSUPPORTED)
    # Any other 4xx is a request Discord will refuse again the same way: record it, keep going.
    return FailureAction(retry=False)


def digest_nonce(guild_id: int, local_date: date) -> str:
    """The send's nonce (≤ 25 characters): the same for every attempt of one guild's date."""
    return hashlib.sha256(f"{guild_id}:{local_date.isoformat()}".encode()).hexdigest()[:25]


def render_digest(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    """The digest embed exactly as it is posted (``/digest preview`` shows the same)."""
    return digest_embed(catalog, quote, lang, catalog.related_term(quote))


class PostOutcome(enum.StrEnum):
    POSTED = "posted"  # sent and recorded
    ALREADY = "already"  # the date already had a row; nothing sent
    SKIPPED = "skipped"  # recorded as skipped (missed beyond grace, no quotes, interrupted)
    FAILED = "failed"  # recorded as failed after the retries (or a request Discord refuses)
    DISABLED = "disabled"  # recorded as failed and the guild's digest turned off
    NOT_ENABLED = "not_enabled"  # no settings, or the digest is off: nothing to do
    NOTHING_DUE = "nothing_due"  # startup: nothing was missed


@dataclass(frozen=True, slots=True)
class PostResult:
    """What one attempt to post a guild's digest did (also logged)."""

    guild_id: int
    outcome: PostOutcome
    local_date: date | None = None
    message_id: int | None = None
    channel_id: int | None = None
    quote_id: str | None = None
    attempts: int = 0
    reason: str | None = None
    disabled: DisableReason | None = None
    status: PostStatus | None = None  # the row's state, for ALREADY


# -------------------------------------------------------------------------------- sending


class Sender(Protocol):
    """The Discord calls the poster makes; raises :class:`SendError` when Discord refuses."""

    async def send(
        self,
        guild_id: int,
        channel_id: int,
        embed: discord.Embed,
        *,
        nonce: str,
        view: discord.ui.View | None = None,
    ) -> int:
        """Post ``embed`` (with the buttons of ``view``) to the channel; return the message id."""
        ...

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        """The id of a digest for ``quote_id`` this bot posted in the channel after ``since``;
        None only when the channel's history was read and it is not there. Raises
        :class:`HistoryUnreadable` when the bot cannot read the history (or cannot tell)."""
        ...


_TRANSIENT = (aiohttp.ClientError, OSError, TimeoutError)


class DiscordSender:
    """:class:`Sender` through a discord.py client, without needing the channel in the cache."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send(
        self,
        guild_id: int,
        channel_id: int,
        embed: discord.Embed,
        *,
        nonce: str,
        view: discord.ui.View | None = None,
    ) -> int:
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            message = await channel.send(
                embed=embed,
                view=view if view is not None else discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=nonce,
            )
        except discord.HTTPException as exc:
            raise SendError(exc.status, exc.code, exc.text or str(exc)) from exc
        except discord.RateLimited as exc:
            raise SendError(429, 0, f"rate limited for {exc.retry_after:.1f} s") from exc
        except _TRANSIENT as exc:
            raise SendError(0, 0, f"no answer from Discord: {exc!r}") from exc
        return message.id

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        me = self.client.user
        if me is None:
            raise SendError(0, 0, "not logged in")
        self._require_history(guild_id, channel_id)
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        marker = f" {quote_id}"
        try:
            async for message in channel.history(limit=100, after=since, oldest_first=True):
                if message.author.id != me.id:
                    continue
                for embed in message.embeds:
                    if (embed.footer.text or "").endswith(marker):
                        return message.id
        except discord.HTTPException as exc:
            raise SendError(exc.status, exc.code, exc.text or str(exc)) from exc
        except _TRANSIENT as exc:
            raise SendError(0, 0, f"no answer from Discord: {exc!r}") from exc
        return None

    def _require_history(self, guild_id: int, channel_id: int) -> None:
        """Raise :class:`HistoryUnreadable` unless the bot may read the channel's history,
        computed from the guild's roles and the channel's overwrites (gateway cache)."""
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        me = guild.me if guild is not None else None
        if guild is None or channel is None or me is None:
            raise HistoryUnreadable("the channel is not known, so its permissions are not either")
        if isinstance(channel, discord.CategoryChannel | discord.ForumChannel):
            raise HistoryUnreadable("the channel has no message history")
        have = channel.permissions_for(me)
        if not (have.view_channel and have.read_message_history):
            raise HistoryUnreadable("the bot lacks Read Message History in the channel")


# --------------------------------------------------------------------------------- poster


class DigestPoster:
    """Posts guilds' digests: on schedule, on ``/digest now`` and at startup for missed ones.

    ``on_disabled(guild_id, reason)`` is called after a guild's digest was disabled (so the
    caller can drop its job); ``on_result(result)`` after every attempt (for metrics).
    ``retry_delays`` and ``sleep`` make the retries instant in tests; ``clock`` decides which
    local date is due and when leases run out. ``instance_id`` names this process's claims
    (random unless given); ``lease`` is how long they stay its own without a renewal.
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
    ) -> None:
        self.store = store
        self._catalog = catalog
        self.sender = sender
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

    async def sweep(self, settings_list: Iterable[GuildSettings]) -> list[PostResult]:
        """Settle every abandoned claim (owner dead, or our own with no post in progress) of
        the given guilds, the ones this process holds; claims of live processes are left
        alone. Runs while the bot runs, so no restart is needed to settle them."""
        held = {s.guild_id: s for s in settings_list if s.enabled}
        now = self.clock()
        await self.store.prune_instances(now=now)
        claims = await self.store.abandoned_claims(
            owner=self.instance_id, now=now, legacy_before=now - self.stale_claim_after
        )
        results: list[PostResult] = []
        for record in claims:
            settings = held.get(record.guild_id)
            if settings is None:
                continue  # another process's shard, or a digest that is off
            try:
                result = await self._settle_claim(settings, record)
            except Exception:
                log.exception(
                    "digest for guild %d: settling the claim of %s failed",
                    record.guild_id,
                    record.local_date,
                )
                continue
            if result is not None:
                results.append(result)
        return results

    # --------------------------------------------------------------------- entry points

    async def post_due(self, guild_id: int) -> PostResult:
        """The scheduled post: the guild's latest due date (``previous_due`` of now)."""
        settings = await self.store.get_settings(guild_id)
        if settings is None or not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        now = self.clock()
        due = previous_due(now, settings.post_time, settings.timezone)
        late_by = now - due.instant
        if late_by > self.grace:
            async with self._lock(guild_id):
                return await self._skip(settings, due, _late_reason(late_by, self.grace))
        return await self._post(settings, due, retry_failed=False)

    async def post_today(self, guild_id: int) -> PostResult:
        """``/digest now``: today's (guild-local) post, unless it was already made.

        A date recorded as failed is tried again; a posted or skipped one is left alone.
        """
        settings = await self.store.get_settings(guild_id)
        if settings is None or not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        today = local_date_for(self.clock(), settings.timezone)
        due = Due(today, due_instant(today, settings.post_time, settings.timezone))
        return await self._post(settings, due, retry_failed=True)

    async def catch_up(self, settings: GuildSettings) -> PostResult:
        """At startup: settle a crashed send, then post a missed digest once within grace,
        or record it skipped."""
        guild_id = settings.guild_id
        if not settings.enabled:
            return self._log(PostResult(guild_id, PostOutcome.NOT_ENABLED))
        last = await self.store.last_post(guild_id)
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
                return await self._skip(settings, due, _late_reason(now - due.instant, self.grace))
        return await self._post(settings, due, retry_failed=False)

    async def catch_up_all(self, settings_list: Iterable[GuildSettings]) -> list[PostResult]:
        """:meth:`catch_up` for every guild, concurrently (the throttle paces the sends); one
        guild's error never stops another's."""
        items = list(settings_list)
        results = await asyncio.gather(*(self.catch_up(s) for s in items), return_exceptions=True)
        out: list[PostResult] = []
        for settings, result in zip(items, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                log.error(
                    "digest catch-up for guild %d failed",
                    settings.guild_id,
                    exc_info=(type(result), result, result.__traceback__),
                )
                continue
            out.append(result)
        return out

    async def next_post(self, guild_id: int, lang: Lang) -> tuple[Quote, discord.Embed] | None:
        """The quote and embed the guild's next digest will post (None: no quotes)."""
        catalog = self._catalog()
        pick = await next_quote(self.store, guild_id, catalog.quotes.keys())
        if pick is None:
            return None
        quote = catalog.quotes[pick.quote_id]
        return quote, render_digest(catalog, quote, lang)

    # ------------------------------------------------------------------------ the post

    def _lock(self, guild_id: int) -> asyncio.Lock:
        # One post at a time per guild: two dates must not pick the same "next" quote.
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    async def _post(self, settings: GuildSettings, due: Due, *, retry_failed: bool) -> PostResult:
        guild_id, day = settings.guild_id, due.local_date
        async with self._lock(guild_id):
            existing = await self.store.post_for(guild_id, day)
            if existing is not None and not (retry_failed and existing.status is PostStatus.FAILED):
                return self._log(_already(guild_id, day, existing))
            # Wait for the turn unclaimed: a crash while queued leaves nothing to settle.
            await self.throttle.wait_turn()
            catalog = self._catalog()
            pick = await next_quote(self.store, guild_id, catalog.quotes.keys())
            if pick is None:
                reason = f"{NO_QUOTES}: the content packs have no quotes"
                return await self._skip(settings, due, reason)
            claimed = await self.store.claim_post(
                guild_id,
                day,
                due.instant,
                pick.quote_id,
                channel_id=settings.channel_id,
                owner=self.instance_id,
            )
            if not claimed:
                existing = await self.store.post_for(guild_id, day)
                retry = (
                    retry_failed
                    and existing is not None
                    and existing.status is PostStatus.FAILED
                    and await self.store.retry_claim(
                        guild_id, day, quote_id=pick.quote_id, owner=self.instance_id
                    )
                )
                if not retry:
                    return self._log(_already(guild_id, day, existing))
            return await self._send(catalog, settings, day, pick, turn_taken=True)

    async def _send(
        self,
        catalog: Catalog,
        settings: GuildSettings,
        day: date,
        pick: Pick,
        *,
        turn_taken: bool = False,
    ) -> PostResult:
        """Send a claimed post, retrying server errors; record the outcome. ``turn_taken``:
        the first attempt's throttle turn was already waited for (only the spacing is left)."""
        guild_id = settings.guild_id
        quote = catalog.quotes[pick.quote_id]
        embed = render_digest(catalog, quote, settings.language)
        view = daily_post_view(catalog, quote, settings.language)
        nonce = digest_nonce(guild_id, day)
        attempts = 0
        while True:
            attempts += 1
            if attempts == 1 and turn_taken:
                await self.throttle.space()
            else:
                await self.throttle.acquire()
            try:
                message_id = await self.sender.send(
                    guild_id, settings.channel_id, embed, nonce=nonce, view=view
                )
            except SendError as error:
                action = classify_failure(error.status, error.code)
                if action.retry and attempts <= len(self.retry_delays):
                    delay = self.retry_delays[attempts - 1]
                    log.warning(
                        "digest for guild %d on %s: attempt %d failed (%s); retrying in %.1f s",
                        guild_id,
                        day,
                        attempts,
                        error,
                        delay,
                    )
                    await self._sleep(delay)
                    continue
                return await self._fail(settings, day, pick, attempts, error, action)
            break
        async with self.store.transaction() as conn:
            await self.store.mark_posted(
                guild_id,
                day,
                message_id,
                channel_id=settings.channel_id,
                attempts=attempts,
                conn=conn,
            )
            await record_posted(self.store, guild_id, pick, conn=conn)
        return self._log(
            PostResult(
                guild_id,
                PostOutcome.POSTED,
                day,
                message_id=message_id,
                channel_id=settings.channel_id,
                quote_id=pick.quote_id,
                attempts=attempts,
            )
        )

    async def _fail(
        self,
        settings: GuildSettings,
        day: date,
        pick: Pick,
        attempts: int,
        error: SendError,
        action: FailureAction,
    ) -> PostResult:
        guild_id = settings.guild_id
        code = (
            action.disable.value
            if action.disable is not None
            else (SERVER_ERROR if action.retry else REJECTED)
        )
        reason = f"{code}: {error}"
        async with self.store.transaction() as conn:
            await self.store.mark_failed(guild_id, day, reason, attempts, conn=conn)
            if action.disable is not None:
                # Settings are kept: /digest set (or fixing the channel) brings it back.
                await self.store.disable_settings(guild_id, action.disable, conn=conn)
        if action.disable is not None and self._on_disabled is not None:
            self._on_disabled(guild_id, action.disable)
        outcome = PostOutcome.DISABLED if action.disable is not None else PostOutcome.FAILED
        return self._log(
            PostResult(
                guild_id,
                outcome,
                day,
                channel_id=settings.channel_id,
                quote_id=pick.quote_id,
                attempts=attempts,
                reason=reason,
                disabled=action.disable,
            )
        )

    async def _skip(
        self, settings: GuildSettings, due: Due, reason: str, *, settle_claim: bool = False
    ) -> PostResult:
        """Record the date skipped; a date that already has a row keeps it, unless
        ``settle_claim`` turns a stale ``claimed`` row into ``skipped``. Call with the
        guild's lock held (or, for ``settle_claim``, on a claim no one is sending)."""
        guild_id = settings.guild_id
        existing = await self.store.post_for(guild_id, due.local_date)
        if existing is not None and not (settle_claim and existing.status is PostStatus.CLAIMED):
            return self._log(_already(guild_id, due.local_date, existing))
        recorded = await self.store.mark_skipped(
            guild_id,
            due.local_date,
            reason,
            scheduled_for=due.instant,
            channel_id=settings.channel_id,
        )
        if not recorded:
            existing = await self.store.post_for(guild_id, due.local_date)
            return self._log(_already(guild_id, due.local_date, existing))
        return self._log(
            PostResult(
                guild_id,
                PostOutcome.SKIPPED,
                due.local_date,
                channel_id=settings.channel_id,
                reason=reason,
            )
        )

    # ------------------------------------------------------------ crash recovery

    async def _settle_claim(self, settings: GuildSettings, record: PostRecord) -> PostResult | None:
        """Settle a ``claimed`` row nobody is sending any more; None when it is not abandoned
        (a live process, this one included, holds it) or another process settles it."""
        guild_id, day = settings.guild_id, record.local_date
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
            )
            if not taken:
                return None
            current = await self.store.post_for(guild_id, day)
            if current is None or current.status is not PostStatus.CLAIMED:
                return None
            return await self._resolve_claim(settings, current, now)

    async def _resolve_claim(
        self, settings: GuildSettings, record: PostRecord, now: datetime
    ) -> PostResult:
        """Settle a claim this process has taken over (guild lock held): look for the message,
        then record it posted, send it, or record the date skipped; never post twice."""
        guild_id, day = settings.guild_id, record.local_date
        due = Due(day, record.scheduled_for)
        channel_id = record.channel_id or settings.channel_id
        found: int | None = None
        if record.quote_id is not None:
            await self.throttle.acquire()
            try:
                found = await self.sender.find_sent(
                    guild_id,
                    channel_id,
                    since=record.created_at - _CLAIM_LOOKBACK,
                    quote_id=record.quote_id,
                )
            except HistoryUnreadable as error:
                reason = (
                    f"{NO_HISTORY}: interrupted mid-send; the channel's history cannot be read "
                    f"({error}), so the post was not sent again"
                )
                return await self._skip(settings, due, reason, settle_claim=True)
            except SendError as error:
                reason = f"{UNVERIFIED}: interrupted mid-send; could not check the channel: {error}"
                return await self._skip(settings, due, reason, settle_claim=True)
        if found is not None and record.quote_id is not None:
            pick = await self._pick_of(record)
            async with self.store.transaction() as conn:
                await self.store.mark_posted(guild_id, day, found, channel_id=channel_id, conn=conn)
                await record_posted(self.store, guild_id, pick, conn=conn)
            return self._log(
                PostResult(
                    guild_id,
                    PostOutcome.POSTED,
                    day,
                    message_id=found,
                    channel_id=channel_id,
                    quote_id=record.quote_id,
                    reason="found the message an interrupted send had posted",
                )
            )
        late_by = now - record.scheduled_for
        if late_by > self.grace:
            reason = f"{INTERRUPTED}: no message found, and " + _late_reason(
                late_by, self.grace
            ).removeprefix(f"{MISSED}: ")
            return await self._skip(settings, due, reason, settle_claim=True)
        # Verifiably not sent: send it now, under the claim this process holds.
        catalog = self._catalog()
        fresh = await next_quote(self.store, guild_id, catalog.quotes.keys())
        if fresh is None:
            reason = f"{NO_QUOTES}: the content packs have no quotes"
            return await self._skip(settings, due, reason, settle_claim=True)
        # Both in one transaction: a kill between them would leave a `failed` row that
        # nothing retries, where a `claimed` one is settled again by the next sweep.
        async with self.store.transaction() as conn:
            await self.store.mark_failed(
                guild_id,
                day,
                f"{INTERRUPTED}: no message found; sending again",
                record.attempts,
                conn=conn,
            )
            reclaimed = await self.store.retry_claim(
                guild_id, day, quote_id=fresh.quote_id, owner=self.instance_id, conn=conn
            )
        if not reclaimed:
            return self._log(_already(guild_id, day, await self.store.post_for(guild_id, day)))
        return await self._send(catalog, settings, day, fresh)

    async def _pick_of(self, record: PostRecord) -> Pick:
        """The cycle the interrupted post's quote belongs to (the next one on a rollover)."""
        assert record.quote_id is not None
        state = await self.store.cycle_state(record.guild_id)
        if state is None:
            return Pick(record.quote_id, 1)
        if record.quote_id in state.posted:
            return Pick(record.quote_id, state.cycle + 1)
        return Pick(record.quote_id, state.cycle)

    # ---------------------------------------------------------------------- logging

    def _log(self, result: PostResult) -> PostResult:
        level = {
            PostOutcome.POSTED: logging.INFO,
            PostOutcome.ALREADY: logging.INFO,
            PostOutcome.SKIPPED: logging.WARNING,
            PostOutcome.FAILED: logging.ERROR,
            PostOutcome.DISABLED: logging.WARNING,
        }.get(result.outcome, logging.DEBUG)
        log.log(
            level,
            "digest for guild %d on %s: %s%s",
            result.guild_id,
            result.local_date.isoformat() if result.local_date else "-",
            result.outcome.value,
            f" ({result.reason})" if result.reason else "",
            extra={
                "guild_id": result.guild_id,
                "local_date": result.local_date.isoformat() if result.local_date else None,
                "outcome": result.outcome.value,
                "message_id": result.message_id,
                "attempts": result.attempts,
            },
        )
        if self._on_result is not None:
            self._on_result(result)
        return result


def _already(guild_id: int, day: date, existing: PostRecord | None) -> PostResult:
    return PostResult(
        guild_id,
        PostOutcome.ALREADY,
        day,
        message_id=existing.message_id if existing else None,
        channel_id=existing.channel_id if existing else None,
        quote_id=existing.quote_id if existing else None,
        reason=existing.reason if existing else None,
        status=existing.status if existing else None,
    )


def _late_reason(late_by: timedelta, grace: timedelta) -> str:
    minutes = int(late_by.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{MISSED}: late by {hours} h {minutes:02d} min, beyond the "
        f"{grace.total_seconds() / 3600:g} h grace period"
    )
