"""Glossary embeds: one term (`/glossary`) and the terms found in a message ("Explain terms")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.catalog import Catalog, TermMatch
from bot.catalog.models import Lang, Quote, Term, bare_id
from bot.i18n import t
from bot.ui._embeds import SHORT_DEFINITION, Colours, finish, memo_embed, renders
from bot.ui.limits import FIELD_VALUE, fit_embed, measure, truncate
from bot.ui.text import escape_markdown, name_pair, quote_text, term_title

#: Longest quote text shown next to a glossary term, per language.
SHORT_QUOTE = 400
#: Terms listed with a definition in one explain embed (fields, leaving room for the rest).
MAX_EXPLAINED = 22

_md = escape_markdown


def _example_quote(catalog: Catalog, term: Term) -> Quote | None:
    """A short quote containing the term, preferring the people the glossary credits."""
    credited = set(term.mentioned_by)
    return catalog.best_quote_mentioning(
        term, lambda q: (q.speaker not in credited, measure(q.text.zh))
    )


def term_embed(catalog: Catalog, term: Term, lang: Lang) -> discord.Embed:
    """A glossary entry: definition, aliases, who mentioned it (with a quote), related terms."""
    return memo_embed(catalog, ("term", term.id, lang), lambda: _term_embed(catalog, term, lang))


def _term_embed(catalog: Catalog, term: Term, lang: Lang) -> discord.Embed:
    event = catalog.event_for(term)
    embed = discord.Embed(
        title=term_title(term, lang),
        colour=Colours.TERM,
        description=_md(term.definition.get(lang)),
    )
    if term.aliases:
        embed.add_field(
            name=t("labels.aliases", lang), value=_md(" · ".join(term.aliases)), inline=False
        )
    speakers = [catalog.speakers[s] for s in term.mentioned_by if s in catalog.speakers]
    if speakers:
        names = " · ".join(_md(name_pair(s.name, lang)) for s in speakers)
        embed.add_field(name=t("labels.mentioned_by", lang), value=names, inline=False)
    example = _example_quote(catalog, term)
    if example is not None:
        who = name_pair(catalog.speakers[example.speaker].name, lang)
        value = f"{quote_text(example, SHORT_QUOTE)}\n— {_md(who)}"
        embed.add_field(name=t("labels.example_quote", lang), value=value, inline=False)
    related = [catalog.terms[r] for r in term.related if r in catalog.terms]
    if related:
        # Each related term as one pair, RLVR (可验证奖励强化学习): a flat "A · B · C · D"
        # list left which names belonged together to guesswork.
        names = " · ".join(_md(name_pair(r.term, lang)) for r in related)
        embed.add_field(name=t("labels.related", lang), value=names, inline=False)
    if term.topics:
        topics = [catalog.topics[p].name.get(lang) for p in term.topics if p in catalog.topics]
        if topics:
            embed.add_field(name=t("labels.topics", lang), value=_md(" · ".join(topics)))
    elsewhere = catalog.terms_elsewhere(term)
    if elsewhere:
        # Ids are per summit: another summit may define the term in its own words.
        lines = [
            f"{_md(term_title(other, lang))} — {_md(catalog.event_for(other).name.get(lang))} "
            f"(`{catalog.pack_of(other).id}/{bare_id(other.id)}`)"
            for other in elsewhere
        ]
        embed.add_field(
            name=t("labels.elsewhere", lang),
            value=truncate("\n".join(lines), FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=t("term.footer", lang, event=event.name.get(lang), id=term.id))
    return finish(catalog, embed, [event], lang)


def _explained(term: Term, lang: Lang, room: int) -> Callable[[], tuple[str, str]]:
    """Builds one explained term: (title, its definition cut to `room` and escaped)."""
    return lambda: (term_title(term, lang), _md(truncate(term.definition.get(lang), room)))


def explain_embed(catalog: Catalog, matches: Sequence[TermMatch], lang: Lang) -> discord.Embed:
    """Every glossary term found in a message, each with a short definition."""
    embed = discord.Embed(title=t("explain.title", lang), colour=Colours.TERM)
    if not matches:
        embed.colour = Colours.NOT_FOUND
        embed.description = t("explain.none_found", lang)
        return fit_embed(embed)
    shown = matches[:MAX_EXPLAINED]
    # Share the room so that every shown term keeps a readable definition.
    room = min(SHORT_DEFINITION, max(80, 4400 // len(shown)))
    cache = renders(catalog)
    for match in shown:
        name, value = cache.get(
            ("explained", match.term.id, lang, room), _explained(match.term, lang, room)
        )
        embed.add_field(name=name, value=value, inline=False)
    rest = matches[MAX_EXPLAINED:]
    if rest:
        names = " · ".join(_md(m.term.term.get(lang)) for m in rest)
        embed.add_field(
            name="\u200b",
            value=truncate(t("explain.more", lang, count=len(rest), terms=names), FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=t("explain.footer", lang, count=len(matches)))
    return finish(catalog, embed, [catalog.event_for(m.term) for m in matches], lang)
