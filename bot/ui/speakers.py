"""Speaker embeds: one profile (`/speaker`) and everyone with their role (`/speakers`)."""

from __future__ import annotations

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Speaker
from bot.i18n import t
from bot.ui._embeds import Colours, add_chunked, finish
from bot.ui.limits import DESCRIPTION
from bot.ui.text import bullets, escape_markdown, format_date, lines_within, name_pair


def speaker_embed(catalog: Catalog, speaker: Speaker, lang: Lang) -> discord.Embed:
    """A speaker's profile: role, attendance (when known), summary, key points, quote count."""
    event = catalog.event_for(speaker)
    embed = discord.Embed(
        title=name_pair(speaker.name, lang),
        colour=Colours.SPEAKER,
        description=escape_markdown(speaker.summary.get(lang)),
    )
    embed.add_field(
        name=t("labels.role", lang), value=escape_markdown(speaker.role.get(lang)), inline=False
    )
    if speaker.attendance is not None:
        embed.add_field(
            name=t("labels.attendance", lang), value=t(f"attendance.{speaker.attendance}", lang)
        )
    count = len(catalog.quotes_by(speaker.id))
    embed.add_field(
        name=t("labels.quotes", lang),
        value=t("speaker.quote_count", lang, count=count)
        if count
        else t("speaker.no_quotes", lang),
    )
    if speaker.aliases:
        embed.add_field(
            name=t("labels.aliases", lang),
            value=escape_markdown(" · ".join(speaker.aliases)),
            inline=False,
        )
    appearances = catalog.appearances(speaker.id)
    if len(appearances) > 1:
        add_chunked(embed, t("labels.summits", lang), _summit_lines(catalog, speaker, lang), lang)
    if speaker.points:
        points = bullets(escape_markdown(point.get(lang)) for point in speaker.points)
        add_chunked(embed, t("labels.key_points", lang), points, lang)
    embed.set_footer(text=t("speaker.footer", lang, event=event.name.get(lang), id=speaker.id))
    return finish(catalog, embed, [event, *(pack.event for pack, _ in appearances)], lang)


def _summit_lines(catalog: Catalog, speaker: Speaker, lang: Lang) -> list[str]:
    """Each summit a person spoke at, newest first: name, date, role there, quote count."""
    counts: dict[str, int] = {}
    for quote in catalog.quotes_by(speaker.id):
        pack_id = catalog.pack_of(quote).id
        counts[pack_id] = counts.get(pack_id, 0) + 1
    return [
        t(
            "speaker.summit_line",
            lang,
            event=escape_markdown(pack.event.name.get(lang)),
            date=format_date(pack.event.date, lang),
            role=escape_markdown(there.role.get(lang)),
            count=counts.get(pack.id, 0),
        )
        for pack, there in catalog.appearances(speaker.id)
    ]


def speakers_embed(catalog: Catalog, lang: Lang) -> discord.Embed:
    """Every speaker with their role (grouped by summit when there are several)."""
    lines: list[str] = []
    several = len(catalog.packs) > 1
    for pack in catalog.newest_first:  # the newest summit first, as /summit
        if several:
            if lines:
                lines.append("")
            lines.append(f"__{escape_markdown(pack.event.name.get(lang))}__")
        for speaker in pack.speakers:
            name = escape_markdown(name_pair(speaker.name, lang))
            role = escape_markdown(speaker.role.get(lang))
            lines.append(t("speakers.line", lang, name=name, role=role))
    embed = discord.Embed(title=t("speakers.title", lang), colour=Colours.SPEAKER)
    embed.description = lines_within(lines, DESCRIPTION - 200, t("speakers.more", lang))
    embed.set_footer(text=t("speakers.footer", lang, count=len(catalog.speakers)))
    return finish(catalog, embed, [pack.event for pack in catalog.packs], lang)
