"""The daily post's embed (`/digest preview` shows the same)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote, Term
from bot.i18n import t
from bot.ui._embeds import SHORT_DEFINITION, Colours, finish
from bot.ui.limits import truncate
from bot.ui.quotes import speaker_line
from bot.ui.text import escape_markdown, quote_text, term_title

if TYPE_CHECKING:
    from bot.store import GuildSettings, UserSettings


def digest_embed(catalog: Catalog, quote: Quote, lang: Lang, term: Term | None) -> discord.Embed:
    """The daily post: a quote in both languages, its speaker, topic and a related term
    (`Catalog.related_term`)."""
    speaker = catalog.speaker_of(quote)  # with the role of the quote's own summit
    event = catalog.event_for(quote)
    embed = discord.Embed(
        title=t("digest.title", lang), colour=Colours.DIGEST, description=quote_text(quote)
    )
    embed.set_author(name=speaker_line(speaker, lang))
    if quote.topics:
        names = [catalog.topics[topic].name.get(lang) for topic in quote.topics]
        embed.add_field(name=t("labels.topic", lang), value=escape_markdown(" · ".join(names)))
    embed.add_field(
        name=t("labels.section", lang),
        value=escape_markdown(catalog.section_of(quote).title.get(lang)),
    )
    embed.add_field(
        name=t("labels.context", lang), value=escape_markdown(quote.context.get(lang)), inline=False
    )
    if term is not None:
        embed.add_field(
            name=t("digest.term", lang, term=term_title(term, lang)),
            value=escape_markdown(truncate(term.definition.get(lang), SHORT_DEFINITION)),
            inline=False,
        )
    embed.set_footer(text=t("digest.footer", lang, event=event.name.get(lang), id=quote.id))
    events = [event] if term is None else [event, catalog.event_for(term)]
    return finish(catalog, embed, events, lang)


def event_line(catalog: Catalog, settings: GuildSettings | UserSettings, lang: Lang) -> str:
    """Which summits the daily post draws from: one (by name), every one, or a summit a
    content reload removed (then there is nothing to post until it returns or is changed)."""
    if settings.event_id is None:
        return t("digest.event_all", lang, count=len(catalog.packs))
    pack = catalog.pack(settings.event_id)
    if pack is None:
        return t("digest.event_missing", lang, id=settings.event_id)
    return t("digest.event_one", lang, event=pack.event.name.get(lang))
