"""Personal digests (`/mydigest`) through the one poster: the DM channel opened once and kept,
a post log and quote cycle of their own, 50007 pausing with a reason, crash recovery without a
second DM, and the throttle shared with the guilds' posts. No Discord: a fake DM sender, a real
SQLite store, a virtual clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog
from bot.digest.outcomes import PostOutcome
from bot.digest.picker import next_quote
from bot.digest.poster import DigestPoster
from bot.digest.posting import post_pool
from bot.digest.recipients import UserRecipients
from bot.digest.sending import DigestPost, FailureAction, SendError, classify_dm_failure
from bot.digest.throttle import Throttle
from bot.store import (
    DigestMode,
    DisableReason,
    PostStatus,
    Reason,
    RecipientKind,
    Store,
    UserSettings,
)
from tests.digest.test_poster import DAY, DUE, GRACE, MINI, SET_UP, Clock, FakeSender
from tests.digest.virtual_time import VirtualTime, max_in_window

USER = 80351110224678912
USER_KIND = RecipientKind.USER


@dataclass
class FakeDmSender(FakeSender):
    """A :class:`FakeSender` that also opens DM channels; ``open_errors[user]`` are raised by
    that user's next opens, in order."""

    opened: list[int] = field(default_factory=list)
    open_errors: dict[int, list[BaseException]] = field(default_factory=dict)
    _channels: itertools.count[int] = field(default_factory=lambda: itertools.count(5_000_000))

    async def open_dm(self, user_id: int) -> int:
        self.opened.append(user_id)
        if self.clock is not None:
            self.send_times.append(self.clock())
        queue = self.open_errors.get(user_id)
        if queue:
            raise queue.pop(0)
        return next(self._channels)


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


async def _no_wait(seconds: float) -> None:
    return None


def personal_poster(
    store: Store,
    catalog: Catalog,
    sender: FakeDmSender,
    clock: Clock,
    *,
    throttle: Throttle | None = None,
    instance_id: str | None = None,
    disabled: list[tuple[int, DisableReason]] | None = None,
) -> DigestPoster:
    return DigestPoster(
        store,
        lambda: catalog,
        sender,
        recipients=UserRecipients(store, sender),
        throttle=throttle or Throttle(1000, clock=lambda: 0.0, sleep=_no_wait),
        grace=GRACE,
        clock=clock,
        retry_delays=(1.0, 2.0, 4.0),
        sleep=_no_wait,
        instance_id=instance_id,
        on_disabled=(lambda u, r: disabled.append((u, r))) if disabled is not None else None,
    )


async def subscribe(store: Store, user_id: int = USER) -> UserSettings:
    return await store.upsert_user_settings(
        user_id, post_time="09:00", timezone="Asia/Shanghai", language="en"
    )


async def test_the_dm_channel_is_opened_once_then_each_day_costs_one_request(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender()
    poster = personal_poster(store, catalog, sender, clock)
    await subscribe(store)
    clock.now = DUE
    first = await poster.post_due(USER)
    assert first.outcome is PostOutcome.POSTED
    assert sender.opened == [USER]
    settings = await store.get_user_settings(USER)
    assert settings is not None
    assert settings.channel_id == first.channel_id
    assert len(sender.sent) == 1
    assert sender.sent[0].channel_id == first.channel_id
    assert (await poster.post_due(USER)).outcome is PostOutcome.ALREADY
    clock.now = DUE + timedelta(days=1)
    second = await poster.post_due(USER)
    assert second.outcome is PostOutcome.POSTED
    assert sender.opened == [USER], "the stored channel is reused"
    assert second.quote_id != first.quote_id
    row = await store.post_for(USER, DAY, kind=USER_KIND)
    assert row is not None
    assert row.status is PostStatus.POSTED


async def test_a_user_and_a_guild_with_the_same_id_keep_separate_logs_and_cycles(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    # The post log keeps guild and user posts apart: one id in both tables, two posts.
    sender = FakeDmSender()
    personal = personal_poster(store, catalog, sender, clock)
    guilds = DigestPoster(
        store,
        lambda: catalog,
        sender,
        throttle=Throttle(1000, clock=lambda: 0.0, sleep=_no_wait),
        grace=GRACE,
        clock=clock,
        sleep=_no_wait,
    )
    await subscribe(store)
    await store.upsert_settings(
        USER, channel_id=4242, post_time="09:00", timezone="Asia/Shanghai", language="en"
    )
    clock.now = DUE
    assert (await guilds.post_due(USER)).outcome is PostOutcome.POSTED
    assert (await personal.post_due(USER)).outcome is PostOutcome.POSTED
    assert len(sender.sent) == 2
    guild_row = await store.post_for(USER, DAY)
    user_row = await store.post_for(USER, DAY, kind=USER_KIND)
    assert guild_row is not None
    assert user_row is not None
    assert guild_row.channel_id == 4242
    assert user_row.channel_id != 4242
    guild_cycle = await store.cycle_state(USER)
    user_cycle = await store.cycle_state(USER, kind=USER_KIND)
    assert guild_cycle is not None
    assert user_cycle is not None
    assert len(guild_cycle.posted) == len(user_cycle.posted) == 1


@dataclass
class RecordingDmSender(FakeDmSender):
    """A :class:`FakeDmSender` that keeps every post it was given."""

    posts: list[DigestPost] = field(default_factory=list)

    async def send(self, guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        self.posts.append(post)
        return await super().send(guild_id, channel_id, post, nonce=nonce)


async def test_a_personal_dm_is_a_plain_quote_whatever_a_guild_of_the_same_id_set(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    # Mode, thread and role are a guild's settings: a user's post never becomes a round,
    # never opens a thread or mentions a role, and never creates or reads a round.
    sender = RecordingDmSender()
    personal = personal_poster(store, catalog, sender, clock)
    guilds = DigestPoster(
        store,
        lambda: catalog,
        sender,
        throttle=Throttle(1000, clock=lambda: 0.0, sleep=_no_wait),
        grace=GRACE,
        clock=clock,
        sleep=_no_wait,
    )
    user = await subscribe(store)
    await store.upsert_settings(
        USER,
        channel_id=4242,
        post_time="09:00",
        timezone="Asia/Shanghai",
        language="en",
        thread=True,
        role_id=555,
        mode=DigestMode.WHOSAID,
    )
    assert post_pool(catalog, user) == list(catalog.quotes)
    clock.now = DUE
    assert (await personal.post_due(USER)).outcome is PostOutcome.POSTED
    (dm,) = sender.posts
    assert (dm.round_id, dm.reveal, dm.thread, dm.role_id) == (None, None, False, None)
    assert await store.get_round(1) is None, "the personal post made no round"
    assert (await guilds.post_due(USER)).outcome is PostOutcome.POSTED
    guild_post = sender.posts[-1]
    assert guild_post.round_id is not None
    assert (guild_post.thread, guild_post.role_id) == (True, 555)
    round_ = await store.get_round(guild_post.round_id)
    assert round_ is not None
    assert round_.guild_id == USER
    assert round_.message_id == sender.sent[-1].message_id


async def test_quotes_do_not_repeat_until_every_quote_was_sent(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender()
    poster = personal_poster(store, catalog, sender, clock)
    await subscribe(store)
    total = len(catalog.quotes)
    seen: list[str] = []
    for day in range(total + 1):
        clock.now = DUE + timedelta(days=day)
        result = await poster.post_due(USER)
        assert result.outcome is PostOutcome.POSTED
        assert result.quote_id is not None
        seen.append(result.quote_id)
    assert len(set(seen[:total])) == total
    assert seen[total] != seen[total - 1]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, 50007, FailureAction(False, DisableReason.CANNOT_DM)),
        (400, 50007, FailureAction(False, DisableReason.CANNOT_DM)),
        (403, 50001, FailureAction(False, DisableReason.CANNOT_DM)),
        (404, 10013, FailureAction(False, DisableReason.CANNOT_DM)),
        (503, 0, FailureAction(retry=True)),
        (429, 0, FailureAction(retry=True)),
        (0, 0, FailureAction(retry=True)),
        (400, 50035, FailureAction(retry=False)),
    ],
)
def test_classify_dm_failure(status: int, code: int, expected: FailureAction) -> None:
    assert classify_dm_failure(status, code) == expected


async def test_closed_dms_pause_the_digest_with_its_reason_and_nothing_is_retried(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender()
    sender.errors[USER] = [SendError(403, 50007, "Cannot send messages to this user")] * 5
    disabled: list[tuple[int, DisableReason]] = []
    poster = personal_poster(store, catalog, sender, clock, disabled=disabled)
    await subscribe(store)
    clock.now = DUE
    result = await poster.post_due(USER)
    assert result.outcome is PostOutcome.DISABLED
    assert result.reason is Reason.CANNOT_DM
    assert len(sender.attempts) == 1, "a refusal is not retried"
    assert disabled == [(USER, DisableReason.CANNOT_DM)]
    settings = await store.get_user_settings(USER)
    assert settings is not None
    assert (settings.enabled, settings.disabled_reason) == (False, DisableReason.CANNOT_DM)
    assert settings.post_time.strftime("%H:%M") == "09:00", "settings are kept"
    assert (await poster.post_due(USER)).outcome is PostOutcome.NOT_ENABLED
    assert len(sender.attempts) == 1
    # `/mydigest now` resumes it; the DMs are open again.
    sender.errors.clear()
    await store.enable_user_settings(USER)
    clock.now = DUE + timedelta(days=1)
    assert (await poster.post_today(USER)).outcome is PostOutcome.POSTED


async def test_a_refused_dm_channel_open_pauses_too(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender()
    sender.open_errors[USER] = [SendError(400, 50007, "Cannot send messages to this user")]
    poster = personal_poster(store, catalog, sender, clock)
    await subscribe(store)
    clock.now = DUE
    result = await poster.post_due(USER)
    assert result.outcome is PostOutcome.DISABLED
    assert sender.attempts == []


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no `except Exception` sees it."""


async def test_a_crash_between_the_dm_and_its_record_never_sends_a_second_dm(
    store: Store, catalog: Catalog, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = FakeDmSender(search_sent=True)
    first = personal_poster(store, catalog, sender, clock, instance_id="first")
    await first.renew_lease()
    await subscribe(store)
    clock.now = DUE

    async def killed(*args: object, **kwargs: object) -> bool:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(store, "mark_posted", killed)
        with pytest.raises(Killed):
            await first.post_due(USER)
    assert len(sender.sent) == 1
    row = await store.post_for(USER, DAY, kind=USER_KIND)
    assert row is not None
    assert row.status is PostStatus.CLAIMED
    # The process is gone (its lease released); a restarted one settles the claim at startup.
    await first.release_lease()
    again = personal_poster(store, catalog, sender, clock, instance_id="again")
    await again.renew_lease()
    settings = await store.get_user_settings(USER)
    assert settings is not None
    result = await again.catch_up(settings)
    assert result.outcome is PostOutcome.POSTED
    assert result.message_id == sender.sent[0].message_id
    assert len(sender.sent) == 1, "found in the DM channel: never sent again"
    assert (await again.post_due(USER)).outcome is PostOutcome.ALREADY
    assert len(sender.sent) == 1


async def test_a_crash_after_the_claim_before_the_dm_sends_it_once(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender(search_sent=True)
    await subscribe(store)
    clock.now = DUE
    pick = await next_quote(store, USER, catalog.quotes.keys(), kind=USER_KIND)
    assert pick is not None
    # Claimed by a process that died before opening the DM channel: no channel recorded.
    assert await store.claim_post(USER, DAY, DUE, pick.quote_id, owner="dead", kind=USER_KIND)
    poster = personal_poster(store, catalog, sender, clock, instance_id="alive")
    await poster.renew_lease()
    clock.now = DUE + timedelta(minutes=30)
    (result,) = await poster.sweep([await subscribe(store)])
    assert result.outcome is PostOutcome.POSTED
    assert len(sender.sent) == 1
    assert sender.find_calls == [], "no channel was ever opened: nothing to look through"


async def test_guild_and_personal_posts_together_keep_to_the_global_rate(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    """100 guilds and 100 users due at once, on one throttle at 50/s: every request of both
    fan-outs (channel opens included) keeps to 50 in any second."""
    vt = VirtualTime(real_pause=0.001)
    throttle = Throttle(50, clock=vt.clock, sleep=vt.sleep)
    sender = FakeDmSender(clock=vt.clock)
    guilds = DigestPoster(
        store,
        lambda: catalog,
        sender,
        throttle=throttle,
        grace=GRACE,
        clock=clock,
        sleep=_no_wait,
        instance_id="one",
    )
    personal = personal_poster(store, catalog, sender, clock, throttle=throttle, instance_id="one")
    ids = [USER + n for n in range(100)]
    for n, recipient in enumerate(ids):
        await store.upsert_settings(
            recipient,
            channel_id=9000 + n,
            post_time="09:00",
            timezone="Asia/Shanghai",
            language="en",
        )
        await subscribe(store, recipient)
    # Half the users already have their DM channel stored: only the others need an open.
    for n, recipient in enumerate(ids[:50]):
        await store.set_user_channel(recipient, 70_000 + n)
    clock.now = DUE
    tasks = [asyncio.create_task(guilds.post_due(g)) for g in ids]
    tasks += [asyncio.create_task(personal.post_due(u)) for u in ids]
    await vt.run(tasks)
    assert {t.result().outcome for t in tasks} == {PostOutcome.POSTED}
    assert len(sender.opened) == 50
    times = sorted(sender.send_times)
    assert len(times) == 250  # 200 sends + 50 opens
    assert max_in_window(times) == 50
    assert times[-1] == pytest.approx(249 / 50)


async def test_a_fall_back_day_sends_one_dm_for_the_repeated_time(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    # America/New_York 01:30 happens twice on 2026-11-01 (05:30 and 06:30 UTC): one DM.
    sender = FakeDmSender()
    poster = personal_poster(store, catalog, sender, clock)
    clock.now = dt.datetime(2026, 10, 31, 12, 0, tzinfo=dt.UTC)
    await store.upsert_user_settings(
        USER, post_time="01:30", timezone="America/New_York", language="en"
    )
    outcomes = []
    for hour in (5, 6):
        clock.now = dt.datetime(2026, 11, 1, hour, 30, tzinfo=dt.UTC)
        outcomes.append((await poster.post_due(USER)).outcome)
    assert outcomes == [PostOutcome.POSTED, PostOutcome.ALREADY]
    assert len(sender.sent) == 1


async def test_a_dm_missed_while_down_is_sent_by_the_catch_up_within_grace_only(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    sender = FakeDmSender()
    poster = personal_poster(store, catalog, sender, clock)
    settings = await subscribe(store)
    clock.now = DUE + timedelta(hours=2)
    assert (await poster.catch_up(settings)).outcome is PostOutcome.POSTED
    assert (await poster.catch_up(settings)).outcome is PostOutcome.NOTHING_DUE
    clock.now = DUE + timedelta(days=1, hours=7)  # the next day's, beyond the 6 h grace
    skipped = await poster.catch_up(settings)
    assert skipped.outcome is PostOutcome.SKIPPED
    assert skipped.reason is Reason.MISSED
    assert len(sender.sent) == 1
