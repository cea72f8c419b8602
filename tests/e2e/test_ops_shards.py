"""Sharding against the fake Discord serving two shards: one process running both shards, and
two bot instances (shard_ids [0] and [1]) sharing one database, each scheduling and posting the
daily digest only for the guilds its shards hold."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.digest.poster as poster_module
from bot.app import ShardedSummitBot, SummitBot
from bot.config import Settings
from bot.digest.due import next_due
from bot.endpoints import apply_overrides
from tests.e2e.conftest import bot_posts, build_bot, seed_digests, service, write_settings
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import free_port, get_json, sample, scrape

ZONE = "Asia/Shanghai"
POST_TIME = time(9, 0)


@pytest.fixture
def one_hour_after_the_post_time(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The digest's clock, an hour after today's post time: the startup catch-up posts it."""
    now = next_due(datetime.now(UTC), POST_TIME, ZONE).instant + timedelta(hours=1)
    monkeypatch.setattr(poster_module, "wall_clock", lambda: now)
    return now


@contextlib.asynccontextmanager
async def started(fake: FakeDiscord, *bots: SummitBot) -> AsyncIterator[None]:
    """Start every bot against the fake at once (each holds only part of the shards, so none
    is ready before the others connect); close them all on exit."""
    apply_overrides(fake.api_base, fake.gateway_url)
    tasks = [asyncio.create_task(b.start(fake.token)) for b in bots]
    try:
        await fake.wait_ready(timeout=20)
        yield
    finally:
        for b in bots:
            await b.close()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
        apply_overrides(None, None)


def sharded(settings: Settings) -> ShardedSummitBot:
    bot = build_bot(settings)
    assert isinstance(bot, ShardedSummitBot)
    bot._connection.guild_ready_timeout = 0.1  # on_ready 0.1 s after the last guild, not 2 s
    return bot


async def test_one_process_runs_both_shards_and_schedules_every_guild(
    fake_discord: FakeDiscord, tmp_path: Path, one_hour_after_the_post_time: datetime
) -> None:
    fake = fake_discord
    zero = fake.add_guild("on shard 0", channels=["daily"], shard=(0, 2))
    one = fake.add_guild("on shard 1", channels=["daily"], shard=(1, 2))
    port = free_port()
    settings = write_settings(
        tmp_path,
        fake,
        {"discord": {"shard_count": 2}, "health": {"enabled": True, "port": port}},
    )
    await seed_digests(settings, [zero, one], post_time=POST_TIME, zone=ZONE)
    bot = sharded(settings)

    async with started(fake, bot):
        assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
        assert service(bot).scheduler.scheduled_guilds() == sorted([zero.id, one.id])
        results = await asyncio.wait_for(service(bot).startup, 10)
        assert sorted((r.guild_id, r.outcome.value) for r in results) == sorted(
            [(zero.id, "posted"), (one.id, "posted")]
        )
        await bot.wait_until_ready()
        status, health = await get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, health
        assert health["checks"]["gateway"]["detail"].startswith("2 shard(s) connected")
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
        for shard in ("0", "1"):
            assert sample(metrics, "summitbot_gateway_latency_seconds", shard=shard) is not None
        assert sample(metrics, "summitbot_guilds") == 2

    assert len(bot_posts(fake, zero.text_channels[0])) == 1
    assert len(bot_posts(fake, one.text_channels[0])) == 1


async def test_two_shard_processes_split_the_guilds_and_each_posts_only_its_own(
    fake_discord: FakeDiscord, tmp_path: Path, one_hour_after_the_post_time: datetime
) -> None:
    fake = fake_discord
    on_zero = [fake.add_guild(f"zero {n}", channels=["daily"], shard=(0, 2)) for n in range(3)]
    on_one = [fake.add_guild(f"one {n}", channels=["daily"], shard=(1, 2)) for n in range(2)]
    ports = [free_port(), free_port()]
    configs = []
    for shard, port in zip((0, 1), ports, strict=True):
        folder = tmp_path / f"shard{shard}"
        folder.mkdir()
        overrides: dict[str, dict[str, Any]] = {
            "discord": {"shard_count": 2, "shard_ids": [shard]},
            "database": {"path": str(tmp_path / "shared.db")},  # one database for both
            "health": {"enabled": True, "port": port},
        }
        configs.append(write_settings(folder, fake, overrides))
    await seed_digests(configs[0], on_zero + on_one, post_time=POST_TIME, zone=ZONE)
    first, second = sharded(configs[0]), sharded(configs[1])

    async with started(fake, first, second):
        identified = sorted(i["shard"] for i in fake.gateway.identifies)
        assert identified == [[0, 2], [1, 2]]
        assert service(first).scheduler.scheduled_guilds() == sorted(g.id for g in on_zero)
        assert service(second).scheduler.scheduled_guilds() == sorted(g.id for g in on_one)
        assert {g.id for g in first.guilds} == {g.id for g in on_zero}
        assert {g.id for g in second.guilds} == {g.id for g in on_one}

        first_results = await asyncio.wait_for(service(first).startup, 10)
        second_results = await asyncio.wait_for(service(second).startup, 10)
        assert sorted(r.guild_id for r in first_results) == sorted(g.id for g in on_zero)
        assert sorted(r.guild_id for r in second_results) == sorted(g.id for g in on_one)
        assert {r.outcome.value for r in first_results + second_results} == {"posted"}

        for bot, port, guilds in ((first, ports[0], on_zero), (second, ports[1], on_one)):
            await bot.wait_until_ready()
            metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
            assert sample(metrics, "summitbot_guilds") == len(guilds)

    for guild in on_zero + on_one:
        assert len(bot_posts(fake, guild.text_channels[0])) == 1, guild.name
