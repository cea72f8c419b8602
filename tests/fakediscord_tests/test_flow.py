"""The whole flow with an unmodified discord.py client: login, gateway, sync, /ping."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from bot.endpoints import DEFAULT_API_BASE, DEFAULT_GATEWAY_URL, apply_overrides
from tests.fakediscord import FakeDiscord
from tests.fakediscord.barebot import PING_TITLE, STATIC_CHOICES

from .conftest import Connected


async def test_login_ready_and_guild_create(connected: Connected) -> None:
    fake, guild, bot = connected.fake, connected.guild, connected.bot
    calls = [(r.method, r.template) for r in fake.requests]
    assert calls[:3] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ]
    query = fake.gateway.connection_queries[0]
    assert query["v"] == "10"
    assert query["encoding"] == "json"
    assert query["compress"] == "zlib-stream"
    identify = fake.gateway.identifies[0]
    assert identify["token"] == fake.token
    assert identify["intents"] == discord.Intents.default().value
    assert bot.user is not None
    assert bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    cached = bot.get_guild(guild.id)
    assert cached is not None
    assert cached.preferred_locale is discord.Locale.chinese
    assert {c.name for c in cached.text_channels} == {"general", "quotes"}
    assert cached.me is not None
    assert cached.me.guild_permissions.send_messages


async def test_commands_synced_and_echoed_like_discord(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    [ping] = fake.registered_commands(guild)
    assert ping["name"] == "ping"
    assert ping["guild_id"] == str(guild.id)
    assert ping["application_id"] == str(fake.application_id)
    assert [s.name for s in connected.bot.synced] == ["ping"]
    assert connected.bot.synced[0].id == int(ping["id"])
    assert fake.registered_commands() == []


async def test_ping_answered_with_spec_valid_embed(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    result = await fake.slash(guild, guild.channel("quotes"), "alice", "ping", locale="zh-CN")
    assert result.responded
    assert result.errors == []
    assert result.response_type == 4
    assert not result.ephemeral
    assert result.embeds[0]["title"] == PING_TITLE
    assert result.elapsed_ms is not None
    [message] = fake.channel_messages(guild.channel("quotes"))
    assert message is result.message
    assert message.interaction_metadata is not None
    assert message.interaction_metadata["user"]["username"] == "alice"
    assert fake.violations == []


async def test_autocomplete_returns_choices(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    choices = await fake.autocomplete(guild, None, "bob", "ping", {"word": "al"}, focused="word")
    assert [c["value"] for c in choices] == list(STATIC_CHOICES)


async def test_callback_without_with_response_is_204(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    # A command only the fake knows: the bot ignores it, the test answers it by hand.
    fake.overwrite_commands(
        guild.id,
        [c.payload for c in fake.commands[guild.id]]
        + [{"name": "manual", "description": "Answered by the test.", "type": 1}],
    )
    result = await fake.slash(guild, None, "alice", "manual", wait=False)
    url = f"{fake.api_base}/interactions/{result.id}/{result.token}/callback"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"type": 4, "data": {"content": "hi"}}) as resp,
    ):
        assert resp.status == 204
    assert result.content == "hi"


async def test_apply_overrides_sets_and_restores() -> None:
    apply_overrides("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/")
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/"
    route = discord.http.Route("GET", "/users/@me")
    assert route.url == "http://127.0.0.1:9/api/v10/users/@me"
    apply_overrides(None, None)
    assert discord.http.Route.BASE == DEFAULT_API_BASE
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == DEFAULT_GATEWAY_URL
    with pytest.raises(ValueError, match="gateway URL"):
        apply_overrides(None, "http://not-a-websocket/")


async def test_wrong_token_is_login_failure(fake_discord: FakeDiscord) -> None:
    from tests.fakediscord import run_client
    from tests.fakediscord.barebot import BareBot

    with pytest.raises(discord.LoginFailure):
        async with run_client(BareBot(), fake_discord, token="not-the-token"):
            pass
    [violation] = fake_discord.take_violations()
    assert violation.status == 401


async def test_global_sync_and_dm_interaction(fake_discord: FakeDiscord) -> None:
    from tests.fakediscord import run_client
    from tests.fakediscord.barebot import BareBot

    fake = fake_discord
    fake.add_guild("g")
    bot = BareBot(fast_identify=True)
    async with run_client(bot, fake):
        assert [c["name"] for c in fake.registered_commands()] == ["ping"]
        assert fake.registered_commands()[0]["dm_permission"] is True
        result = await fake.slash(None, None, "carol", "ping", locale="zh-TW")
        assert result.responded
        assert "user" in result.payload
        assert "member" not in result.payload
        assert result.payload["locale"] == "zh-TW"
        assert result.channel.type == 1
        assert result.embeds[0]["title"] == PING_TITLE
        joined = fake.add_guild("joined later")
        await fake.settle()
        assert bot.get_guild(joined.id) is not None
        assert (await fake.slash(joined, None, "dave", "ping")).responded
