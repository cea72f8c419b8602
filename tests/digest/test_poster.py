"""The poster's decisions with a fake sender: no Discord, a real SQLite store, a virtual clock.

Claim before send, one post per guild-local date, retries, disabling on 404/403, the startup
catch-up (within and beyond grace), crash recovery of a half-done send, and the fan-out pace.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import Catalog, load_catalog
from bot.digest.outcomes import PostOutcome, PostResult
from bot.digest.picker import next_quote
from bot.digest.poster import DigestPoster
from bot.digest.sending import (
    DigestPost,
    FailureAction,
    HistoryUnreadable,
    SendError,
    classify_failure,
    digest_nonce,
)
from bot.digest.throttle import Throttle
from bot.exts.digest._sender import render_digest
from bot.store import DigestMode, DisableReason, GuildSettings, PostStatus, Reason, Store
from tests.digest.virtual_time import VirtualTime, max_in_window

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "mini"
GUILD = 81384788765712384
OTHER = 175928847299117063
CHANNEL = 90001
GRACE = timedelta(hours=6)

# 2026-03-10 09:00 in Shanghai is 01:00 UTC.
SET_UP = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Sent:
    guild_id: int
    channel_id: int
    embed: dict[str, Any]
    nonce: str
    message_id: int


@dataclass
class FakeSender:
    """Records sends; ``errors[guild]`` are raised by that guild's next sends, in order."""

    errors: dict[int, list[BaseException]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    attempts: list[tuple[int, str]] = field(default_factory=list)
    found: int | None = None
    find_error: Exception | None = None
    #: find_sent looks through what was really sent (as Discord's history would).
    search_sent: bool = False
    find_calls: list[tuple[int, int, datetime, str]] = field(default_factory=list)
    clock: Any = None
    send_times: list[float] = field(default_factory=list)
    #: Seconds (through ``sleep``) between the message existing and the answer arriving.
    latency: float = 0.0
    sleep: Any = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7_000_000))

    async def send(self, guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        self.attempts.append((guild_id, nonce))
        if self.clock is not None:
            self.send_times.append(self.clock())
        queue = self.errors.get(guild_id)
        if queue:
            raise queue.pop(0)
        message_id = next(self._ids)
        embed = render_digest(post.catalog, post.quote, post.lang).to_dict()
        self.sent.append(Sent(guild_id, channel_id, embed, nonce, message_id))
        if self.latency:
            await self.sleep(self.latency)
        return message_id

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        self.find_calls.append((guild_id, channel_id, since, quote_id))
        if self.find_error is not None:
            raise self.find_error
        if not self.search_sent:
            return self.found
        for sent in self.sent:
            mine = (sent.guild_id, sent.channel_id) == (guild_id, channel_id)
            if mine and footer(sent).endswith(f" {quote_id}"):
                return sent.message_id
        return None


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(MINI)


@pytest.fixture
def clock() -> Clock:
    return Clock(SET_UP)


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    db = await Store.open(tmp_path / "digest.db", clock=clock)
    await db.migrate()
    yield db
    await db.close()


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@dataclass
class Harness:
    poster: DigestPoster
    store: Store
    sender: FakeSender
    clock: Clock
    catalog: Catalog
    slept: list[float]
    disabled: list[tuple[int, DisableReason]]


@pytest.fixture
def harness(store: Store, sender: FakeSender, clock: Clock, catalog: Catalog) -> Harness:
    slept: list[float] = []
    disabled: list[tuple[int, DisableReason]] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def no_wait(seconds: float) -> None:
        return None

    poster = DigestPoster(
        store,
        lambda: catalog,
        sender,
        throttle=Throttle(1000, clock=lambda: 0.0, sleep=no_wait),
        grace=GRACE,
        clock=clock,
        retry_delays=(1.0, 2.0, 4.0),
        sleep=sleep,
        on_disabled=lambda g, r: disabled.append((g, r)),
    )
    return Harness(poster, store, sender, clock, catalog, slept, disabled)


async def configure(
    h: Harness,
    guild_id: int = GUILD,
    *,
    post_time: str = "09:00",
    timezone: str = "Asia/Shanghai",
    language: str = "en",
) -> GuildSettings:
    return await h.store.upsert_settings(
        guild_id,
        channel_id=CHANNEL + guild_id % 1000,
        post_time=post_time,
        timezone=timezone,
        language=language,  # type: ignore[arg-type]
    )


def footer(sent: Sent) -> str:
    return str(sent.embed["footer"]["text"])


# --- the scheduled post ------------------------------------------------------------------


async def test_due_post_is_sent_once_and_recorded(harness: Harness) -> None:
    h = harness
    settings = await configure(h)
    h.clock.now = DUE
    result = await h.poster.post_due(GUILD)
    assert result.outcome is PostOutcome.POSTED
    assert result.local_date == DAY
    (sent,) = h.sender.sent
    assert sent.channel_id == settings.channel_id
    assert result.message_id == sent.message_id
    assert footer(sent).endswith(f" {result.quote_id}")
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.POSTED
    assert row.message_id == sent.message_id
    assert row.quote_id == result.quote_id
    assert row.attempts == 1
    state = await h.store.cycle_state(GUILD)
    assert state is not None
    assert result.quote_id in state.posted

    h.clock.now = DUE + timedelta(minutes=1)  # a duplicate fire, a reconnect, a second process
    again = await h.poster.post_due(GUILD)
    assert again.outcome is PostOutcome.ALREADY
    assert again.status is PostStatus.POSTED
    assert again.message_id == sent.message_id
    assert len(h.sender.sent) == 1


async def test_concurrent_fires_post_once(harness: Harness) -> None:
    await configure(harness)
    harness.clock.now = DUE
    results = await asyncio.gather(*(harness.poster.post_due(GUILD) for _ in range(5)))
    assert sorted(r.outcome for r in results).count(PostOutcome.POSTED) == 1
    assert len(harness.sender.sent) == 1


async def test_preview_is_exactly_the_next_post_and_then_moves_on(harness: Harness) -> None:
    h = harness
    settings = await configure(h, language="zh")
    for day in range(3):
        preview = await h.poster.next_post(GUILD)
        assert preview is not None
        catalog, quote = preview
        h.clock.now = DUE + timedelta(days=day)
        result = await h.poster.post_due(GUILD)
        assert result.outcome is PostOutcome.POSTED
        assert h.sender.sent[-1].embed == render_digest(catalog, quote, settings.language).to_dict()
        assert result.quote_id == quote.id
    posted = [s.embed["footer"]["text"] for s in h.sender.sent]
    assert len(set(posted)) == 3, "no quote repeats within a cycle"


async def test_quotes_cycle_without_repeats(harness: Harness, catalog: Catalog) -> None:
    h = harness
    await configure(h)
    count = len(catalog.quotes)
    for day in range(count * 2):
        h.clock.now = DUE + timedelta(days=day)
        assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.POSTED
    ids = [footer(s).rsplit(" ", 1)[-1] for s in h.sender.sent]
    assert sorted(ids[:count]) == sorted(catalog.quotes)
    assert sorted(ids[count:]) == sorted(catalog.quotes)


async def test_post_is_in_the_guild_language(harness: Harness, catalog: Catalog) -> None:
    h = harness
    await configure(h, language="zh")
    h.clock.now = DUE
    result = await h.poster.post_due(GUILD)
    assert result.quote_id is not None
    quote = catalog.quotes[result.quote_id]
    assert h.sender.sent[0].embed == render_digest(catalog, quote, "zh").to_dict()
    assert h.sender.sent[0].embed != render_digest(catalog, quote, "en").to_dict()


async def test_disabled_or_unconfigured_guild_posts_nothing(harness: Harness) -> None:
    h = harness
    await configure(h)
    await h.store.disable_settings(GUILD, DisableReason.ADMIN)
    h.clock.now = DUE
    assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.NOT_ENABLED
    assert (await h.poster.post_due(OTHER)).outcome is PostOutcome.NOT_ENABLED
    assert (await h.poster.post_today(GUILD)).outcome is PostOutcome.NOT_ENABLED
    assert h.sender.attempts == []
    assert await h.store.post_for(GUILD, DAY) is None


async def test_a_fire_later_than_grace_is_recorded_skipped(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.clock.now = DUE + GRACE + timedelta(minutes=1)
    result = await h.poster.post_due(GUILD)
    assert result.outcome is PostOutcome.SKIPPED
    assert result.reason is Reason.MISSED
    assert result.detail is not None
    assert result.detail.startswith("late by 6 h 01 min")
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.SKIPPED
    assert h.sender.attempts == []


@pytest.mark.parametrize(
    ("fires", "expected_date"),
    [
        # Spring forward: 02:30 does not exist on 2026-03-08; due at 03:00 EDT (07:00 UTC).
        ((datetime(2026, 3, 8, 7, 0, tzinfo=UTC),), date(2026, 3, 8)),
        # Fall back: 01:30 happens twice on 2026-11-01 (05:30 and 06:30 UTC).
        (
            (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
            date(2026, 11, 1),
        ),
    ],
)
async def test_dst_days_get_exactly_one_post(
    harness: Harness, fires: tuple[datetime, ...], expected_date: date
) -> None:
    h = harness
    h.clock.now = fires[0] - timedelta(days=2)
    post_time = "02:30" if expected_date.month == 3 else "01:30"
    await configure(h, post_time=post_time, timezone="America/New_York")
    outcomes = []
    for fire in fires:
        h.clock.now = fire
        result = await h.poster.post_due(GUILD)
        assert result.local_date == expected_date
        outcomes.append(result.outcome)
    assert outcomes[0] is PostOutcome.POSTED
    assert all(o is PostOutcome.ALREADY for o in outcomes[1:])
    assert len(h.sender.sent) == 1


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (0, 0, FailureAction(retry=True)),
        (429, 0, FailureAction(retry=True)),
        (500, 0, FailureAction(retry=True)),
        (503, 0, FailureAction(retry=True)),
        (404, 10003, FailureAction(False, DisableReason.CHANNEL_MISSING)),
        (404, 0, FailureAction(False, DisableReason.CHANNEL_MISSING)),
        (404, 10004, FailureAction(False, DisableReason.GUILD_UNAVAILABLE)),
        (403, 50001, FailureAction(False, DisableReason.MISSING_ACCESS)),
        (403, 50013, FailureAction(False, DisableReason.MISSING_PERMISSIONS)),
        (400, 50008, FailureAction(False, DisableReason.CHANNEL_UNSUPPORTED)),
        (400, 50035, FailureAction(retry=False)),
    ],
)
def test_classify_failure(status: int, code: int, expected: FailureAction) -> None:
    assert classify_failure(status, code) == expected


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (404, 10003, DisableReason.CHANNEL_MISSING),
        (403, 50001, DisableReason.MISSING_ACCESS),
        (403, 50013, DisableReason.MISSING_PERMISSIONS),
    ],
)
async def test_lost_channel_disables_the_guild_and_keeps_settings(
    harness: Harness, status: int, code: int, reason: DisableReason
) -> None:
    h = harness
    before = await configure(h)
    await configure(h, OTHER)
    h.sender.errors[GUILD] = [SendError(status, code, "refused")]
    h.clock.now = DUE
    results = await asyncio.gather(h.poster.post_due(GUILD), h.poster.post_due(OTHER))
    assert results[0].outcome is PostOutcome.DISABLED
    assert results[0].disabled is reason
    assert results[1].outcome is PostOutcome.POSTED, "another guild is unaffected"
    assert h.sender.attempts.count((GUILD, digest_nonce(GUILD, DAY))) == 1, "never retried"
    assert h.slept == []
    after = await h.store.get_settings(GUILD)
    assert after is not None
    assert not after.enabled
    assert after.disabled_reason is reason
    assert (after.channel_id, after.post_time, after.timezone) == (
        before.channel_id,
        before.post_time,
        before.timezone,
    )
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.FAILED
    assert row.reason is Reason.disabled(reason)
    assert row.detail is not None
    assert row.detail.startswith(f"HTTP {status}")
    assert h.disabled == [(GUILD, reason)]
    state = await h.store.cycle_state(GUILD)
    assert state is None, "a quote that was not posted stays next"


async def test_server_errors_are_retried_with_backoff_then_post_once(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.sender.errors[GUILD] = [SendError(503, 0, "unavailable"), SendError(0, 0, "timeout")]
    h.clock.now = DUE
    result = await h.poster.post_due(GUILD)
    assert result.outcome is PostOutcome.POSTED
    assert result.attempts == 3
    assert h.slept == [1.0, 2.0]
    assert len(h.sender.sent) == 1
    nonces = {nonce for _, nonce in h.sender.attempts}
    assert nonces == {digest_nonce(GUILD, DAY)}, "every attempt carries the same nonce"
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.attempts == 3


async def test_persistent_server_errors_record_a_failure_and_keep_the_digest_on(
    harness: Harness,
) -> None:
    h = harness
    await configure(h)
    h.sender.errors[GUILD] = [SendError(502, 0, "bad gateway") for _ in range(10)]
    h.clock.now = DUE
    result = await h.poster.post_due(GUILD)
    assert result.outcome is PostOutcome.FAILED
    assert result.attempts == 4
    assert h.slept == [1.0, 2.0, 4.0]
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.FAILED
    assert row.attempts == 4
    assert row.reason is Reason.SERVER_ERROR
    assert row.detail is not None
    assert row.detail.startswith("HTTP 502")
    settings = await h.store.get_settings(GUILD)
    assert settings is not None
    assert settings.enabled
    # The scheduler fires again that day (a restart): a failed date is not retried by itself.
    assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.ALREADY
    assert len(h.sender.attempts) == 4


async def test_a_refused_request_is_not_retried(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.sender.errors[GUILD] = [SendError(400, 50035, "Invalid Form Body")]
    h.clock.now = DUE
    result = await h.poster.post_due(GUILD)
    assert result.outcome is PostOutcome.FAILED
    assert result.reason is Reason.REJECTED
    assert result.detail is not None
    assert result.detail.startswith("HTTP 400")
    assert h.slept == []
    settings = await h.store.get_settings(GUILD)
    assert settings is not None
    assert settings.enabled


async def test_every_attempt_takes_a_throttle_slot(harness: Harness) -> None:
    h = harness
    taken: list[float] = []

    class Counting(Throttle):
        def reserve(self) -> float:
            taken.append(0.0)
            return 0.0

    h.poster.throttle = Counting(50)
    await configure(h)
    h.sender.errors[GUILD] = [SendError(503, 0, "x"), SendError(503, 0, "y")]
    h.clock.now = DUE
    await h.poster.post_due(GUILD)
    assert len(taken) == 3


def test_nonce_is_short_and_unique_per_guild_and_date() -> None:
    nonces = {digest_nonce(g, DAY + timedelta(days=d)) for g in (GUILD, OTHER) for d in range(30)}
    assert len(nonces) == 60
    assert all(len(n) <= 25 for n in nonces)
    assert digest_nonce(GUILD, DAY) == digest_nonce(GUILD, DAY)


# --- /digest now -------------------------------------------------------------------------


async def test_now_posts_today_once_and_the_schedule_then_skips_it(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.clock.now = DUE - timedelta(minutes=30)  # 08:30 in Shanghai, before the post time
    first = await h.poster.post_today(GUILD)
    assert first.outcome is PostOutcome.POSTED
    assert first.local_date == DAY
    second = await h.poster.post_today(GUILD)
    assert second.outcome is PostOutcome.ALREADY
    assert second.message_id == first.message_id
    h.clock.now = DUE
    assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.ALREADY
    assert len(h.sender.sent) == 1


async def test_now_retries_a_failed_date(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.sender.errors[GUILD] = [SendError(503, 0, "down") for _ in range(4)]
    h.clock.now = DUE
    assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.FAILED
    h.clock.now = DUE + timedelta(hours=1)
    result = await h.poster.post_today(GUILD)
    assert result.outcome is PostOutcome.POSTED
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.POSTED


async def test_now_leaves_a_skipped_date_alone(harness: Harness) -> None:
    h = harness
    await configure(h)
    h.clock.now = DUE + GRACE + timedelta(hours=1)
    assert (await h.poster.post_due(GUILD)).outcome is PostOutcome.SKIPPED
    result = await h.poster.post_today(GUILD)
    assert result.outcome is PostOutcome.ALREADY
    assert result.status is PostStatus.SKIPPED
    assert h.sender.attempts == []


# --- startup catch-up ------------------------------------------------------------------------


async def test_catch_up_within_grace_posts_exactly_once(harness: Harness) -> None:
    h = harness
    settings = await configure(h)
    h.clock.now = DUE + timedelta(hours=5, minutes=59)
    first = await h.poster.catch_up(settings)
    assert first.outcome is PostOutcome.POSTED
    assert first.local_date == DAY
    second = await h.poster.catch_up(settings)  # a second restart
    assert second.outcome is PostOutcome.NOTHING_DUE
    assert len(h.sender.sent) == 1


async def test_catch_up_beyond_grace_records_skipped(harness: Harness) -> None:
    h = harness
    settings = await configure(h)
    h.clock.now = DUE + timedelta(hours=7)
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.SKIPPED
    assert result.local_date == DAY
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.SKIPPED
    assert row.reason is Reason.MISSED
    assert row.detail is not None
    assert row.detail.startswith("late by 7 h 00 min, beyond the 6 h grace period")
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    assert h.sender.attempts == []


async def test_catch_up_does_not_owe_a_post_due_before_the_setup(harness: Harness) -> None:
    h = harness
    h.clock.now = DUE + timedelta(hours=1)  # set up at 10:00 for 09:00
    settings = await configure(h)
    h.clock.now = DUE + timedelta(hours=2)
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    assert h.sender.attempts == []


async def test_catch_up_all_isolates_guilds(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    first = await configure(h)
    second = await configure(h, OTHER)
    h.sender.errors[GUILD] = [RuntimeError("a bug in one guild's send")]
    h.clock.now = DUE + timedelta(hours=1)
    with caplog.at_level(logging.ERROR, logger="bot.digest.poster"):
        results = await h.poster.catch_up_all([first, second])
    assert [r.guild_id for r in results] == [OTHER]
    assert results[0].outcome is PostOutcome.POSTED
    assert any("catch-up for guild" in r.getMessage() for r in caplog.records)


# --- a crash between claim and send ------------------------------------------------------


async def crashed_claim(h: Harness) -> tuple[GuildSettings, str]:
    """A claimed row as a crash mid-send leaves it (claimed at the due time)."""
    settings = await configure(h)
    h.clock.now = DUE
    pick = await next_quote(h.store, GUILD, h.catalog.quotes.keys())
    assert pick is not None
    assert await h.store.claim_post(GUILD, DAY, DUE, pick.quote_id, channel_id=settings.channel_id)
    return settings, pick.quote_id


async def test_crash_after_send_is_recorded_from_the_channel(harness: Harness) -> None:
    h = harness
    settings, quote_id = await crashed_claim(h)
    h.sender.found = 424242
    h.clock.now = DUE + timedelta(hours=1)
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.POSTED
    assert result.message_id == 424242
    assert h.sender.attempts == [], "found in the channel: never sent again"
    ((guild_id, channel_id, since, looked_for),) = h.sender.find_calls
    assert (guild_id, channel_id, looked_for) == (GUILD, settings.channel_id, quote_id)
    assert since < DUE
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert (row.status, row.message_id) == (PostStatus.POSTED, 424242)
    state = await h.store.cycle_state(GUILD)
    assert state is not None
    assert quote_id in state.posted
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE


async def test_a_whosaid_round_found_after_a_crash_gets_its_message(harness: Harness) -> None:
    # The crash came after the date's round was made and its message sent, before either was
    # recorded: settling the claim from the channel records the round's message too.
    h = harness
    settings, quote_id = await crashed_claim(h)
    settings = await h.store.upsert_settings(
        GUILD,
        channel_id=settings.channel_id,
        post_time="09:00",
        timezone="Asia/Shanghai",
        language="en",
        mode=DigestMode.WHOSAID,
    )
    round_ = await h.store.create_round(
        guild_id=GUILD, channel_id=settings.channel_id, quote_id=quote_id, local_date=DAY
    )
    h.sender.found = 424242
    h.clock.now = DUE + timedelta(hours=1)
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.POSTED
    found = await h.store.get_round(round_.id)
    assert found is not None
    assert (found.channel_id, found.message_id) == (settings.channel_id, 424242)
    assert await h.store.daily_round_before(GUILD, DAY + timedelta(days=1)) == found


async def test_crash_before_send_within_grace_posts_once(harness: Harness) -> None:
    h = harness
    settings, quote_id = await crashed_claim(h)
    h.clock.now = DUE + timedelta(hours=1)
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.POSTED
    assert result.quote_id == quote_id
    assert len(h.sender.sent) == 1
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    assert len(h.sender.sent) == 1


async def test_crash_before_send_beyond_grace_is_skipped(harness: Harness) -> None:
    h = harness
    settings, _ = await crashed_claim(h)
    h.clock.now = DUE + timedelta(hours=8)
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.SKIPPED
    assert result.reason is Reason.INTERRUPTED
    assert result.detail is not None
    assert result.detail.startswith("no message found")
    assert h.sender.attempts == []


async def test_crash_with_an_unreadable_channel_is_skipped_not_resent(harness: Harness) -> None:
    h = harness
    settings, _ = await crashed_claim(h)
    h.sender.find_error = SendError(403, 50001, "Missing Access")
    h.clock.now = DUE + timedelta(hours=1)
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.SKIPPED
    assert result.reason is Reason.UNVERIFIED
    assert h.sender.attempts == []


async def test_yesterdays_crashed_claim_is_settled_and_todays_missed_post_still_made(
    harness: Harness,
) -> None:
    h = harness
    settings, _ = await crashed_claim(h)
    h.sender.search_sent = True  # yesterday's send never happened: not in the channel
    h.clock.now = DUE + timedelta(days=1, hours=1)  # the next day, an hour after its post time
    result = await h.poster.catch_up(settings)
    assert (result.outcome, result.local_date) == (PostOutcome.POSTED, DAY + timedelta(days=1))
    yesterday = await h.store.post_for(GUILD, DAY)
    assert yesterday is not None
    assert yesterday.status is PostStatus.SKIPPED  # beyond grace: not sent late
    assert [s.guild_id for s in h.sender.sent] == [GUILD]


async def test_a_fresh_claim_is_left_to_whoever_is_sending_it(harness: Harness) -> None:
    h = harness
    settings, _ = await crashed_claim(h)
    h.clock.now = DUE + timedelta(minutes=2)  # another process may still be sending it
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    assert h.sender.find_calls == []
    assert h.sender.attempts == []
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.CLAIMED


async def test_crash_without_read_message_history_is_skipped_not_resent(
    harness: Harness,
) -> None:
    """Finding 1: without Read Message History Discord answers a history request with an empty
    list; that proves nothing, so the claim is recorded skipped, never sent a second time."""
    h = harness
    settings, _ = await crashed_claim(h)
    h.sender.find_error = HistoryUnreadable("the bot lacks Read Message History in the channel")
    h.clock.now = DUE + timedelta(minutes=20)  # within grace: the old code sent it again
    result = await h.poster.catch_up(settings)
    assert result.outcome is PostOutcome.SKIPPED
    assert result.reason is Reason.NO_HISTORY
    assert h.sender.attempts == []
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert (row.status, row.reason, row.detail) == (
        PostStatus.SKIPPED,
        result.reason,
        result.detail,
    )
    assert (await h.poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    assert h.sender.attempts == []


# --- claim owners, leases and crashes mid fan-out ----------------------------------------


def new_poster(h: Harness, store: Store, *, throttle: Throttle, instance_id: str) -> DigestPoster:
    """Another process (or the same one restarted) on the same database and "Discord"."""

    async def no_wait(seconds: float) -> None:
        return None

    return DigestPoster(
        store,
        lambda: h.catalog,
        h.sender,
        throttle=throttle,
        grace=GRACE,
        clock=h.clock,
        retry_delays=(1.0, 2.0, 4.0),
        sleep=no_wait,
        instance_id=instance_id,
    )


async def claimed_rows(store: Store, guilds: list[int], owner: str | None = None) -> int:
    rows = [await store.post_for(g, DAY) for g in guilds]
    return sum(
        r is not None
        and r.status is PostStatus.CLAIMED
        and (owner is None or r.claimed_by == owner)
        for r in rows
    )


async def test_a_fan_out_killed_six_times_posts_every_guild_exactly_once(
    harness: Harness, tmp_path: Path
) -> None:
    """Finding 11: 120 guilds due at once, the process "killed" (every task cancelled, the
    database connection dropped) at six seeded random moments and restarted each time. Queued
    posts are never claimed, so a kill leaves only the claims of sends under way; each restart
    catches up the rest; the last process's sweep settles the dead processes' claims once their
    leases run out, from the channel's history, with no further restart."""
    h = harness
    guilds = [GUILD + n for n in range(120)]
    for guild_id in guilds:
        await configure(h, guild_id)
    settings = [s for s in await h.store.list_enabled_settings() if s.guild_id in guilds]
    await h.store.close()
    h.sender.search_sent = True
    h.sender.latency = 0.05  # a kill can land between the message existing and the answer
    h.clock.now = DUE
    rng = random.Random(15)
    path = tmp_path / "digest.db"
    for incarnation in range(7):
        vt = VirtualTime(real_pause=0.001)
        h.sender.sleep = vt.sleep
        store = await Store.open(path, clock=h.clock)
        poster = new_poster(
            h,
            store,
            throttle=Throttle(50, clock=vt.clock, sleep=vt.sleep),
            instance_id=f"process-{incarnation}",
        )
        await poster.renew_lease()
        if incarnation == 0:
            work = [poster.post_due(g) for g in guilds]  # the scheduled fan-out
        else:
            work = [poster.catch_up(s) for s in settings]  # the restart's catch-up
        tasks = [asyncio.create_task(w) for w in work]
        if incarnation < 6:
            stop = len(h.sender.sent) + rng.randint(1, 25)
            await vt.run(tasks, until=lambda stop=stop: len(h.sender.sent) >= stop)  # type: ignore[misc]
            for task in tasks:
                task.cancel()  # SIGKILL
            await asyncio.gather(*tasks, return_exceptions=True)
            # Only sends under way hold a claim: those in the response latency (≤ 3 at 50/s)
            # and the one spaced before its send.
            assert await claimed_rows(store, guilds, poster.instance_id) <= 4, incarnation
            await store.close()
            continue
        await vt.run(tasks)
        # The dead processes' leases have not run out yet: their claims are still waiting.
        h.clock.now += poster.lease + timedelta(seconds=1)
        await poster.renew_lease()
        sweep = asyncio.create_task(poster.sweep(settings))
        await vt.run([sweep])
        assert await claimed_rows(store, guilds) == 0
        for guild_id in guilds:
            row = await store.post_for(guild_id, DAY)
            assert row is not None
            assert row.status is PostStatus.POSTED, row
        await store.close()
    per_guild = [sum(s.guild_id == g for s in h.sender.sent) for g in guilds]
    assert per_guild == [1] * len(guilds)


async def test_sweep_leaves_live_processes_and_other_shards_alone(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    mine = await configure(h, GUILD)
    theirs = await configure(h, OTHER)
    h.clock.now = DUE
    other = new_poster(h, h.store, throttle=h.poster.throttle, instance_id="other-process")
    await other.renew_lease()
    await h.poster.renew_lease()
    for settings in (mine, theirs):
        pick = await next_quote(h.store, settings.guild_id, h.catalog.quotes.keys())
        assert pick is not None
        assert await h.store.claim_post(
            settings.guild_id,
            DAY,
            DUE,
            pick.quote_id,
            channel_id=settings.channel_id,
            owner="other-process",
        )
    # The owner is alive (its lease lasts): nothing is touched, whatever the claims' age.
    h.clock.now = DUE + timedelta(minutes=30)
    await other.renew_lease()
    await h.poster.renew_lease()
    assert await h.poster.sweep([mine, theirs]) == []
    assert h.sender.find_calls == []
    # The owner died: only the guild this process holds is settled (here: sent, not found).
    h.clock.now += other.lease + timedelta(seconds=1)
    await h.poster.renew_lease()
    (result,) = await h.poster.sweep([mine])
    assert (result.guild_id, result.outcome) == (GUILD, PostOutcome.POSTED)
    assert [s.guild_id for s in h.sender.sent] == [GUILD]
    row = await h.store.post_for(OTHER, DAY)
    assert row is not None
    assert (row.status, row.claimed_by) == (PostStatus.CLAIMED, "other-process")


async def claim_for_a_dead_process(h: Harness, settings: GuildSettings) -> None:
    """Today's post of GUILD, claimed by a process with no lease (killed mid-send)."""
    pick = await next_quote(h.store, GUILD, h.catalog.quotes.keys())
    assert pick is not None
    assert await h.store.claim_post(
        GUILD, DAY, DUE, pick.quote_id, channel_id=settings.channel_id, owner="dead"
    )


async def test_a_dead_processes_claim_without_history_is_skipped_by_the_sweep(
    harness: Harness,
) -> None:
    h = harness
    settings = await configure(h)
    h.clock.now = DUE
    await claim_for_a_dead_process(h, settings)
    h.sender.find_error = HistoryUnreadable("the bot lacks Read Message History in the channel")
    await h.poster.renew_lease()
    (result,) = await h.poster.sweep([settings])
    assert result.outcome is PostOutcome.SKIPPED
    assert result.reason is Reason.NO_HISTORY
    assert h.sender.attempts == []


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no `except Exception` sees it."""


async def test_a_kill_while_resending_an_interrupted_post_leaves_it_claimed_not_failed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chaos test found 65 guilds stranded as `failed` ("sending again") after a kill
    # between recording the interruption and re-claiming: nothing ever retries a failed row.
    h = harness
    settings = await configure(h)
    h.clock.now = DUE
    await claim_for_a_dead_process(h, settings)
    await h.poster.renew_lease()

    async def killed(*args: object, **kwargs: object) -> bool:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(h.store, "retry_claim", killed)
        with pytest.raises(Killed):
            await h.poster.sweep([settings])
    row = await h.store.post_for(GUILD, DAY)
    assert row is not None
    assert row.status is PostStatus.CLAIMED  # still a claim the next sweep settles
    (result,) = await h.poster.sweep([settings])
    assert result.outcome is PostOutcome.POSTED
    assert len(h.sender.sent) == 1


async def test_own_claim_left_by_a_failed_record_is_settled_but_never_one_in_progress(
    harness: Harness,
) -> None:
    h = harness
    settings = await configure(h)
    h.clock.now = DUE
    await h.poster.renew_lease()
    gate = asyncio.Event()
    entered = asyncio.Event()
    original = h.sender.send

    async def slow_send(guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        entered.set()
        await gate.wait()
        return await original(guild_id, channel_id, post, nonce=nonce)

    h.sender.send = slow_send  # type: ignore[method-assign]
    posting = asyncio.create_task(h.poster.post_due(GUILD))
    await entered.wait()
    assert await h.poster.sweep([settings]) == []  # our own post is in progress
    gate.set()
    assert (await posting).outcome is PostOutcome.POSTED
    assert len(h.sender.sent) == 1


# --- fan-out -------------------------------------------------------------------------------


async def test_fan_out_keeps_to_the_global_rate(harness: Harness) -> None:
    h = harness
    guilds = [GUILD + n for n in range(150)]
    for guild_id in guilds:
        await configure(h, guild_id)
    vt = VirtualTime(real_pause=0.001)  # the store answers from its thread
    h.poster.throttle = Throttle(50, clock=vt.clock, sleep=vt.sleep)
    h.sender.clock = vt.clock
    h.clock.now = DUE
    tasks = [asyncio.create_task(h.poster.post_due(g)) for g in guilds]
    await vt.run(tasks)
    assert {t.result().outcome for t in tasks} == {PostOutcome.POSTED}
    times = sorted(h.sender.send_times)
    assert len(times) == 150
    assert max_in_window(times) == 50
    assert times[-1] == pytest.approx(149 / 50)


async def test_settings_untouched_by_a_disabled_guilds_failure_of_another(
    harness: Harness,
) -> None:
    h = harness
    await configure(h)
    await configure(h, OTHER)
    h.sender.errors[OTHER] = [SendError(404, 10003, "Unknown Channel")]
    h.clock.now = DUE
    await asyncio.gather(h.poster.post_due(GUILD), h.poster.post_due(OTHER))
    mine = await h.store.get_settings(GUILD)
    assert mine is not None
    assert mine.enabled
    assert h.disabled == [(OTHER, DisableReason.CHANNEL_MISSING)]


async def test_catch_up_all_keeps_a_bounded_number_in_flight(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like the scheduler's fan-out: 10,000 catch-ups at once queued the first send behind
    10,000 store reads. Results keep the given order."""
    h = harness
    first = await configure(h)
    in_flight, most = 0, 0

    async def catch_up(settings: GuildSettings) -> PostResult:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0)
        in_flight -= 1
        return PostResult(settings.guild_id, PostOutcome.NOTHING_DUE)

    monkeypatch.setattr(h.poster, "catch_up", catch_up)
    many = [dataclasses.replace(first, guild_id=GUILD + n) for n in range(20)]
    results = await h.poster.catch_up_all(many, in_flight=3)
    assert [r.guild_id for r in results] == [s.guild_id for s in many]
    assert most == 3
