"""Making one recipient-local date's post: wait for the throttle, claim the date, send with
retries, record the outcome (posted, failed, disabled or skipped) and log it.

A recipient is a guild (its digest channel) or a user (their DMs); :attr:`Posting.recipients`
says which (:mod:`bot.digest.recipients`), and everything else is the same for both.

:class:`Posting` is the part of :class:`~bot.digest.poster.DigestPoster` that does this; the
poster adds the entry points (scheduled, ``/digest now``, startup catch-up) and the recovery of
claims a crash left behind. See :mod:`bot.digest.poster` for the guarantees.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from bot.catalog import Catalog
from bot.digest.due import Due
from bot.digest.outcomes import PostOutcome, PostResult, already
from bot.digest.picker import Pick, next_quote, record_posted
from bot.digest.recipients import DigestSettings, Recipients
from bot.digest.sending import DigestPost, FailureAction, Sender, SendError, digest_nonce
from bot.digest.throttle import Throttle
from bot.store import (
    DigestMode,
    DisableReason,
    GuildSettings,
    PostStatus,
    Reason,
    RecipientKind,
    Store,
)
from bot.whosaid import round_pool

__all__ = ["Clock", "Posting", "post_pool"]

# The poster's logger: operators know its lines as `bot.digest.poster` (docs/operations.md).
log = logging.getLogger("bot.digest.poster")

Clock = Callable[[], datetime]


def post_pool(catalog: Catalog, settings: DigestSettings | None) -> list[str]:
    """The quote ids a daily post picks from: every quote, or a guild's chosen summit's
    (``event_id``); for a guild in ``whosaid`` mode only the ones fit for a round (none that
    names its speaker's company or product). A personal digest (a user's settings) has no
    mode but may choose a summit too (``/mydigest set event:``)."""
    if settings is None:
        return list(catalog.quotes.keys())
    # One summit's quotes (an id the catalog no longer has: none) or every summit's. Either
    # way the cycle is over this pool of ids, read from the serving catalog at each post: a
    # summit a reload adds joins the current cycle, one it removes just stops being picked.
    quotes = (
        catalog.quotes.values()
        if settings.event_id is None
        else catalog.quotes_of_event(settings.event_id)
    )
    if isinstance(settings, GuildSettings) and settings.mode is DigestMode.WHOSAID:
        return [quote.id for quote in round_pool(catalog, quotes)]
    return [quote.id for quote in quotes]


class Posting:
    """Claim, send and record one date's post (the poster's core; see the module doc).

    The attributes are set by :class:`~bot.digest.poster.DigestPoster`'s constructor.
    """

    store: Store
    sender: Sender
    recipients: Recipients
    kind: RecipientKind
    throttle: Throttle
    grace: timedelta
    clock: Clock
    retry_delays: tuple[float, ...]
    instance_id: str
    _catalog: Callable[[], Catalog]
    _sleep: Callable[[float], Awaitable[object]]
    _on_disabled: Callable[[int, DisableReason], None] | None
    _on_result: Callable[[PostResult], None] | None
    _locks: dict[int, asyncio.Lock]

    def _lock(self, guild_id: int) -> asyncio.Lock:
        # One post at a time per guild: two dates must not pick the same "next" quote.
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    async def _next_pick(
        self, catalog: Catalog, guild_id: int, settings: DigestSettings | None
    ) -> Pick | None:
        """The recipient's next quote in its cycle over the settings' pool of ``catalog``."""
        return await next_quote(
            self.store,
            guild_id,
            post_pool(catalog, settings),
            kind=self.kind,
            canonical=catalog.quotes.canonical,
        )

    async def _post(self, settings: DigestSettings, due: Due, *, retry_failed: bool) -> PostResult:
        guild_id, day, kind = settings.recipient_id, due.local_date, self.kind
        async with self._lock(guild_id):
            existing = await self.store.post_for(guild_id, day, kind=kind)
            if existing is not None and not (retry_failed and existing.status is PostStatus.FAILED):
                return self._log(already(guild_id, day, existing))
            # Wait for the turn unclaimed: a crash while queued leaves nothing to settle.
            await self.throttle.wait_turn()
            catalog = self._catalog()
            pick = await self._next_pick(catalog, guild_id, settings)
            if pick is None:
                return await self._skip(settings, due, Reason.NO_QUOTES)
            claimed = await self.store.claim_post(
                guild_id,
                day,
                due.instant,
                pick.quote_id,
                channel_id=settings.channel_id,
                owner=self.instance_id,
                kind=kind,
            )
            if not claimed:
                existing = await self.store.post_for(guild_id, day, kind=kind)
                retry = (
                    retry_failed
                    and existing is not None
                    and existing.status is PostStatus.FAILED
                    and await self.store.retry_claim(
                        guild_id, day, quote_id=pick.quote_id, owner=self.instance_id, kind=kind
                    )
                )
                if not retry:
                    return self._log(already(guild_id, day, existing))
            return await self._send(catalog, settings, day, pick, turn_taken=True)

    async def _send(
        self,
        catalog: Catalog,
        settings: DigestSettings,
        day: date,
        pick: Pick,
        *,
        turn_taken: bool = False,
    ) -> PostResult:
        """Send a claimed post, retrying server errors; record the outcome. ``turn_taken``:
        the first attempt's throttle turn was already waited for (only the spacing is left).

        A user's DM channel is opened first if it never was (a throttle slot of its own)."""
        guild_id, kind = settings.recipient_id, self.kind
        channel_id = settings.channel_id
        post = await self._digest_post(catalog, settings, day, pick)
        nonce = digest_nonce(guild_id, day)
        attempts = 0
        while True:
            attempts += 1
            if attempts == 1 and turn_taken:
                await self.throttle.space()
            else:
                await self.throttle.acquire()
            try:
                if channel_id is None:
                    # A user's DM channel, opened once: a request of its own (this slot), then
                    # the send takes the next one.
                    channel_id = await self.recipients.open_channel(settings)
                    await self.throttle.acquire()
                message_id = await self.sender.send(guild_id, channel_id, post, nonce=nonce)
            except SendError as error:
                action = self.recipients.classify(error.status, error.code)
                if action.retry and attempts <= len(self.retry_delays):
                    delay = self.retry_delays[attempts - 1]
                    log.warning(
                        "digest for %s %d on %s: attempt %d failed (%s); retrying in %.1f s",
                        kind.value,
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
                channel_id=channel_id,
                attempts=attempts,
                conn=conn,
                kind=kind,
            )
            await record_posted(self.store, guild_id, pick, conn=conn, kind=kind)
            if post.round_id is not None:
                await self.store.set_round_message(
                    post.round_id, channel_id=channel_id, message_id=message_id, conn=conn
                )
        return self._log(
            PostResult(
                guild_id,
                PostOutcome.POSTED,
                day,
                message_id=message_id,
                channel_id=channel_id,
                quote_id=pick.quote_id,
                attempts=attempts,
            )
        )

    async def _digest_post(
        self, catalog: Catalog, settings: DigestSettings, day: date, pick: Pick
    ) -> DigestPost:
        """What to send for the date: the quote, or in ``whosaid`` mode the date's round
        (created once: a retry or a takeover posts the same round) revealing the last one.

        A personal digest is always the plain quote: mode, thread and role are a guild's
        settings, and a user's post never creates or reads a round."""
        quote = catalog.quotes[pick.quote_id]
        if self.kind is not RecipientKind.GUILD or not isinstance(settings, GuildSettings):
            return DigestPost(catalog, quote, settings.language, day=day)
        round_id: int | None = None
        reveal = None
        if settings.mode is DigestMode.WHOSAID:
            round_ = await self.store.create_round(
                guild_id=settings.guild_id,
                channel_id=settings.channel_id,
                quote_id=quote.id,
                local_date=day,
            )
            if catalog.quotes.canonical(round_.quote_id) != quote.id:
                # The date is sent afresh (after a failure, or a crash before the message went
                # out) with a new pick: the unposted round asks about the quote now sent.
                round_ = await self.store.repick_round(round_.id, quote.id) or round_
                quote = catalog.quotes.get(round_.quote_id, quote)
            round_id = round_.id
            previous = await self.store.daily_round_before(settings.guild_id, day)
            if previous is not None:
                reveal = catalog.quotes.get(previous.quote_id)
        return DigestPost(
            catalog,
            quote,
            settings.language,
            day=day,
            thread=settings.thread,
            role_id=settings.role_id,
            round_id=round_id,
            reveal=reveal,
        )

    async def _fail(
        self,
        settings: DigestSettings,
        day: date,
        pick: Pick,
        attempts: int,
        error: SendError,
        action: FailureAction,
    ) -> PostResult:
        guild_id = settings.recipient_id
        if action.disable is not None:
            reason = Reason.disabled(action.disable)
        else:
            reason = Reason.SERVER_ERROR if action.retry else Reason.REJECTED
        detail = str(error)
        async with self.store.transaction() as conn:
            await self.store.mark_failed(
                guild_id, day, reason, detail, attempts, conn=conn, kind=self.kind
            )
            if action.disable is not None:
                # Settings are kept: /digest set (or fixing the channel) brings it back.
                await self.recipients.disable(guild_id, action.disable, conn=conn)
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
                detail=detail,
                disabled=action.disable,
            )
        )

    async def _skip(
        self,
        settings: DigestSettings,
        due: Due,
        reason: Reason,
        detail: str | None = None,
        *,
        settle_claim: bool = False,
    ) -> PostResult:
        """Record the date skipped; a date that already has a row keeps it, unless
        ``settle_claim`` turns a stale ``claimed`` row into ``skipped``. Call with the
        guild's lock held (or, for ``settle_claim``, on a claim no one is sending)."""
        guild_id, kind = settings.recipient_id, self.kind
        existing = await self.store.post_for(guild_id, due.local_date, kind=kind)
        if existing is not None and not (settle_claim and existing.status is PostStatus.CLAIMED):
            return self._log(already(guild_id, due.local_date, existing))
        recorded = await self.store.mark_skipped(
            guild_id,
            due.local_date,
            reason,
            detail,
            scheduled_for=due.instant,
            channel_id=settings.channel_id,
            kind=kind,
        )
        if not recorded:
            existing = await self.store.post_for(guild_id, due.local_date, kind=kind)
            return self._log(already(guild_id, due.local_date, existing))
        return self._log(
            PostResult(
                guild_id,
                PostOutcome.SKIPPED,
                due.local_date,
                channel_id=settings.channel_id,
                reason=reason,
                detail=detail,
            )
        )

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
            "digest for %s %d on %s: %s%s",
            self.kind.value,
            result.guild_id,
            result.local_date.isoformat() if result.local_date else "-",
            result.outcome.value,
            _why(result),
            extra={
                f"{self.kind.value}_id": result.guild_id,
                "local_date": result.local_date.isoformat() if result.local_date else None,
                "outcome": result.outcome.value,
                "message_id": result.message_id,
                "attempts": result.attempts,
            },
        )
        if self._on_result is not None:
            self._on_result(result)
        return result


def _why(result: PostResult) -> str:
    """`` (reason: detail)`` for the log line; empty when there is neither."""
    parts = [p for p in (result.reason, result.detail) if p]
    return f" ({': '.join(parts)})" if parts else ""
