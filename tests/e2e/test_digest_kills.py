"""`summitbot run` as real processes, SIGKILLed in the middle of a 600-guild digest fan-out.

Issue 15, finding 11: a kill used to strand every post still queued behind the throttle as a
young ``claimed`` row that nothing looked at again that day. Here 600 guilds are due in the same
minute, the bot is killed with SIGKILL at six moments of the fan-out (drawn from a seeded RNG,
as numbers of posts made so far) and started again right away each time; afterwards, with no
further restart, every guild must have exactly one post, recorded as posted (so within the
grace period). The same with two shard processes on one database, killing either.

Time: the guilds' post time is chosen 30 minutes before now in UTC (no daylight saving), so each
process finds the post due and within the 6 h grace at start and its startup catch-up makes the
fan-out; the local date is that of the due instant, so a run across midnight still agrees. The
settings are written with a store clock an hour before the due time (a digest set up after its
time owes nothing that day).

Rate: the fake enforces a global limit of RATE requests/s and the bot paces itself to it, as
with Discord's 50/s; the limit is raised so that the seven fan-outs of a run take seconds, not
minutes. What is tested (claims, kills, restarts, settling) does not depend on its value, and
the 50/s pacing itself is tested in tests/e2e/test_digest.py and bench/digest.py.
"""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.digest.due import previous_due
from bot.store import PostStatus, Store
from tests.conftest import clean_fake_discord
from tests.e2e.test_ops_process import MINI, Process, spawn, write_config
from tests.fakediscord import FakeDiscord, Guild

pytestmark = pytest.mark.chaos

GUILDS = 600
KILLS = 6
ZONE = "UTC"
RATE = 200  # requests/s, the fake's global limit and the bot's pacing (see the module doc)
LEASE_SECONDS = 3  # the config's minimum: dead processes' claims settle 3 s after the kill
#: Only stops a broken test; a passing run takes about 40 s per scenario on a loaded machine.
LIMIT = 150.0


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake Discord at RATE requests/s."""
    async with clean_fake_discord(global_rate=RATE) as fake:
        yield fake


def post_time_due_half_an_hour_ago() -> tuple[time, datetime, date]:
    now = datetime.now(UTC)
    post_time = (now - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    due = previous_due(now, post_time, ZONE)
    return post_time, due.instant, due.local_date


async def seed(db: Path, guilds: Sequence[Guild], post_time: time, due: datetime) -> None:
    """Every guild's digest, set up an hour before it was due."""
    store = await Store.open(db, clock=lambda: due - timedelta(hours=1))
    try:
        await store.migrate()
        async with store.transaction() as conn:
            for guild in guilds:
                await store.upsert_settings(
                    guild.id,
                    channel_id=guild.text_channels[0].id,
                    post_time=post_time,
                    timezone=ZONE,
                    language="en",
                    conn=conn,
                )
    finally:
        await store.close()


def bot_posts_by_channel(fake: FakeDiscord) -> Counter[int]:
    """The bot's messages per channel, in one pass (600 channels)."""
    bot_id = fake.bot_user.id
    return Counter(
        m.channel_id
        for m in list(fake.messages.values())
        if m.author.id == bot_id and not m.deleted
    )


async def until(predicate: Any, what: str, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def config_for(
    tmp_path: Path, fake: FakeDiscord, name: str, db: Path, rate: int, shards: list[int] | None
) -> Path:
    discord: dict[str, Any] = {"api_base": fake.api_base, "gateway_url": fake.gateway_url}
    if shards is not None:
        discord.update({"shard_count": 2, "shard_ids": shards})
    return write_config(
        tmp_path / f"{name}.yaml",
        {
            "discord": discord,
            "database": {"path": str(db)},
            "content": {"path": str(MINI)},
            "digest": {"global_rate_per_second": rate, "claim_lease_seconds": LEASE_SECONDS},
        },
    )


async def run_with_kills(
    fake: FakeDiscord,
    tmp_path: Path,
    processes: list[Process],
    *,
    groups: dict[str, tuple[Path, list[Guild]]],
    seed_value: int,
) -> None:
    """Start one process per group, SIGKILL one at each of six seeded moments (a number of
    posts made so far), restart it at once; then wait, with no further restart, until every
    guild has its post; stop cleanly and check the posts and the post log."""
    guilds = [g for _, members in groups.values() for g in members]
    channel_of = {g.id: g.text_channels[0].id for g in guilds}
    rng = random.Random(seed_value)
    moments = sorted(rng.sample(range(10, GUILDS - 10), KILLS))
    running: dict[str, Process] = {}
    for name, (config, _) in groups.items():
        running[name] = await spawn("--config", str(config), "run", token=fake.token)
        processes.append(running[name])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT

    def posted() -> int:
        return sum(bot_posts_by_channel(fake).values())

    for moment in moments:
        await until(lambda moment=moment: posted() >= moment, f"{moment} posts", deadline)
        counts = bot_posts_by_channel(fake)
        busy = [
            name
            for name, (_, members) in groups.items()
            if any(counts[channel_of[g.id]] == 0 for g in members)
        ]
        victim = rng.choice(sorted(busy or groups))
        running[victim].proc.send_signal(signal.SIGKILL)
        await running[victim].finish()
        running[victim] = await spawn("--config", str(groups[victim][0]), "run", token=fake.token)
        processes.append(running[victim])

    def all_posted() -> bool:
        counts = bot_posts_by_channel(fake)
        return all(counts[channel_of[g.id]] >= 1 for g in guilds)

    await until(all_posted, "a post in every guild", deadline)

    # Every post is recorded once the claims of the last kill are settled (by the sweep).
    db = tmp_path / "shared.db"

    async def recorded() -> bool:
        store = await Store.open(db)
        try:
            for guild in guilds:
                row = await store.last_post(guild.id)
                if row is None or row.status is not PostStatus.POSTED:
                    return False
            return True
        finally:
            await store.close()

    while not await recorded():
        if loop.time() > deadline:
            raise AssertionError("not every post was recorded as posted")
        await asyncio.sleep(0.2)

    for process in running.values():
        process.proc.send_signal(signal.SIGTERM)
    for process in running.values():
        assert await process.finish() == 0, process.output[-3000:]

    counts = bot_posts_by_channel(fake)
    doubles = [g.name for g in guilds if counts[channel_of[g.id]] != 1]
    assert doubles == [], f"{len(doubles)} guilds without exactly one post"
    store = await Store.open(db)
    try:
        messages = {m.id for m in fake.messages.values()}
        for guild in guilds:
            (row,) = await store.recent_posts(guild.id)
            assert row.status is PostStatus.POSTED, row
            assert row.message_id in messages
    finally:
        await store.close()
    assert sum(p.proc.returncode == -signal.SIGKILL for p in processes) == KILLS


async def test_six_sigkills_mid_fan_out_one_process(
    fake_discord: FakeDiscord, tmp_path: Path, killer: list[Process]
) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"k{n}", channels=["daily"]) for n in range(GUILDS)]
    post_time, due, _ = post_time_due_half_an_hour_ago()
    db = tmp_path / "shared.db"
    await seed(db, guilds, post_time, due)
    config = config_for(tmp_path, fake, "bot", db, rate=RATE, shards=None)
    await run_with_kills(fake, tmp_path, killer, groups={"bot": (config, guilds)}, seed_value=15)


async def test_six_sigkills_mid_fan_out_two_shard_processes_one_database(
    fake_discord: FakeDiscord, tmp_path: Path, killer: list[Process]
) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"s{n}", channels=["daily"], shard=(n % 2, 2)) for n in range(GUILDS)]
    post_time, due, _ = post_time_due_half_an_hour_ago()
    db = tmp_path / "shared.db"
    await seed(db, guilds, post_time, due)
    groups = {
        f"shard{shard}": (
            config_for(tmp_path, fake, f"shard{shard}", db, rate=RATE // 2, shards=[shard]),
            [g for n, g in enumerate(guilds) if n % 2 == shard],
        )
        for shard in (0, 1)
    }
    await run_with_kills(fake, tmp_path, killer, groups=groups, seed_value=11)
