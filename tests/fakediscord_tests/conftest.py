"""A guild and the bare bot connected to the fake, for the fake's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.fakediscord import FakeDiscord, Guild, run_client
from tests.fakediscord.barebot import BareBot


@dataclass
class Connected:
    fake: FakeDiscord
    guild: Guild
    bot: BareBot


@pytest.fixture
async def connected(fake_discord: FakeDiscord) -> AsyncIterator[Connected]:
    """The bare bot logged in, READY, with ``/ping`` synced to one guild."""
    guild = fake_discord.add_guild(
        "Summit HQ", locale="zh-CN", channels=["general", "quotes"], members=["alice", "bob"]
    )
    bot = BareBot(sync_guild_id=guild.id, fast_identify=True)
    async with run_client(bot, fake_discord):
        yield Connected(fake_discord, guild, bot)
