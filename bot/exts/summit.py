"""`/summit`: the event at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, lang_of
from bot.ui.components import source_links
from bot.ui.summit import summit_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class Summit(commands.Cog):
    """The event overview."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name="summit", description="The summit at a glance: date, host, sections")
    async def summit(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        catalog = self.bot.catalog
        embeds = [summit_embed(catalog, pack, lang) for pack in catalog.packs][:10]
        await interaction.response.send_message(
            embeds=embeds, view=source_links(catalog, lang), allowed_mentions=NO_MENTIONS
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Summit(bot))
