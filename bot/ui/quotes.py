"""Quote embeds: one quote (`/quote`) and a page of the `/quotes` browser."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote, Speaker
from bot.i18n import t
from bot.ui._embeds import Colours, finish, memo_embed
from bot.ui.limits import DESCRIPTION, FIELD_VALUE, measure, truncate
from bot.ui.text import echo, escape_markdown, name_pair, quote_text

#: Characters of a filter description ("Tang Jie · “words”") echoed in a reply.
FILTERS_ECHO = 200
#: Most quotes on one page of the browser.
MAX_PER_PAGE = 20


def speaker_line(speaker: Speaker, lang: Lang) -> str:
    """ "Tang Jie (唐杰) · role": a quote's author line."""
    return f"{name_pair(speaker.name, lang)} · {speaker.role.get(lang)}"


def quote_embed(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    """One quote: original and translation, speaker with role, section, topics, context."""
    return memo_embed(
        catalog, ("quote", quote.id, lang), lambda: _quote_embed(catalog, quote, lang)
    )


def _quote_embed(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    speaker = catalog.speaker_of(quote)  # with the role of the quote's own summit
    event = catalog.event_for(quote)
    embed = discord.Embed(colour=Colours.QUOTE, description=quote_text(quote))
    embed.set_author(name=speaker_line(speaker, lang))
    embed.add_field(
        name=t("labels.section", lang),
        value=escape_markdown(catalog.section_of(quote).title.get(lang)),
    )
    if quote.topics:
        names = [catalog.topics[topic].name.get(lang) for topic in quote.topics]
        embed.add_field(name=t("labels.topics", lang), value=escape_markdown(" · ".join(names)))
    embed.add_field(
        name=t("labels.context", lang), value=escape_markdown(quote.context.get(lang)), inline=False
    )
    embed.set_footer(text=t("quote.footer", lang, event=event.name.get(lang), id=quote.id))
    return finish(catalog, embed, [event], lang)


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` items (at least one, for the "nothing found" page)."""
    return max(1, -(-total // max(per_page, 1)))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """`page` (zero-based) within the pages `total` items make."""
    return min(max(page, 0), page_count(total, per_page) - 1)


def quotes_page_embed(
    catalog: Catalog,
    quotes: Sequence[Quote],
    page: int,
    per_page: int,
    lang: Lang,
    filters_description: str,
) -> discord.Embed:
    """One page of the /quotes browser. `page` is zero-based and clamped to the last page.

    `filters_description` is plain text (it may contain what the user typed); it is escaped.
    """
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    pages = page_count(len(quotes), per_page)
    page = clamp_page(page, len(quotes), per_page)
    shown = quotes[page * per_page : (page + 1) * per_page]

    filters = filters_description.strip()
    header = (
        t("quotes.filtered_by", lang, filters=echo(filters, FILTERS_ECHO))
        if filters
        else t("quotes.all", lang)
    )
    if not quotes:
        header += "\n\n" + t("quotes.empty", lang)
    embed = discord.Embed(title=t("quotes.title", lang), colour=Colours.QUOTE)
    embed.description = truncate(header, DESCRIPTION)
    # Each entry gets an equal share of what's left of the 6,000 total.
    share = min(FIELD_VALUE, 4800 // max(len(shown), 1))
    for offset, quote in enumerate(shown):
        speaker = catalog.speaker_of(quote)  # with the role of the quote's own summit
        name = t(
            "quotes.entry_name",
            lang,
            number=page * per_page + offset + 1,
            speaker=name_pair(speaker.name, lang),
        )
        id_line = f"`{quote.id}`"
        if len(catalog.packs) > 1:  # several summits: name each quote's own
            id_line += f" · {escape_markdown(catalog.event_for(quote).name.get(lang))}"
        room = max((share - measure(id_line) - 8) // 2, 40)
        value = f"{quote_text(quote, room)}\n{id_line}"
        embed.add_field(name=name, value=truncate(value, FIELD_VALUE), inline=False)
    embed.set_footer(text=t("quotes.footer", lang, page=page + 1, pages=pages, count=len(quotes)))
    events = [catalog.event_for(quote) for quote in shown] or [p.event for p in catalog.packs]
    return finish(catalog, embed, events, lang)
