"""`/quote` (one quote, public, with buttons) and `/quotes` (a private, paged browser)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog.models import Lang, Quote, Speaker, Topic
from bot.exts._shared import (
    NO_MENTIONS,
    OwnedView,
    lang_of,
    refuse,
    reply_private,
)
from bot.exts.options import SearchOption, SpeakerOption, TopicOption
from bot.i18n import t
from bot.render import FILTERS_ECHO, quote_embed, quotes_page_embed, speaker_embed
from bot.ui.text import echo

if TYPE_CHECKING:
    from bot.app import SummitBot

#: Quotes per page in the `/quotes` browser (keeps each page well inside embed limits).
PER_PAGE = 5

#: Removed quote ids a pager lists by name after a content reload (the rest are counted).
REMOVED_LISTED = 5

#: Option descriptions `/quote` and `/quotes` share.
FILTER_OPTIONS = {
    "speaker": "Only quotes by this speaker",
    "topic": "Only quotes on this topic",
}


@dataclass(frozen=True)
class QuoteFilters:
    """Resolved filters of a quote request; `None` means "any"."""

    speaker: str | None = None
    topic: str | None = None
    search: str | None = None

    def describe(self, bot: SummitBot, lang: Lang) -> str:
        parts: list[str] = []
        if self.speaker is not None:
            parts.append(bot.catalog.speakers[self.speaker].name.get(lang))
        if self.topic is not None:
            parts.append(bot.catalog.topics[self.topic].name.get(lang))
        if self.search:
            parts.append(f"“{self.search}”")
        return " · ".join(parts)


async def resolve_filters(
    interaction: discord.Interaction[SummitBot],
    speaker: Speaker | None,
    topic: Topic | None,
    search: str | None,
) -> tuple[QuoteFilters | None, list[Quote]]:
    """The filters and the quotes they match; when none match, answer privately.

    The options' transformers have already resolved the speaker and topic (a miss never gets
    here). Returns `(None, [])` when a reply was already sent.
    """
    bot = interaction.client
    catalog = bot.catalog
    lang = lang_of(interaction)
    speaker_id = speaker.id if speaker is not None else None
    topic_id = topic.id if topic is not None else None
    text = search or None
    if text is not None:
        # An autocomplete pick carries a quote id: honour it exactly.
        picked = catalog.find_quote(text)
        if picked is not None and (speaker_id in (None, picked.speaker)):
            return QuoteFilters(speaker_id, topic_id, None), [picked]
        named = catalog.speaker_named_by(text) if speaker_id is None else None
        if named is not None:  # "tangjie" typed as search words: his quotes (as search_quotes)
            speaker_id, text = named.id, None
    filters = QuoteFilters(speaker_id, topic_id, text)
    quotes = catalog.search_quotes(text, speaker=speaker_id, topic=topic_id)
    if not quotes:
        await refuse(
            interaction,
            t("quotes.none_found", lang, filters=echo(filters.describe(bot, lang), FILTERS_ECHO)),
        )
        return None, []
    return filters, quotes


class QuoteView(OwnedView):
    """Buttons under a `/quote`: another (same filters), the speaker's profile, the source."""

    def __init__(
        self, origin: discord.Interaction[SummitBot], filters: QuoteFilters, quote: Quote
    ) -> None:
        super().__init__(origin)
        self.filters = filters
        self.quote = quote
        bot = origin.client
        self.another.label = t("buttons.another", self.lang)
        self.profile.label = t("buttons.speaker_profile", self.lang)
        source = bot.catalog.event_for(quote).source
        self.add_item(
            discord.ui.Button(
                label=t("buttons.source", self.lang), url=source.url, style=discord.ButtonStyle.link
            )
        )

    # The message is public: anyone may open the profile; "another" for others is private.
    owner_only = False

    def _pick(self, bot: SummitBot) -> Quote | None:
        quotes = bot.catalog.search_quotes(
            self.filters.search, speaker=self.filters.speaker, topic=self.filters.topic
        )
        others = [q for q in quotes if q.id != self.quote.id]
        if others:
            return random.choice(others)
        return quotes[0] if quotes else None

    @discord.ui.button(style=discord.ButtonStyle.primary)
    async def another(
        self, interaction: discord.Interaction[SummitBot], button: discord.ui.Button[QuoteView]
    ) -> None:
        bot = interaction.client
        quote = self._pick(bot)
        if quote is None:
            await reply_private(interaction, t("quotes.none_left", lang_of(interaction)))
            return
        if interaction.user.id != self.owner_id:
            # Someone else's message: give them their own quote, privately.
            await interaction.response.send_message(
                embed=quote_embed(bot.catalog, quote, lang_of(interaction)),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        self.quote = quote
        await interaction.response.edit_message(
            embed=quote_embed(bot.catalog, quote, self.lang), view=self
        )

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def profile(
        self, interaction: discord.Interaction[SummitBot], button: discord.ui.Button[QuoteView]
    ) -> None:
        bot = interaction.client
        speaker = bot.catalog.speakers.get(self.quote.speaker)
        if speaker is None:  # a content reload removed them since this message was sent
            await reply_private(interaction, t("speaker.removed", lang_of(interaction)))
            return
        await interaction.response.send_message(
            embed=speaker_embed(bot.catalog, speaker, lang_of(interaction)),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


class QuotePager(OwnedView):
    """A private, paged list of quotes that only its invoker can turn.

    It keeps quote ids, not quotes: a content reload may remove or edit some while the pager
    is open, so every page is resolved against the catalog serving at that moment.
    """

    def __init__(
        self,
        origin: discord.Interaction[SummitBot],
        quotes: list[Quote],
        filters_text: str,
        *,
        per_page: int = PER_PAGE,
    ) -> None:
        super().__init__(origin)
        self.quote_ids = tuple(quote.id for quote in quotes)
        self.quotes = quotes
        self.removed: tuple[str, ...] = ()
        self.filters_text = filters_text
        self.per_page = per_page
        self.page = 0
        self.previous.label = t("buttons.previous", self.lang)
        self.next.label = t("buttons.next", self.lang)
        self._sync_buttons()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.quotes) // self.per_page))

    def refresh(self) -> None:
        """Re-resolve the ids against the current catalog; note the ones it no longer has."""
        current = self.origin.client.catalog.quotes
        self.quotes = [current[qid] for qid in self.quote_ids if qid in current]
        self.removed = tuple(qid for qid in self.quote_ids if qid not in current)

    def removed_notice(self) -> str | None:
        """What disappeared since the list was opened (None when nothing did)."""
        if not self.removed:
            return None
        shown = ", ".join(f"`{qid}`" for qid in self.removed[:REMOVED_LISTED])
        if len(self.removed) > REMOVED_LISTED:
            shown += ", …"
        return t("quotes.removed", self.lang, count=len(self.removed), ids=shown)

    def embed(self) -> discord.Embed:
        return quotes_page_embed(
            self.origin.client.catalog,
            self.quotes,
            self.page,
            self.per_page,
            self.lang,
            self.filters_text,
        )

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def _turn(self, interaction: discord.Interaction[SummitBot], step: int) -> None:
        self.refresh()
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(
            content=self.removed_notice(), embed=self.embed(), view=self
        )

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[SummitBot], button: discord.ui.Button[QuotePager]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[SummitBot], button: discord.ui.Button[QuotePager]
    ) -> None:
        await self._turn(interaction, +1)


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
    ) -> None:
        filters, quotes = await resolve_filters(interaction, speaker, topic, search)
        if filters is None:
            return
        chosen = random.choice(quotes)
        view = QuoteView(interaction, filters, chosen)
        await interaction.response.send_message(
            embed=quote_embed(self.bot.catalog, chosen, lang_of(interaction)),
            view=view,
            allowed_mentions=NO_MENTIONS,
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
    ) -> None:
        filters, found = await resolve_filters(interaction, speaker, topic, search)
        if filters is None:
            return
        lang = lang_of(interaction)
        pager = QuotePager(interaction, found, filters.describe(self.bot, lang))
        await interaction.response.send_message(
            embed=pager.embed(), view=pager, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Quotes(bot))
