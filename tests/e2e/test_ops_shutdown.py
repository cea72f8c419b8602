"""Shutting down (what SIGTERM does: `bot.close()`) in the middle of a digest fan-out.

Scheduled fan-out: every post already due finishes and is recorded before the bot closes.
Startup catch-up: posts still waiting for their turn were never claimed, a send cut off
leaves a claim the next start settles at once (the clean stop released this process's lease),
and the next start makes the rest. Either way
no guild loses its post and none gets two."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

import bot.digest.poster as poster_module
from bot.digest.due import next_due
from bot.digest.scheduler import job_id
from bot.store import PostStatus, Store
from tests.e2e.conftest import (
    bot_posts,
    build_bot,
    running_summit,
    seed_digests,
    service,
    write_settings,
)
from tests.fakediscord import FakeDiscord, run_client
from tests.ops.helpers import eventually

ZONE = "Asia/Shanghai"
POST_TIME = time(9, 0)
GUILDS = 12
RATE = 4  # digest sends per second: the fan-out takes ~3 s, so the stop lands mid-way


async def test_stopping_mid_fan_out_finishes_due_posts_and_never_posts_twice(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_discord
    due = next_due(datetime.now(UTC), POST_TIME, ZONE)
    monkeypatch.setattr(poster_module, "wall_clock", lambda: due.instant)
    overrides = {"digest": {"global_rate_per_second": RATE}}
    async with running_summit(fake, tmp_path, overrides=overrides) as summit:
        bot = summit.bot
        guilds = [fake.add_guild(f"fan {n}", channels=["daily"]) for n in range(GUILDS)]

        async def joined() -> bool:
            return all(bot.get_guild(g.id) is not None for g in guilds)

        await eventually(joined, "the bot to see every guild")
        await bot.wait_until_ready()
        await asyncio.wait_for(service(bot).startup, 10)
        for guild in guilds:
            settings = await bot.store.upsert_settings(
                guild.id,
                channel_id=guild.text_channels[0].id,
                post_time=POST_TIME,
                timezone=ZONE,
                language="en",
            )
            assert service(bot).schedule(settings)

        # Every guild's job becomes due at once, as at a popular local time.
        now = datetime.now(UTC)
        for guild in guilds:
            service(bot).scheduler._scheduler.modify_job(job_id(guild.id), next_run_time=now)

        async def some_posted() -> bool:
            return sum(len(bot_posts(fake, g.text_channels[0])) for g in guilds) >= 2

        await eventually(some_posted, "the fan-out to start")
        sent_before_stop = sum(len(bot_posts(fake, g.text_channels[0])) for g in guilds)
        assert sent_before_stop < GUILDS, "the fan-out finished before the stop; lower RATE"

        await bot.close()  # what SIGTERM does

        # Everything due was posted exactly once and recorded as posted.
        for guild in guilds:
            assert len(bot_posts(fake, guild.text_channels[0])) == 1, guild.name
        store = await Store.open(summit.settings.database.path)
        try:
            for guild in guilds:
                row = await store.post_for(guild.id, due.local_date)
                assert row is not None
                assert row.status is PostStatus.POSTED
                assert row.message_id == bot_posts(fake, guild.text_channels[0])[0].id
        finally:
            await store.close()

    # A restart the same day (startup catch-up included) posts nothing again.
    again = build_bot(summit.settings)
    again._connection.guild_ready_timeout = 0.1
    async with run_client(again, fake):
        results = await asyncio.wait_for(service(again).startup, 10)
        outcomes = {r.guild_id: r.outcome.value for r in results}
        assert all(outcomes[g.id] == "nothing_due" for g in guilds), outcomes
    for guild in guilds:
        assert len(bot_posts(fake, guild.text_channels[0])) == 1, guild.name


async def test_stopping_mid_startup_catch_up_loses_nothing_and_never_posts_twice(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other fan-out: posts missed while the bot was down, made right after READY."""
    fake = fake_discord
    due = next_due(datetime.now(UTC), POST_TIME, ZONE)
    monkeypatch.setattr(poster_module, "wall_clock", lambda: due.instant + timedelta(hours=1))
    guilds = [fake.add_guild(f"missed {n}", channels=["daily"]) for n in range(GUILDS)]
    settings = write_settings(tmp_path, fake, {"digest": {"global_rate_per_second": RATE}})
    await seed_digests(settings, guilds, post_time=POST_TIME, zone=ZONE)

    first = build_bot(settings)
    first._connection.guild_ready_timeout = 0.1
    async with run_client(first, fake):

        async def some_posted() -> bool:
            return sum(len(bot_posts(fake, g.text_channels[0])) for g in guilds) >= 2

        await eventually(some_posted, "the catch-up to start")
        await first.close()  # what SIGTERM does
    assert all(len(bot_posts(fake, g.text_channels[0])) <= 1 for g in guilds)
    assert sum(len(bot_posts(fake, g.text_channels[0])) for g in guilds) < GUILDS

    again = build_bot(settings)
    again._connection.guild_ready_timeout = 0.1
    async with run_client(again, fake):
        await asyncio.wait_for(service(again).startup, 15)
    for guild in guilds:
        assert len(bot_posts(fake, guild.text_channels[0])) == 1, guild.name
