"""`/speaker` (a profile with a button for their quotes) and `/speakers` (everyone, with roles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, lang_of
from bot.exts.options import SpeakerOption
from bot.ui.components import speaker_view
from bot.ui.speakers import speaker_embed, speakers_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class Speakers(commands.Cog):
    """The summit's speakers."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name="speaker", description="Show a speaker's profile")
    @app_commands.describe(name="Speaker: Chinese or English name, or pinyin")
    async def speaker(
        self, interaction: discord.Interaction[SummitBot], name: SpeakerOption
    ) -> None:
        lang = lang_of(interaction)
        await interaction.response.send_message(
            embed=speaker_embed(self.bot.catalog, name, lang),
            view=speaker_view(self.bot.catalog, name, lang),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="speakers", description="List every speaker with their role")
    async def speakers(self, interaction: discord.Interaction[SummitBot]) -> None:
        await interaction.response.send_message(
            embed=speakers_embed(self.bot.catalog, lang_of(interaction)),
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Speakers(bot))
