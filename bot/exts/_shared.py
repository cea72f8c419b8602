"""Helpers every extension shares: language of an interaction, and replies for misses and
refusals. (Buttons are persistent items in `bot.ui.components`; option parsing and autocomplete
are the transformers in `bot.exts.options`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.catalog import Kind
from bot.catalog.models import Lang
from bot.ui.replies import NO_MENTIONS, defer_privately, lang_of, reply_private
from bot.ui.text import not_found_text

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = [
    "MAX_CHOICES",
    "NO_MENTIONS",
    "defer_privately",
    "lang_of",
    "miss_message",
    "refuse",
    "reply_private",
]

#: Autocomplete may not offer more than this many choices (Discord's limit).
MAX_CHOICES = 25


def miss_message(bot: SummitBot, kind: Kind, query: str, lang: Lang) -> str:
    """A short answer for a value that resolves to nothing, with "did you mean" when we can."""
    # Everything it starts, spells or is part of ("yang": both Yangs), then typos.
    return not_found_text(kind, query, bot.catalog.candidates(kind, query, limit=5), lang)


async def refuse(interaction: discord.Interaction[SummitBot], content: str) -> None:
    """Turn down a request as given (an unknown name, an invalid value): a private answer, and
    a `user_error` in the command metrics rather than an `ok`."""
    interaction.client.record_outcome(interaction, "user_error")
    await reply_private(interaction, content)
