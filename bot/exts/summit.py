"""`/summit`: the event at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, lang_of
from bot.exts.options import EventOption
from bot.ui.components import source_link
from bot.ui.summit import summit_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class Summit(commands.Cog):
    """The event overview."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name="summit", description="The summit at a glance: date, host, sections")
    @app_commands.describe(event="Which summit (default: the newest, with a list of the others)")
    async def summit(
        self, interaction: discord.Interaction[SummitBot], event: EventOption | None = None
    ) -> None:
        lang = lang_of(interaction)
        catalog = self.bot.catalog
        if event is None:
            pack = catalog.newest
            others = [other for other in catalog.newest_first if other.id != pack.id]
        else:
            pack, others = event, []
        await interaction.response.send_message(
            embed=summit_embed(catalog, pack, lang, others),
            view=source_link(catalog, pack, lang),
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Summit(bot))
