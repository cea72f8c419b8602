"""The fake at scale: generated guilds, GET /gateway/bot's shard advice, the identify rate
(one IDENTIFY per 5 s per max_concurrency bucket) and "sharding required" (4011)."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest

from tests.conftest import clean_fake_discord
from tests.fakediscord import FakeDiscord, run_client, shard_for
from tests.fakediscord.barebot import ShardedBareBot
from tests.fakediscord.server import IDENTIFY_INTERVAL

from .test_gateway import RawGateway, _gateway


def _identify(fake: FakeDiscord, shard: list[int]) -> dict[str, Any]:
    return {"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}, "shard": shard}}


async def _gateway_bot(fake: FakeDiscord) -> dict[str, Any]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(fake.api_base + "/gateway/bot", headers=headers) as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


async def test_gateway_bot_reports_shards_and_max_concurrency() -> None:
    async with clean_fake_discord(max_concurrency=16) as fake:
        assert (await _gateway_bot(fake))["shards"] == 1
        fake.add_generated_guilds(2_500)
        fake.add_guild("one more")
        body = await _gateway_bot(fake)
        assert body["shards"] == 3  # one per 1,000 guilds, rounded up
        assert body["session_start_limit"]["max_concurrency"] == 16
        fake.recommended_shards = 8  # an explicit figure wins
        assert (await _gateway_bot(fake))["shards"] == 8


def test_generated_guilds_are_a_formula_until_touched(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    generated = fake.add_generated_guilds(10_000, channels=("general", "daily"))
    second = fake.add_generated_guilds(5, prefix="Other")
    assert fake.guild_count() == 10_005
    assert dict.__len__(fake.guilds) == 0  # nothing built yet
    # Consecutive guilds land on consecutive shards, and the counts add up.
    on_shard = [fake.guild_count_on_shard(s, 4) for s in range(4)]
    assert sum(on_shard) == 10_005
    assert max(on_shard) - min(on_shard) <= 1
    ids = [g.id for g in fake.guilds_on_shard(1, 4)]
    assert all(shard_for(gid, 4) == 1 for gid in ids)
    assert len(ids) == on_shard[1]
    assert dict.__len__(fake.guilds) == 0  # listing a shard builds throwaway objects
    # A lookup by channel id materializes the guild, ids as the formula says.
    daily = fake.channels[generated.channel_id(1234, "daily")]
    assert daily.name == "daily"
    guild = fake.guilds[generated.guild_id(1234)]
    assert daily.guild_id == guild.id
    assert guild.name == "Guild 1234"
    assert guild.everyone.id == guild.id
    assert [c.name for c in guild.text_channels] == ["general", "daily"]
    assert fake.bot_member(guild).roles == [generated.guild_id(1234) + 1000]
    assert fake.guilds[generated.guild_id(1234)] is guild  # built once
    assert fake.guild_count() == 10_005
    assert fake.guilds.get(second.guild_id(4)) is not None
    # Ids outside the formula are not guilds; a removed guild does not come back.
    assert fake.guilds.get(second.guild_id(5)) is None
    assert fake.channels.get(generated.guild_id(5) + 7) is None
    assert fake.ids.next() not in fake.guilds
    fake.remove_guild(guild)
    assert fake.guilds.get(generated.guild_id(1234)) is None
    assert fake.channels.get(generated.channel_id(1234, "daily")) is None
    assert fake.guild_count() == 10_004


async def test_a_sharded_client_sees_every_generated_guild_and_posts_to_one(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    generated = fake.add_generated_guilds(1_200, channels=("general", "daily"))
    bot = ShardedBareBot()  # shard count from GET /gateway/bot: 2
    async with run_client(bot, fake):
        await fake.wait_ready()
        assert bot.shard_count == 2
        assert len(bot.guilds) == 1_200
        cached = bot.get_guild(generated.guild_id(7))
        assert cached is not None
        assert [c.name for c in cached.text_channels] == ["general", "daily"]
        assert cached.shard_id == shard_for(cached.id, 2)
        assert dict.__len__(fake.guilds) == 0
        channel = bot.get_channel(generated.channel_id(7, "daily"))
        assert isinstance(channel, discord.TextChannel)
        message = await channel.send("hello")
        assert fake.messages[message.id].channel_id == channel.id
        assert list(fake.guilds) == [generated.guild_id(7)]


async def test_one_connection_with_more_than_2500_guilds_is_closed_4011(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.add_generated_guilds(2_501)
    async with aiohttp.ClientSession() as http, http.ws_connect(_gateway(fake)) as ws:
        gw = RawGateway(ws)
        await gw.recv()  # HELLO
        await gw.send(_identify(fake, [0, 1]))
        closed = await ws.receive(timeout=5)
        assert closed.type is aiohttp.WSMsgType.CLOSE
        assert closed.data == 4011
    async with aiohttp.ClientSession() as http, http.ws_connect(_gateway(fake)) as ws:
        gw = RawGateway(ws)
        await gw.recv()
        await gw.send(_identify(fake, [0, 2]))  # 1,251 guilds on this shard: fine
        ready = await gw.recv()
        assert ready["t"] == "READY"
        assert len(ready["d"]["guilds"]) == 1_251


async def _identify_raw(
    http: aiohttp.ClientSession, fake: FakeDiscord, shard: list[int]
) -> dict[str, Any]:
    """IDENTIFY on a fresh connection; the first answer (READY or op 9)."""
    async with http.ws_connect(_gateway(fake)) as ws:
        gw = RawGateway(ws)
        await gw.recv()  # HELLO
        await gw.send(_identify(fake, shard))
        return await gw.recv()


@pytest.mark.parametrize("max_concurrency", [1, 2])
async def test_identify_rate_per_concurrency_bucket(max_concurrency: int) -> None:
    async with clean_fake_discord(
        identify_interval=IDENTIFY_INTERVAL, max_concurrency=max_concurrency
    ) as fake:
        fake.add_guild("g")
        async with aiohttp.ClientSession() as http:
            first = await _identify_raw(http, fake, [0, 4])
            assert first["t"] == "READY"
            # Shard 1 is in shard 0's bucket with max_concurrency 1, in its own with 2.
            second = await _identify_raw(http, fake, [1, 4])
            if max_concurrency == 2:
                assert second["t"] == "READY"
                assert fake.violations == []
                # Shard 2 shares shard 0's bucket (2 % 2): too early.
                refused = await _identify_raw(http, fake, [2, 4])
            else:
                refused = second
            assert (refused["op"], refused["d"]) == (9, False)
            [violation] = fake.take_violations()
            assert "IDENTIFY" in violation.path
            assert len(fake.gateway.identify_refusals) == 1
            # Five seconds later (on the fake's clock) the same IDENTIFY is accepted.
            fake.clock.advance(IDENTIFY_INTERVAL)
            again = await _identify_raw(http, fake, [refused_shard(max_concurrency), 4])
            assert again["t"] == "READY"
        assert fake.violations == []


def refused_shard(max_concurrency: int) -> int:
    return 1 if max_concurrency == 1 else 2


async def test_discord_py_pacing_meets_the_identify_rate_when_enforced() -> None:
    """The bot's own pacing hook is what keeps it within the rate: a client that skips it is
    refused (op 9) and identifies again after its back-off, never getting two sessions at once."""
    async with clean_fake_discord(identify_interval=2.0) as fake:
        fake.add_guild("a", shard=(0, 2))
        fake.add_guild("b", shard=(1, 2))
        bot = ShardedBareBot(shard_count=2, fast_identify=True)
        async with run_client(bot, fake):
            await fake.wait_ready(timeout=30)
            assert len(bot.guilds) == 2
        refusals = fake.gateway.identify_refusals
        accepted = [shard for shard, _ in fake.gateway.identify_times]
        assert sorted(accepted) == [0, 1]
        assert refusals  # shard 1 came straight after shard 0
        assert all(shard == 1 for shard, _ in refusals)
        assert len(fake.take_violations()) == len(refusals)
