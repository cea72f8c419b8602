"""`/quote` (one quote, public, with buttons) and `/quotes` (a private, paged browser)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.catalog.models import Pack, Quote, Speaker, Topic
from bot.exts._shared import NO_MENTIONS, lang_of, refuse
from bot.exts.options import EventOption, SearchOption, SpeakerOption, TopicOption
from bot.i18n import t
from bot.ui.components import pager, quote_message
from bot.ui.custom_ids import QuoteFilters
from bot.ui.quotes import FILTERS_ECHO
from bot.ui.text import echo

if TYPE_CHECKING:
    from bot.app import SummitBot

#: Option descriptions `/quote` and `/quotes` share.
FILTER_OPTIONS = {
    "speaker": "Only quotes by this speaker",
    "topic": "Only quotes on this topic",
    "event": "Only quotes from this summit",
}

#: No filter: every quote.
NO_FILTERS = QuoteFilters()


async def resolve_filters(
    interaction: discord.Interaction[SummitBot],
    speaker: Speaker | None,
    topic: Topic | None,
    search: str | None,
    event: Pack | None = None,
) -> tuple[QuoteFilters | None, list[Quote]]:
    """The filters and the quotes they match; when none match, answer privately.

    The options' transformers have already resolved the speaker and topic (a miss never gets
    here). Returns `(None, [])` when a reply was already sent.
    """
    catalog = interaction.client.catalog
    filters, quotes = _filtered(catalog, speaker, topic, search, event)
    if not quotes:
        lang = lang_of(interaction)
        described = echo(filters.describe(catalog, lang), FILTERS_ECHO)
        await refuse(interaction, t("quotes.none_found", lang, filters=described))
        return None, []
    return filters, quotes


def _filtered(
    catalog: Catalog,
    speaker: Speaker | None,
    topic: Topic | None,
    search: str | None,
    event: Pack | None,
) -> tuple[QuoteFilters, list[Quote]]:
    speaker_id = speaker.id if speaker is not None else None
    topic_id = topic.id if topic is not None else None
    event_id = event.id if event is not None else None
    text = search or None
    if text is not None:
        # An autocomplete pick carries a quote id: honour it exactly.
        picked = catalog.find_quote(text)
        if (
            picked is not None
            and speaker_id in (None, picked.speaker)
            and event_id in (None, catalog.pack_of(picked).id)
        ):
            return QuoteFilters(speaker_id, topic_id, None, event_id), [picked]
        named = catalog.speaker_named_by(text) if speaker_id is None else None
        if named is not None:  # "tangjie" typed as search words: his quotes (as search_quotes)
            speaker_id, text = named.id, None
    filters = QuoteFilters(speaker_id, topic_id, text, event_id)
    quotes = catalog.search_quotes(text, speaker=speaker_id, topic=topic_id, event=event_id)
    return filters, quotes


class Quotes(commands.Cog):
    """Quotes from the summit."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    @app_commands.command(name="quote", description="Show a quote from the summit")
    @app_commands.describe(
        **FILTER_OPTIONS, search="Words to look for in the quote (Chinese or English)"
    )
    async def quote(
        self,
        interaction: discord.Interaction[SummitBot],
        speaker: SpeakerOption | None = None,
        topic: TopicOption | None = None,
        search: SearchOption | None = None,
        event: EventOption | None = None,
    ) -> None:
        catalog = self.bot.catalog
        if speaker is None and topic is None and search is None and event is None:
            chosen, kept = random.choice(catalog.every_quote), NO_FILTERS
        else:
            filters, quotes = await resolve_filters(interaction, speaker, topic, search, event)
            if filters is None:
                return
            chosen, kept = random.choice(quotes), filters.kept()
        embed, view = quote_message(catalog, chosen, lang_of(interaction), kept)
        await interaction.response.send_message(
            embed=embed, view=view, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="quotes", description="Browse the summit's quotes")
    @app_commands.describe(
        **FILTER_OPTIONS, search="Words to look for in the quotes (Chinese or English)"
    )
    async def quotes(
        self,
        interaction: discord.Interaction[SummitBot],
        speaker: SpeakerOption | None = None,
        topic: TopicOption | None = None,
        search: SearchOption | None = None,
        event: EventOption | None = None,
    ) -> None:
        filters, found = await resolve_filters(interaction, speaker, topic, search, event)
        if filters is None:
            return
        catalog = self.bot.catalog
        # The page buttons search again with what they keep: list what they will find.
        kept = filters.kept()
        listed = found if kept == filters else kept.quotes(catalog)
        embed, view = pager(catalog, listed, kept, 0, interaction.user.id, lang_of(interaction))
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Quotes(bot))
