"""The baseline bot as a process of its own: the fake Discord's `BareBot` (`/ping` with a static
embed and static autocomplete) plus an "Explain terms" message menu answering a static private
embed, so every summitbot interaction has a bare twin of the same interaction type.

    python -m bench.barebot API_BASE GATEWAY_URL GUILD_ID    (token in DISCORD_TOKEN)
"""

from __future__ import annotations

import asyncio
import os
import sys

import discord
from discord import app_commands

from bench._util import REPO

sys.path.insert(0, str(REPO))

from bot.endpoints import apply_overrides
from tests.fakediscord.barebot import BareBot, ping_embed


class BenchBareBot(BareBot):
    """`BareBot` plus a static message context menu."""

    def __init__(self, *, sync_guild_id: int) -> None:
        super().__init__(sync_guild_id=sync_guild_id)

        @app_commands.context_menu(name="Explain terms")
        async def explain(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(embed=ping_embed(), ephemeral=True)

        self.tree.add_command(explain)


async def _main(api_base: str, gateway_url: str, guild_id: int) -> None:
    apply_overrides(api_base, gateway_url)
    bot = BenchBareBot(sync_guild_id=guild_id)
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
