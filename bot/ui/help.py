"""The `/help` embed."""

from __future__ import annotations

import discord

from bot.catalog.models import Lang
from bot.i18n import t
from bot.ui._embeds import Colours
from bot.ui.limits import fit_embed


def help_embed(lang: Lang) -> discord.Embed:
    """What the bot does and how to use it."""
    embed = discord.Embed(
        title=t("help.title", lang), colour=Colours.HELP, description=t("help.description", lang)
    )
    embed.add_field(
        name=t("help.commands_title", lang), value=t("help.commands", lang), inline=False
    )
    embed.add_field(name=t("help.explain_title", lang), value=t("help.explain", lang), inline=False)
    embed.add_field(name=t("help.digest_title", lang), value=t("help.digest", lang), inline=False)
    embed.set_footer(text=t("help.footer", lang))
    return fit_embed(embed)
