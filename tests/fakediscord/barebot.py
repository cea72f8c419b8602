"""A bare discord.py bot: one slash command, ``/ping``, answering a static embed.

It is the baseline the benchmarks compare summitbot against (same fake, same run), and the
fake's own tests use it to prove the whole flow: login, gateway, sync, interaction, reply.
``/ping`` has one optional ``word`` option whose autocomplete answers three static choices,
so autocomplete round trips have a baseline too.

Standalone: ``python -m tests.fakediscord.barebot`` starts a fake, runs the bot, invokes
``/ping`` once and prints the round trip.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import discord
from discord import app_commands

PING_TITLE = "pong"
PING_DESCRIPTION = "A static reply from the bare bot."
STATIC_CHOICES = ("alpha", "beta", "gamma")


def ping_embed() -> discord.Embed:
    return discord.Embed(title=PING_TITLE, description=PING_DESCRIPTION, colour=0x5865F2)


class BareBot(discord.Client):
    """``sync_guild_id`` set: copy the global command to that guild and sync there
    (instant, like a dev guild); else sync globally.

    ``fast_identify`` skips discord.py's 5-second pause before each IDENTIFY after the first
    (shards, re-identify after an invalid session); tests use it to stay quick.
    """

    def __init__(
        self,
        *,
        sync_guild_id: int | None = None,
        fast_identify: bool = False,
        shard_id: int | None = None,
        shard_count: int | None = None,
    ) -> None:
        super().__init__(
            intents=discord.Intents.default(), shard_id=shard_id, shard_count=shard_count
        )
        self.tree = app_commands.CommandTree(self)
        self.sync_guild_id = sync_guild_id
        self.fast_identify = fast_identify
        self.synced: list[app_commands.AppCommand] = []
        self.tree.add_command(ping_command())

    async def setup_hook(self) -> None:
        if self.sync_guild_id is not None:
            guild = discord.Object(id=self.sync_guild_id)
            self.tree.copy_global_to(guild=guild)
            self.synced = await self.tree.sync(guild=guild)
        else:
            self.synced = await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not self.fast_identify:
            await super().before_identify_hook(shard_id, initial=initial)


class ShardedBareBot(discord.AutoShardedClient):
    """The same bot as an ``AutoShardedClient`` (shard count from ``GET /gateway/bot``
    unless given)."""

    def __init__(self, *, shard_count: int | None = None, fast_identify: bool = True) -> None:
        super().__init__(intents=discord.Intents.default(), shard_count=shard_count)
        self.tree = app_commands.CommandTree(self)
        self.fast_identify = fast_identify
        self.tree.add_command(ping_command())

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not self.fast_identify:
            await super().before_identify_hook(shard_id, initial=initial)


def ping_command() -> app_commands.Command[app_commands.Group, ..., None]:
    @app_commands.command(name="ping", description="Answer with a static embed.")
    @app_commands.describe(word="Any word (autocomplete offers three).")
    async def ping(interaction: discord.Interaction, word: str | None = None) -> None:
        await interaction.response.send_message(embed=ping_embed())

    @ping.autocomplete("word")
    async def word_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=c, value=c) for c in STATIC_CHOICES]

    return ping


async def _demo() -> None:
    from tests.fakediscord import FakeDiscord, run_client

    async with FakeDiscord(heartbeat_interval=5000) as fake:
        guild = fake.add_guild("demo")
        bot = BareBot(sync_guild_id=guild.id)
        async with run_client(bot, fake):
            result = await fake.slash(guild, None, "alice", "ping")
            print(
                f"/ping -> type {result.response_type}, {result.embeds[0]['title']!r}, "
                f"{result.elapsed_ms:.1f} ms"
            )
            choices = await fake.autocomplete(guild, None, "alice", "ping", {"word": "a"}, "word")
            print(f"autocomplete -> {[c['name'] for c in choices]}")
        fake.assert_clean()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    asyncio.run(_demo())
