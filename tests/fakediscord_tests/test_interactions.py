"""Interaction rules: deadline, double acknowledgement, deferrals, components, menus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord, Guild, run_client

from .probe_bot import ProbeBot


@dataclass
class Probe:
    fake: FakeDiscord
    guild: Guild
    bot: ProbeBot


@pytest.fixture
async def probe(fake_discord: FakeDiscord) -> AsyncIterator[Probe]:
    guild = fake_discord.add_guild("Probe", locale="zh-CN", channels=["general", "digest"])
    bot = ProbeBot(guild_id=guild.id)
    async with run_client(bot, fake_discord):
        yield Probe(fake_discord, guild, bot)


async def test_late_first_response_gets_10062(probe: Probe) -> None:
    fake, bot = probe.fake, probe.bot
    result = await fake.slash(probe.guild, None, "alice", "slow", wait=False)
    await bot.entered.wait()
    fake.clock.advance(3.5)
    bot.gate.set()
    await result.wait_response()
    assert not result.responded
    assert result.errors == [10062]
    [violation] = fake.take_violations()
    assert violation.code == 10062
    assert "deadline" in str(violation)
    [error] = await _errors(bot, 1)
    assert isinstance(error.__cause__, discord.NotFound)


async def test_second_initial_response_gets_40060(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.slash(probe.guild, None, "alice", "edit")
    await result.wait_edits(1)
    url = f"{fake.api_base}/interactions/{result.id}/{result.token}/callback"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"type": 4, "data": {"content": "again"}}) as resp,
    ):
        assert resp.status == 400
        body = await resp.json()
    assert body == {"message": "Interaction has already been acknowledged.", "code": 40060}
    assert result.errors == [40060]
    assert [v.code for v in fake.take_violations()] == [40060]


async def test_edit_original_response(probe: Probe) -> None:
    result = await probe.fake.slash(probe.guild, None, "alice", "edit")
    message = await result.wait_edits(1)
    assert message.content == "final"
    assert result.content == "final"
    assert result.edits == [{"content": "final"}] or result.edits[0]["content"] == "final"
    assert message.edited_timestamp is not None


async def test_defer_then_followups(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.slash(probe.guild, None, "bob", "defer", locale="en-GB")
    assert result.response_type == 5
    assert result.deferred
    assert result.ephemeral
    followups = await result.wait_followups(2)
    # The first followup fills in the "thinking" message; the second is a new message.
    assert followups[0] is result.message
    assert followups[0].content == "first"
    assert followups[1].content == "second"
    assert followups[1].ephemeral
    assert fake.channel_messages(probe.guild.channel("general")) == []
    assert probe.bot.seen_locales == [("en-GB", "zh-CN")]


async def test_button_click_updates_the_message(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.slash(probe.guild, None, "alice", "buttons")
    assert result.custom_ids() == ["probe:again"]
    message = result.message
    assert message is not None
    click = await fake.click(message, "probe:again", "bob")
    assert click.response_type == 7
    assert message.content == "clicked 1"
    click2 = await fake.click(message, "probe:again", "alice", locale="zh-CN")
    assert click2.response_type == 7
    assert message.content == "clicked 2"
    with pytest.raises(LookupError):
        await fake.click(message, "no-such-button", "bob")


async def test_message_context_menu(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.message_command(
        probe.guild, None, "alice", "Explain terms", "RLVR and MoE", author="bob"
    )
    assert result.ephemeral
    assert result.content == "12 chars"
    assert result.message is not None
    assert result.message.type == 23
    [target] = fake.channel_messages(probe.guild.channel("general"))
    assert target.author.username == "bob"
    [cmd] = [c for c in fake.registered_commands(probe.guild) if c["type"] == 3]
    assert cmd["description"] == ""


async def test_subcommand_with_resolved_channel_and_choices(probe: Probe) -> None:
    fake, guild = probe.fake, probe.guild
    digest = guild.channel("digest")
    result = await fake.slash(
        guild, None, "alice", "digest set", {"channel": digest, "hour": 9, "mode": "daily"}
    )
    assert result.ephemeral
    assert result.content == f"digest in <#{digest.id}>"
    assert probe.bot.seen_options == [{"channel": digest.id, "hour": 9, "mode": "daily"}]
    with pytest.raises(ValueError, match="choices"):
        await fake.slash(
            guild, None, "alice", "digest set", {"channel": digest, "hour": 9, "mode": "x"}
        )
    with pytest.raises(ValueError, match="missing required"):
        await fake.slash(guild, None, "alice", "digest set", {"hour": 9})
    with pytest.raises(LookupError):
        await fake.slash(guild, None, "alice", "nope")


async def test_oversize_embed_is_a_violation(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.slash(probe.guild, None, "alice", "big", wait=False)
    await result.wait_response()
    assert not result.responded
    assert result.errors == [50035]
    [violation] = fake.take_violations()
    assert "embeds" in violation.reason
    assert "title" in violation.reason
    [error] = await _errors(probe.bot, 1)
    assert isinstance(error.__cause__, discord.HTTPException)
    assert error.__cause__.code == 50035


async def test_no_response_is_a_violation(probe: Probe) -> None:
    fake = probe.fake
    fake.interaction_deadline = 0.2
    result = await fake.slash(probe.guild, None, "alice", "silent")
    assert not result.responded
    [violation] = fake.take_violations()
    assert "no initial response" in violation.reason


async def test_followup_token_expires_after_15_minutes(probe: Probe) -> None:
    fake = probe.fake
    result = await fake.slash(probe.guild, None, "alice", "edit")
    await result.wait_edits(1)
    fake.clock.advance(15 * 60 + 1)
    url = f"{fake.api_base}/webhooks/{fake.application_id}/{result.token}/messages/@original"
    async with (
        aiohttp.ClientSession() as http,
        http.patch(url, json={"content": "too late"}) as resp,
    ):
        assert resp.status == 401
        assert (await resp.json())["code"] == 50027
    assert [v.code for v in fake.take_violations()] == [50027]


async def _errors(bot: ProbeBot, n: int) -> list[BaseException]:
    await bot.errors_changed.wait_until(lambda: len(bot.errors) >= n, timeout=2.0)
    return list(bot.errors)
