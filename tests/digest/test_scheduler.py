"""The APScheduler wrapper: jobs per guild, DST-safe fire times, listeners, lifecycle.

Fire times are computed by calling the trigger the way APScheduler does; nothing waits for the
wall clock except the few tests that let the real scheduler run a job "now".
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.digest.due import next_due
from bot.digest.scheduler import (
    MAX_IN_FLIGHT,
    DailyTrigger,
    DigestScheduler,
    job_id,
    slot_job_id,
)
from bot.store import DisableReason, GuildSettings

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
HANG_GUARD = 10  # seconds; only bounds a broken test, never asserted on


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def fire_times(trigger: BaseTrigger, start: datetime, until: datetime) -> list[datetime]:
    """Drive a trigger as APScheduler's scheduler loop does, waking one second after each fire."""
    fires: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire.astimezone(UTC) < until:
        assert len(fires) < 1000, "trigger does not advance"
        fires.append(fire.astimezone(UTC))
        now = fire.astimezone(UTC) + timedelta(seconds=1)
        fire = trigger.get_next_fire_time(fire, now)
    return fires


def per_local_date(fires: list[datetime]) -> Counter[date]:
    return Counter(f.astimezone(NY).date() for f in fires)


def settings(
    guild_id: int, post_time: time = time(9, 0), tz: str = "Asia/Shanghai", enabled: bool = True
) -> GuildSettings:
    return GuildSettings(
        guild_id=guild_id,
        channel_id=guild_id + 1,
        post_time=post_time,
        timezone=tz,
        language="en",
        enabled=enabled,
        disabled_reason=None if enabled else DisableReason.ADMIN,
        disabled_at=None if enabled else T0,
        created_at=T0,
        updated_at=T0,
    )


# ------------------------------------------------------------- what CronTrigger does on DST days


def test_apscheduler_crontrigger_fires_twice_on_fall_back_day() -> None:
    # Pins APScheduler 3.11's behaviour, the reason DailyTrigger exists. If this starts failing
    # after an upgrade, CronTrigger changed: re-check, but DailyTrigger stays correct either way.
    cron = CronTrigger(hour=1, minute=30, timezone=NY)
    fires = fire_times(cron, utc(2026, 10, 30), utc(2026, 11, 4))
    counts = per_local_date(fires)
    assert counts[date(2026, 11, 1)] == 2
    assert [f for f in fires if f.astimezone(NY).date() == date(2026, 11, 1)] == [
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT
        utc(2026, 11, 1, 6, 30),  # 01:30 EST, an hour later: a second post
    ]


def test_apscheduler_crontrigger_spring_forward_fires_at_pre_transition_offset() -> None:
    cron = CronTrigger(hour=2, minute=30, timezone=NY)
    fires = fire_times(cron, utc(2026, 3, 6), utc(2026, 3, 11))
    assert per_local_date(fires)[date(2026, 3, 8)] == 1
    on_the_day = next(f for f in fires if f.astimezone(NY).date() == date(2026, 3, 8))
    assert on_the_day == utc(2026, 3, 8, 7, 30)  # 03:30 EDT, not 03:00 (the end of the gap)


# ------------------------------------------------------------------------------- DailyTrigger


@pytest.mark.parametrize(
    ("post_time", "start", "until"),
    [
        (time(2, 30), utc(2026, 3, 5), utc(2026, 3, 12)),
        (time(2, 0), utc(2026, 3, 5), utc(2026, 3, 12)),
        (time(1, 30), utc(2026, 10, 29), utc(2026, 11, 5)),
        (time(1, 0), utc(2026, 10, 29), utc(2026, 11, 5)),
        (time(1, 59), utc(2026, 10, 29), utc(2026, 11, 5)),
        (time(9, 0), utc(2026, 1, 1), utc(2027, 1, 1)),  # a whole year, both changes
    ],
)
def test_daily_trigger_fires_once_per_local_date(
    post_time: time, start: datetime, until: datetime
) -> None:
    fires = fire_times(DailyTrigger(post_time, "America/New_York"), start, until)
    counts = per_local_date(fires)
    assert set(counts.values()) == {1}
    days = sorted(counts)
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]
    assert len(fires) >= 7


def test_daily_trigger_dst_day_times() -> None:
    spring = fire_times(
        DailyTrigger(time(2, 30), "America/New_York"), utc(2026, 3, 7), utc(2026, 3, 10)
    )
    assert spring == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]
    fall = fire_times(
        DailyTrigger(time(1, 30), "America/New_York"), utc(2026, 10, 31), utc(2026, 11, 3)
    )
    assert fall == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_daily_trigger_shanghai() -> None:
    fires = fire_times(DailyTrigger(time(9, 0), "Asia/Shanghai"), utc(2026, 1, 1), utc(2026, 1, 4))
    assert fires == [utc(2026, 1, 1, 1, 0), utc(2026, 1, 2, 1, 0), utc(2026, 1, 3, 1, 0)]


def test_daily_trigger_semantics_match_apscheduler() -> None:
    trigger = DailyTrigger(time(9, 0), "Asia/Shanghai")
    due = utc(2026, 1, 15, 1, 0)
    assert trigger.get_next_fire_time(None, due) == due  # inclusive of now
    # After a fire, the next one follows it even if "now" is much later (misfire detection).
    assert trigger.get_next_fire_time(due, due + timedelta(days=3)) == due + timedelta(days=1)
    # Accepts aware datetimes in any zone.
    local_now = due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert trigger.get_next_fire_time(None, local_now) == due
    assert str(trigger) == "daily[09:00 Asia/Shanghai]"
    assert "Asia/Shanghai" in repr(trigger)


def test_daily_trigger_rejects_unknown_zone() -> None:
    with pytest.raises(LookupError):
        DailyTrigger(time(9, 0), "Mars/Olympus")


# ----------------------------------------------------------------------------- DigestScheduler


async def _noop(_guild_id: int) -> None:
    return None


def next_fires(sched: DigestScheduler, guild_id: int, now: datetime, n: int = 3) -> list[datetime]:
    """The guild's job's next ``n`` fire times (UTC) from ``now``; empty if it has no job."""
    job = sched._scheduler.get_job(job_id(guild_id))
    if job is None:
        return []
    times: list[datetime] = []
    previous: datetime | None = None
    while len(times) < n:
        previous = job.trigger.get_next_fire_time(previous, now)
        times.append(previous.astimezone(UTC))
    return times


def test_job_management_without_starting() -> None:
    sched = DigestScheduler(_noop, grace_seconds=3600)
    now = utc(2026, 3, 7, 12)
    assert not sched.running
    assert sched.schedule_guild(settings(1, time(2, 30), "America/New_York"))
    assert sched.schedule_guild(settings(2))
    assert not sched.schedule_guild(settings(3, enabled=False))
    assert sched.scheduled_guilds() == [1, 2]
    assert next_fires(sched, 1, now) == [
        utc(2026, 3, 8, 7, 0),
        utc(2026, 3, 9, 6, 30),
        utc(2026, 3, 10, 6, 30),
    ]
    assert next_fires(sched, 2, now, n=2) == [utc(2026, 3, 8, 1, 0), utc(2026, 3, 9, 1, 0)]
    assert next_fires(sched, 3, now) == []
    # Rescheduling replaces the job (new time), disabling removes it.
    assert sched.schedule_guild(settings(2, time(21, 30)))
    assert next_fires(sched, 2, now, n=1) == [utc(2026, 3, 7, 13, 30)]
    assert not sched.schedule_guild(settings(2, enabled=False))
    assert sched.scheduled_guilds() == [1]
    assert sched.unschedule_guild(1)
    assert not sched.unschedule_guild(1)
    assert sched.scheduled_guilds() == []


def test_rebuild_replaces_every_digest_job() -> None:
    sched = DigestScheduler(_noop)
    sched.schedule_guild(settings(1))
    sched.schedule_guild(settings(2))
    count = sched.rebuild([settings(2, time(7, 0)), settings(3), settings(4, enabled=False)])
    assert count == 2
    assert sched.scheduled_guilds() == [2, 3]
    assert next_fires(sched, 2, T0, n=1) == [utc(2026, 1, 1, 23, 0)]
    assert sched.rebuild([]) == 0
    assert sched.scheduled_guilds() == []


def test_start_outside_a_running_loop_is_refused() -> None:
    sched = DigestScheduler(_noop)
    with pytest.raises(RuntimeError, match="inside a running event loop"):
        sched.start()
    assert not sched.running


class Recorder:
    """A digest callback that records guild ids and can be told to fail or to block."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.called = asyncio.Event()
        self.release = asyncio.Event()
        self.finished: list[int] = []
        self.cancelled: list[int] = []
        self.block = False
        self.fail = False

    async def __call__(self, guild_id: int) -> None:
        self.calls.append(guild_id)
        self.called.set()
        if self.fail:
            raise RuntimeError(f"poster exploded for {guild_id}")
        if self.block:
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.append(guild_id)
                raise
        self.finished.append(guild_id)


@pytest.fixture
async def running() -> AsyncIterator[tuple[DigestScheduler, Recorder]]:
    recorder = Recorder()
    sched = DigestScheduler(recorder, grace_seconds=3600)
    sched.start()
    yield sched, recorder
    recorder.release.set()
    await sched.shutdown()


def _fire_now(sched: DigestScheduler, guild_id: int, *, late_by: timedelta = timedelta(0)) -> None:
    sched._scheduler.modify_job(job_id(guild_id), next_run_time=datetime.now(UTC) - late_by)


async def test_start_and_shutdown(running: tuple[DigestScheduler, Recorder]) -> None:
    sched, _ = running
    assert sched.running
    sched.start()  # idempotent
    sched.schedule_guild(settings(5))
    job = sched._scheduler.get_job(job_id(5))
    assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (3600, True, 1)
    before = datetime.now(UTC)
    assert job.next_run_time in {
        next_due(before, time(9, 0), "Asia/Shanghai").instant,
        next_due(datetime.now(UTC), time(9, 0), "Asia/Shanghai").instant,
    }
    await sched.shutdown()
    assert not sched.running
    await sched.shutdown()  # idempotent


async def test_job_calls_the_callback_with_the_guild_id(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    sched.schedule_guild(settings(77))
    _fire_now(sched, 77)
    await asyncio.wait_for(recorder.called.wait(), HANG_GUARD)
    assert recorder.calls == [77]
    # After firing, the job is rescheduled for the next local date, not run again.
    job = sched._scheduler.get_job(job_id(77))
    assert job.next_run_time > datetime.now(UTC)


async def test_errors_are_logged_with_the_guild_id(
    running: tuple[DigestScheduler, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    sched, recorder = running
    recorder.fail = True
    seen = asyncio.Event()
    sched._scheduler.add_listener(lambda _e: seen.set(), EVENT_JOB_ERROR)
    sched.schedule_guild(settings(88))
    with caplog.at_level(logging.ERROR, logger="bot.digest.scheduler"):
        _fire_now(sched, 88)
        await asyncio.wait_for(seen.wait(), HANG_GUARD)
    records = [r for r in caplog.records if r.name == "bot.digest.scheduler"]
    assert [r.getMessage().split(" failed")[0] for r in records] == ["digest for guild 88"]
    assert records[0].exc_info is not None
    assert "poster exploded for 88" in str(records[0].exc_info[1])
    assert sched._scheduler.get_job(job_id(88)) is not None  # still scheduled for tomorrow


async def test_a_run_later_than_grace_is_missed_and_logged(
    running: tuple[DigestScheduler, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    sched, recorder = running
    seen = asyncio.Event()
    events: list[JobExecutionEvent] = []

    def on_missed(event: JobExecutionEvent) -> None:
        events.append(event)
        seen.set()

    sched._scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    # APScheduler's catch-up runs every fire time between the backdated run and now, so the
    # guild's own time is put half a day from now: no fire of it falls in that window, at any
    # hour the suite runs (a fixed 09:00 Shanghai fell inside it between 01:00 and 03:00 UTC).
    far_from_now = (datetime.now(UTC) + timedelta(hours=12)).time()
    sched.schedule_guild(settings(99, post_time=far_from_now, tz="UTC"))
    with caplog.at_level(logging.WARNING, logger="bot.digest.scheduler"):
        _fire_now(sched, 99, late_by=timedelta(hours=2))
        await asyncio.wait_for(seen.wait(), HANG_GUARD)
    assert recorder.calls == []
    assert events[0].job_id == sched._scheduler.get_job(job_id(99)).id  # the guild's slot job
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.digest.scheduler"]
    assert len(messages) == 1
    assert messages[0].startswith("digest for guild 99 missed its run")


async def test_shutdown_waits_for_a_post_in_flight(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    recorder.block = True
    sched.schedule_guild(settings(11))
    _fire_now(sched, 11)
    await asyncio.wait_for(recorder.called.wait(), HANG_GUARD)
    stopping = asyncio.create_task(sched.shutdown(wait=True))
    await asyncio.sleep(0)
    assert not stopping.done()
    recorder.release.set()
    await asyncio.wait_for(stopping, HANG_GUARD)
    assert recorder.finished == [11]
    assert recorder.cancelled == []


async def test_shutdown_without_wait_cancels_a_post_in_flight(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    recorder.block = True
    sched.schedule_guild(settings(12))
    _fire_now(sched, 12)
    await asyncio.wait_for(recorder.called.wait(), HANG_GUARD)
    await asyncio.wait_for(sched.shutdown(wait=False), HANG_GUARD)
    assert recorder.cancelled == [12]
    assert recorder.finished == []


# ------------------------------------------------------------------------- slots (fan-out jobs)


def test_guilds_sharing_a_time_and_zone_share_one_job() -> None:
    sched = DigestScheduler(_noop)
    for gid in range(1, 301):
        zone = ("Asia/Shanghai", "America/New_York", "UTC")[gid % 3]
        assert sched.schedule_guild(settings(gid, time(9, 0), zone))
    assert sched.slot_count() == 3
    assert len(sched._scheduler.get_jobs()) == 3
    assert sched.scheduled_guilds() == list(range(1, 301))
    # A guild's job id names its slot's job.
    assert sched._scheduler.get_job(job_id(3)) is sched._scheduler.get_job(job_id(6))
    assert sched._scheduler.get_job(job_id(3)) is not sched._scheduler.get_job(job_id(4))
    assert sched._scheduler.get_job(job_id(3)).id == slot_job_id(time(9, 0), "Asia/Shanghai")
    # Moving one guild opens a slot; the last guild leaving a slot closes it.
    assert sched.schedule_guild(settings(3, time(21, 30), "UTC"))
    assert sched.slot_count() == 4
    assert next_fires(sched, 3, T0, n=1) == [utc(2026, 1, 1, 21, 30)]
    assert sched.unschedule_guild(3)
    assert sched.slot_count() == 3
    # Rebuild: one job per distinct slot; a guild listed twice ends in its last slot.
    count = sched.rebuild(
        [settings(1), settings(2), settings(1, time(7, 0)), settings(5, enabled=False)]
    )
    assert count == 2
    assert sched.scheduled_guilds() == [1, 2]
    assert sched.slot_count() == 2
    assert next_fires(sched, 1, T0, n=1) == [utc(2026, 1, 1, 23, 0)]
    assert sched.unschedule_guild(1)
    assert sched.unschedule_guild(2)
    assert sched._scheduler.get_jobs() == []


def test_a_bad_zone_changes_nothing() -> None:
    sched = DigestScheduler(_noop)
    sched.schedule_guild(settings(1))
    with pytest.raises(LookupError):
        sched.schedule_guild(settings(2, tz="Mars/Olympus"))
    assert sched.scheduled_guilds() == [1]
    assert sched.slot_count() == 1


@pytest.mark.parametrize(
    ("post_time", "start", "until"),
    [
        (time(1, 30), utc(2026, 10, 29), utc(2026, 11, 5)),  # fall back: 01:30 happens twice
        (time(2, 30), utc(2026, 3, 5), utc(2026, 3, 12)),  # spring forward: 02:30 never happens
    ],
)
def test_a_slot_fires_once_per_local_date_across_dst(
    post_time: time, start: datetime, until: datetime
) -> None:
    sched = DigestScheduler(_noop)
    for gid in range(1, 51):
        sched.schedule_guild(settings(gid, post_time, "America/New_York"))
    assert sched.slot_count() == 1
    trigger = sched._scheduler.get_job(job_id(1)).trigger
    fires = fire_times(trigger, start, until)
    assert set(per_local_date(fires).values()) == {1}
    assert fires == fire_times(DailyTrigger(post_time, "America/New_York"), start, until)


async def test_a_slot_run_posts_each_of_its_guilds_once(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    slot = list(range(1000, 1250))
    for gid in slot:
        sched.schedule_guild(settings(gid))
    sched.schedule_guild(settings(7, time(21, 30)))  # another slot: not due
    done = asyncio.Event()
    original = recorder.__call__

    async def call(guild_id: int) -> None:
        await original(guild_id)
        if len(recorder.calls) == len(slot):
            done.set()

    sched._callback = call
    _fire_now(sched, slot[0])
    await asyncio.wait_for(done.wait(), HANG_GUARD)
    await asyncio.sleep(0)
    assert sorted(recorder.calls) == slot
    assert Counter(recorder.calls).most_common(1)[0][1] == 1
    assert sched._scheduler.get_job(job_id(slot[0])).next_run_time > datetime.now(UTC)


async def test_a_slot_run_starts_its_posts_in_batches(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    """The run yields to the event loop between batches, so a big minute cannot hold the loop:
    a ticker advancing once per loop iteration sees the posts start over several iterations."""
    sched, _ = running
    ticks = 0
    seen: list[int] = []
    all_started = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async def call(guild_id: int) -> None:
        seen.append(ticks)
        if len(seen) == 350:
            all_started.set()

    sched._callback = call
    for gid in range(1, 351):
        sched.schedule_guild(settings(gid))
    tick = asyncio.create_task(ticker())
    try:
        _fire_now(sched, 1)
        await asyncio.wait_for(all_started.wait(), HANG_GUARD)
    finally:
        tick.cancel()
    batches = Counter(seen)
    assert len(batches) >= 4  # 350 posts, at most FAN_OUT_BATCH (100) per loop iteration
    assert max(batches.values()) <= 100


async def test_a_guild_unscheduled_during_its_slot_run_is_not_posted(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    for gid in range(1, 301):
        sched.schedule_guild(settings(gid))
    done = asyncio.Event()

    async def call(guild_id: int) -> None:
        recorder.calls.append(guild_id)
        if guild_id == 1:
            # /digest off for guild 300 while the run is still starting the first batches.
            assert sched.unschedule_guild(300)
        if len(recorder.calls) == 299:
            done.set()

    sched._callback = call
    _fire_now(sched, 1)
    await asyncio.wait_for(done.wait(), HANG_GUARD)
    for _ in range(5):
        await asyncio.sleep(0)
    assert sorted(recorder.calls) == list(range(1, 300))


async def test_failed_posts_in_a_slot_are_logged_each_with_its_guild(
    running: tuple[DigestScheduler, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    sched, recorder = running
    seen = asyncio.Event()
    sched._scheduler.add_listener(lambda _e: seen.set(), EVENT_JOB_ERROR)

    async def call(guild_id: int) -> None:
        recorder.calls.append(guild_id)
        if guild_id != 21:
            raise RuntimeError(f"poster exploded for {guild_id}")

    sched._callback = call
    for gid in (20, 21, 22):
        sched.schedule_guild(settings(gid))
    with caplog.at_level(logging.ERROR, logger="bot.digest.scheduler"):
        _fire_now(sched, 21)
        await asyncio.wait_for(seen.wait(), HANG_GUARD)
    assert sorted(recorder.calls) == [20, 21, 22]
    records = [r for r in caplog.records if r.name == "bot.digest.scheduler"]
    assert sorted(r.getMessage().split(" failed")[0] for r in records) == [
        "digest for guild 20",
        "digest for guild 22",
    ]
    assert sched.scheduled_guilds() == [20, 21, 22]


async def test_shutdown_waits_for_every_post_of_a_slot_run(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    recorder.block = True
    for gid in range(1, 251):
        sched.schedule_guild(settings(gid))
    _fire_now(sched, 1)
    await asyncio.wait_for(recorder.called.wait(), HANG_GUARD)
    stopping = asyncio.create_task(sched.shutdown(wait=True))
    for _ in range(10):
        await asyncio.sleep(0)
    assert not stopping.done()
    recorder.release.set()
    await asyncio.wait_for(stopping, HANG_GUARD)
    assert sorted(recorder.finished) == list(range(1, 251))
    assert recorder.cancelled == []


async def test_a_big_minute_keeps_a_bounded_number_of_posts_in_flight(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    sched, recorder = running
    recorder.block = True
    count = MAX_IN_FLIGHT + 150
    for gid in range(1, count + 1):
        sched.schedule_guild(settings(gid, tz=("UTC", "Asia/Shanghai")[gid % 2]))
    for gid in (1, 2):  # both slots due at once
        _fire_now(sched, gid)
    await asyncio.wait_for(recorder.called.wait(), HANG_GUARD)
    for _ in range(50):
        await asyncio.sleep(0)
    assert len(recorder.calls) == MAX_IN_FLIGHT  # the rest wait for a post to finish
    recorder.release.set()
    await asyncio.wait_for(sched.shutdown(wait=True), HANG_GUARD)  # waits for every post
    assert sorted(recorder.finished) == list(range(1, count + 1))


async def test_load_is_rebuild_in_batches_with_the_scheduler_paused(
    running: tuple[DigestScheduler, Recorder],
) -> None:
    """The startup build yields to the loop between batches; no slot fires half-placed."""
    sched, _ = running
    sched.schedule_guild(settings(99, time(7, 0)))  # replaced, as by rebuild
    rows = [settings(gid, time(9, gid % 3), "UTC") for gid in range(1, 11)]
    rows += [settings(1, time(21, 30)), settings(11, enabled=False)]
    states: list[int] = []

    async def watch() -> None:
        while True:
            states.append(sched._scheduler.state)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    count = await sched.load(rows, batch=3)
    watcher.cancel()
    assert count == 10
    assert sched.scheduled_guilds() == list(range(1, 11))
    assert sched.slot_count() == 4  # 09:00, 09:01, 09:02 UTC and guild 1's 21:30
    assert next_fires(sched, 1, T0, n=1) == [utc(2026, 1, 1, 13, 30)]  # 21:30 in Shanghai
    # Four batches: the loop ran in between, and saw the scheduler paused each time.
    assert states.count(STATE_PAUSED) >= 3
    assert sched._scheduler.state == STATE_RUNNING

    fresh = DigestScheduler(_noop)
    fresh.rebuild(rows)
    assert fresh.scheduled_guilds() == sched.scheduled_guilds()
    assert {j.id for j in fresh._scheduler.get_jobs()} == {
        j.id for j in sched._scheduler.get_jobs()
    }
