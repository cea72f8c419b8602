"""The event overview embed (`/summit`)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Pack
from bot.i18n import t
from bot.ui._embeds import Colours, add_chunked, finish
from bot.ui.limits import FIELD_VALUE
from bot.ui.text import escape_markdown, format_date, lines_within, name_pair

_md = escape_markdown


def summit_embed(
    catalog: Catalog, pack: Pack, lang: Lang, others: Sequence[Pack] = ()
) -> discord.Embed:
    """The event at a glance: date, host, summary, sections, speakers, counts, source; with
    `others`, a list of the other summits (what `/summit` without an option shows)."""
    event = pack.event
    embed = discord.Embed(
        title=event.name.get(lang),
        url=event.source.url,
        colour=Colours.SUMMIT,
        description=_md(event.summary.get(lang)),
    )
    embed.add_field(name=t("labels.date", lang), value=format_date(event.date, lang))
    embed.add_field(name=t("labels.host", lang), value=_md(event.host.get(lang)))
    counts = t(
        "summit.counts",
        lang,
        speakers=len(pack.speakers),
        quotes=len(pack.quotes),
        terms=len(pack.terms),
        topics=len(pack.topics),
    )
    embed.add_field(name=t("labels.contents", lang), value=counts, inline=False)
    sections = [
        f"**{_md(s.title.get(lang))}** — {_md(s.summary.get(lang))}" for s in event.sections
    ]
    add_chunked(embed, t("labels.sections", lang), sections, lang)
    speakers = [_md(name_pair(s.name, lang)) for s in pack.speakers]
    if speakers:
        add_chunked(embed, t("labels.speakers", lang), [" · ".join(speakers)], lang)
    if others:
        lines = [summit_line(other, lang) for other in others]
        value = lines_within([*lines, t("summit.others_hint", lang)], FIELD_VALUE, "…")
        embed.add_field(name=t("summit.others", lang), value=value, inline=False)
    embed.set_footer(text=t("summit.footer", lang, event=event.name.get(lang)))
    return finish(catalog, embed, [event], lang)


def summit_line(pack: Pack, lang: Lang) -> str:
    """One summit in a list: name, date and id (the value of the `event` options)."""
    event = pack.event
    return t(
        "summit.other_line",
        lang,
        name=_md(event.name.get(lang)),
        date=format_date(event.date, lang),
        id=pack.id,
    )
