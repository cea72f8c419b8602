"""`/speaker` (a profile with a button for their quotes) and `/speakers` (everyone, with roles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog.models import Speaker
from bot.exts._shared import (
    NO_MENTIONS,
    OwnedView,
    lang_of,
    reply_private,
)
from bot.exts.options import SpeakerOption
from bot.exts.quotes import QuotePager
from bot.i18n import t
from bot.render import speaker_embed, speakers_embed

if TYPE_CHECKING:
    from bot.app import SummitBot


class SpeakerView(OwnedView):
    """Under a profile: open the speaker's quotes privately (anyone may), and the source link."""

    def __init__(self, origin: discord.Interaction[SummitBot], speaker: Speaker) -> None:
        super().__init__(origin)
        self.speaker = speaker
        count = len(origin.client.catalog.quotes_by(speaker.id))
        self.show_quotes.label = t("buttons.speaker_quotes", self.lang, count=count)
        self.show_quotes.disabled = count == 0
        source = origin.client.catalog.event_for(speaker).source
        self.add_item(
            discord.ui.Button(
                label=t("buttons.source", self.lang), url=source.url, style=discord.ButtonStyle.link
            )
        )

    owner_only = False  # the answer is private to whoever clicks

    @discord.ui.button(style=discord.ButtonStyle.primary)
    async def show_quotes(
        self, interaction: discord.Interaction[SummitBot], button: discord.ui.Button[SpeakerView]
    ) -> None:
        catalog = interaction.client.catalog
        quotes = list(catalog.quotes_by(self.speaker.id))
        if not quotes:
            await reply_private(interaction, t("quotes.none_left", lang_of(interaction)))
            return
        pager = QuotePager(interaction, quotes, self.speaker.name.get(lang_of(interaction)))
        await interaction.response.send_message(
            embed=pager.embed(), view=pager, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


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
        found = name
        await interaction.response.send_message(
            embed=speaker_embed(self.bot.catalog, found, lang),
            view=SpeakerView(interaction, found),
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
