"""`/glossary` (a term's definition) and the "Explain terms" message context menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, lang_of
from bot.exts.options import TermOption
from bot.render import explain_embed, term_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class Glossary(commands.Cog):
    """Terms of art from the summit."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self.explain_menu = app_commands.ContextMenu(name="Explain terms", callback=self.explain)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.explain_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.explain_menu.name, type=self.explain_menu.type)

    @app_commands.command(name="glossary", description="Explain a term from the summit")
    @app_commands.describe(term="Term, in Chinese or English (abbreviations work too)")
    async def glossary(self, interaction: discord.Interaction[SummitBot], term: TermOption) -> None:
        lang = lang_of(interaction)
        found = term
        await interaction.response.send_message(
            embed=term_embed(self.bot.catalog, found, lang), allowed_mentions=NO_MENTIONS
        )

    async def explain(
        self, interaction: discord.Interaction[SummitBot], message: discord.Message
    ) -> None:
        """Every glossary term in the message, each with a short definition (private)."""
        catalog = self.bot.catalog
        matches = catalog.scan_terms(message.content)
        await interaction.response.send_message(
            embed=explain_embed(catalog, matches, lang_of(interaction)),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Glossary(bot))
