"""`/help`: what the bot does and how to use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, lang_of
from bot.ui.help import help_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class Help(commands.Cog):
    """Help."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction[SummitBot]) -> None:
        await interaction.response.send_message(
            embed=help_embed(lang_of(interaction)), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Help(bot))
