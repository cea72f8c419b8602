"""Rate limits (global and per route), 429 bodies and headers, injected faults."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord

from .conftest import Connected

MESSAGES = "/channels/{channel_id}/messages"


def _text_channel(connected: Connected, name: str = "general") -> discord.TextChannel:
    channel = connected.bot.get_channel(connected.guild.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def _raw_post(fake: FakeDiscord, channel_id: int, content: str) -> aiohttp.ClientResponse:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{fake.api_base}/channels/{channel_id}/messages",
            json={"content": content},
            headers={"Authorization": f"Bot {fake.token}"},
        ) as resp,
    ):
        await resp.read()
        return resp


async def test_global_limit_429_and_discord_py_retries(connected: Connected) -> None:
    fake = connected.fake
    fake.set_global_rate(5)
    fake.set_route_limit("POST", MESSAGES, 100, 1.0, ["channel_id"])
    channel = _text_channel(connected)
    sent = await asyncio.gather(*(channel.send(f"m{i}") for i in range(12)))
    assert sorted(m.content for m in sent) == sorted(f"m{i}" for i in range(12))
    assert len(fake.channel_messages(connected.guild.channel("general"))) == 12
    assert fake.stats.rate_limited["global"] >= 1
    assert fake.violations == []


async def test_global_429_body_and_headers(connected: Connected) -> None:
    fake = connected.fake
    fake.set_global_rate(1)
    cid = connected.guild.channel("general").id
    responses = [await _raw_post(fake, cid, str(i)) for i in range(2)]
    assert responses[0].status == 200
    limited = responses[1]
    assert limited.status == 429
    assert limited.headers["Via"] == "1.1 google"
    assert limited.headers["X-RateLimit-Scope"] == "global"
    assert limited.headers["X-RateLimit-Global"] == "true"
    assert int(limited.headers["Retry-After"]) >= 1


async def test_interaction_callbacks_are_exempt_from_the_global_limit(
    connected: Connected,
) -> None:
    fake, guild = connected.fake, connected.guild
    fake.set_global_rate(1)
    cid = guild.channel("general").id
    assert (await _raw_post(fake, cid, "uses the whole second")).status == 200
    result = await fake.slash(guild, None, "alice", "ping")
    assert result.responded
    assert fake.stats.rate_limited["global"] == 0


async def test_route_bucket_headers_and_429(connected: Connected) -> None:
    fake = connected.fake
    fake.set_route_limit("POST", MESSAGES, 2, 5.0, ["channel_id"])
    general = connected.guild.channel("general").id
    quotes = connected.guild.channel("quotes").id
    first = await _raw_post(fake, general, "1")
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert float(first.headers["X-RateLimit-Reset-After"]) > 0
    bucket = first.headers["X-RateLimit-Bucket"]
    await _raw_post(fake, general, "2")
    third = await _raw_post(fake, general, "3")
    assert third.status == 429
    assert third.headers["X-RateLimit-Scope"] == "user"
    assert third.headers["Via"] == "1.1 google"
    # The bucket is per channel: another channel is not limited.
    other = await _raw_post(fake, quotes, "1")
    assert other.status == 200
    assert other.headers["X-RateLimit-Bucket"] == bucket
    assert fake.stats.rate_limited["user"] == 1


async def test_route_limit_respected_by_discord_py(connected: Connected) -> None:
    fake = connected.fake
    fake.set_route_limit("POST", MESSAGES, 2, 0.3, ["channel_id"])
    channel = _text_channel(connected)
    for i in range(5):
        await channel.send(f"m{i}")
    contents = [m.content for m in fake.channel_messages(connected.guild.channel("general"))]
    assert contents == [f"m{i}" for i in range(5)]


async def test_injected_500_then_success(connected: Connected) -> None:
    fake = connected.fake
    other_method = fake.inject("GET", MESSAGES, 500)
    injection = fake.inject("POST", MESSAGES, 500)
    message = await _text_channel(connected).send("after a 500")
    assert other_method.hits == 0
    assert injection.hits == 1
    assert injection.remaining == 0
    assert fake.stats.by_status[500] == 1
    assert fake.messages[message.id].content == "after a 500"


async def test_injected_429_is_retried(connected: Connected) -> None:
    fake = connected.fake
    fake.inject("POST", "/channels/*/messages", 429, count=2)
    await _text_channel(connected).send("after two 429s")
    assert fake.stats.rate_limited["injected"] == 2


@pytest.mark.parametrize(("status", "error"), [(403, discord.Forbidden), (404, discord.NotFound)])
async def test_injected_client_errors_raise(
    connected: Connected, status: int, error: type[discord.HTTPException]
) -> None:
    connected.fake.inject("POST", MESSAGES, status)
    with pytest.raises(error):
        await _text_channel(connected).send("refused")
