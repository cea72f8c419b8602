"""Catalog objects → Discord embeds, in the reader's language and always within Discord's limits.

Every content embed carries the source credit (title, author, publisher, link) as its last
field, which is protected when an embed has to shrink. Content text is markdown-escaped (it is
data, not formatting); text a user typed is escaped and cut with `bot.ui.text.echo` before it is
echoed.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar
from urllib import parse as urlparse

import discord

from bot.catalog import Catalog, Kind, Suggestion, TermMatch
from bot.catalog.models import Event, Lang, Pack, Quote, Source, Speaker, Term, Text
from bot.i18n import t
from bot.ui.limits import (
    AUTHOR_NAME,
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FIELDS,
    FOOTER_TEXT,
    TITLE,
    embed_problems,
    embed_size,
    fit_embed,
    fit_embeds,
    measure,
    truncate,
)
from bot.ui.text import echo, escape_markdown, escape_user_text

__all__ = [
    "Colours",
    "digest_embed",
    "embed_size",
    "escape_user_text",
    "explain_embed",
    "fit_embed",
    "fit_embeds",
    "help_embed",
    "name_pair",
    "not_found_embed",
    "not_found_text",
    "page_count",
    "quote_embed",
    "quotes_page_embed",
    "related_term",
    "source_credit",
    "speaker_embed",
    "speakers_embed",
    "summit_embed",
    "term_embed",
    "term_title",
]


class Colours:
    """One colour per kind of answer, so a glance tells them apart."""

    QUOTE = discord.Colour(0x2A9D8F)
    SPEAKER = discord.Colour(0x3A86FF)
    TERM = discord.Colour(0x8E5CD9)
    SUMMIT = discord.Colour(0xE9C46A)
    DIGEST = discord.Colour(0xF4A261)
    HELP = discord.Colour(0x5865F2)
    NOT_FOUND = discord.Colour(0x8D99AE)


#: A short definition in lists (explain, digest): enough for a sentence or two.
SHORT_DEFINITION = 300
#: Longest quote text shown next to a glossary term, per language.
SHORT_QUOTE = 400
#: Characters of a filter description ("Tang Jie · “words”") echoed in a reply.
FILTERS_ECHO = 200

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- memoised renders -----------------------------------------------------------------------

#: Renders kept per catalog, least recently used dropped first. Escaping and fitting an embed
#: is most of what an interaction costs the bot itself (0.1–0.4 ms); a copy costs 5 µs.
RENDER_CACHE_SIZE = 4096

_T = TypeVar("_T")
_renders: weakref.WeakKeyDictionary[Catalog, OrderedDict[Hashable, object]] = (
    weakref.WeakKeyDictionary()
)


def _memo(catalog: Catalog, key: Hashable, build: Callable[[], _T]) -> _T:
    """`build()` once per catalog and key (a reloaded catalog starts afresh)."""
    cache = _renders.get(catalog)
    if cache is None:
        cache = _renders[catalog] = OrderedDict()
    found = cache.get(key)
    if found is None:
        found = build()
        cache[key] = found
        if len(cache) > RENDER_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found  # type: ignore[return-value]  # each key is only ever built by one `build`


def _memo_embed(
    catalog: Catalog, key: Hashable, build: Callable[[], discord.Embed]
) -> discord.Embed:
    """A memoised embed; every caller gets its own copy to change freely."""
    return _memo(catalog, key, build).copy()


# --- text helpers -------------------------------------------------------------------------


# Escaping lives with truncation in bot/ui/text.py (`_md` for data, `echo` for user text).
_md = escape_markdown


def _other(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def name_pair(name: Text, lang: Lang) -> str:
    """A bilingual name, reader's language first: "Tang Jie (唐杰)" / "唐杰（Tang Jie）"."""
    first, second = name.get(lang), name.get(_other(lang))
    if first.casefold() == second.casefold():
        return first
    return f"{first}（{second}）" if lang == "zh" else f"{first} ({second})"


def term_title(term: Term, lang: Lang) -> str:
    """A term in both languages, reader's language first: "RLVR · 可验证奖励强化学习"."""
    first, second = term.term.get(lang), term.term.get(_other(lang))
    return first if first.casefold() == second.casefold() else f"{first} · {second}"


def _format_date(date: dt.date, lang: Lang) -> str:
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def _quote_text(quote: Quote, limit: int | None = None) -> str:
    """The original Chinese and the English translation, each as a block quote."""
    zh, en = quote.text.zh, quote.text.en
    if limit is not None:
        zh, en = truncate(zh, limit), truncate(en, limit)
    return f"{_blockquote(_md(zh))}\n\n{_blockquote(_md(en))}"


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"• {item}" for item in items]


def _chunks(lines: Sequence[str], limit: int = FIELD_VALUE) -> list[str]:
    """Group lines into blocks of at most `limit` units (a too-long line is cut)."""
    blocks: list[str] = []
    current = ""
    for raw in lines:
        line = truncate(raw, limit)
        candidate = f"{current}\n{line}" if current else line
        if measure(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


def _add_chunked(embed: discord.Embed, label: str, lines: Sequence[str], lang: Lang) -> None:
    """Add `lines` as one field, continued in more fields if they pass the value limit."""
    for index, block in enumerate(_chunks(lines)):
        name = label if index == 0 else t("labels.continued", lang, label=label)
        embed.add_field(name=name, value=block, inline=False)


def _lines_within(lines: Sequence[str], limit: int, more: str) -> str:
    """Join as many lines as fit in `limit`, then a "…and N more" line (`more` has {count})."""
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = measure(more.format(count=rest + 1)) + 1 if rest else 0
        if used + measure(line) + 1 + tail > limit:
            shown.append(more.format(count=len(lines) - index))
            break
        shown.append(line)
        used += measure(line) + 1
    return "\n".join(shown)


# --- source credit --------------------------------------------------------------------------


def _link_target(url: str) -> str:
    """`url` made safe as a masked link's target: nothing in it can end the link early.

    The loader refuses such URLs already (`bot.catalog.models.url_problem`); this is the
    second line of defence: every character Markdown could read — brackets, parentheses,
    angle brackets, backslash, backtick, whitespace, controls — is percent-encoded, so a URL
    like `…html)[Verify](https://evil…` stays one link to one address.
    """
    return "".join(urlparse.quote(ch, safe="") if _link_unsafe(ch) else ch for ch in url)


def _link_unsafe(ch: str) -> bool:
    return ch in _LINK_UNSAFE or ch.isspace() or not ch.isprintable()


_LINK_UNSAFE = frozenset('()[]<>\\`"{}|^')


def source_credit(source: Source) -> str:
    """ "[title](url) · author · publisher" (the publisher once when it is also the author)."""
    # Brackets would end the link text early; full-width ones look the same and can't.
    title = _md(truncate(source.title, 200).replace("[", "［").replace("]", "］"))
    author, publisher = truncate(source.author, 80), truncate(source.publisher, 80)
    parts = [f"[{title}]({_link_target(source.url)})", _md(author)]
    if publisher.casefold() != author.casefold():
        parts.append(_md(publisher))
    return " · ".join(parts)


def _unique_events(events: Iterable[Event]) -> list[Event]:
    seen: dict[str, Event] = {}
    for event in events:
        seen.setdefault(event.id, event)
    return list(seen.values())


def _credit(events: Sequence[Event], lang: Lang) -> str:
    """The source credit field's value for these events."""
    if len(events) > 1:
        lines = [f"{_md(e.name.get(lang))}: {source_credit(e.source)}" for e in events]
    else:
        lines = [source_credit(e.source) for e in events]
    return truncate("\n".join(lines), FIELD_VALUE)


def _surely_fits(embed: discord.Embed) -> bool:
    """True when the embed is certainly within every limit, judged without measuring: a
    character is at most two UTF-16 units. False means "measure it" (`embed_problems`)."""
    fields = embed.fields
    if len(fields) > FIELDS:
        return False
    total = 0
    for text, limit in (
        (embed.title, TITLE),
        (embed.description, DESCRIPTION),
        (embed.footer.text, FOOTER_TEXT),
        (embed.author.name, AUTHOR_NAME),
    ):
        size = 2 * len(text or "")
        if size > limit:
            return False
        total += size
    for field in fields:
        name, value = field.name or "", field.value or ""
        if not name.strip() or not value.strip():
            return False
        if 2 * len(name) > FIELD_NAME or 2 * len(value) > FIELD_VALUE:
            return False
        total += 2 * (len(name) + len(value))
    return total <= EMBED_TOTAL


def _finish(embed: discord.Embed, events: Iterable[Event], lang: Lang) -> discord.Embed:
    """Append the source credit as the last field and fit the embed, keeping the credit whole."""
    unique = _unique_events(events)
    if unique:
        embed.add_field(name=t("labels.source", lang), value=_credit_of(unique, lang), inline=False)
    if _surely_fits(embed) or not embed_problems([embed]):
        return embed  # within every limit already: fitting would change nothing
    if unique:
        return fit_embed(embed, protected_fields={len(embed.fields) - 1})
    return fit_embed(embed)


#: Source credits by the identity of the events and the language. Each entry keeps its events
#: alive, so an id cannot be reused by another object while its entry exists; a reloaded
#: catalog has new event objects, hence new entries (the table is cleared when it grows).
_credits: dict[tuple[tuple[int, ...], Lang], tuple[list[Event], str]] = {}
_CREDITS_KEPT = 64


def _credit_of(events: list[Event], lang: Lang) -> str:
    key = (tuple(id(e) for e in events), lang)
    found = _credits.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], events, strict=True)):
        return found[1]
    if len(_credits) >= _CREDITS_KEPT:
        _credits.clear()
    value = _credit(events, lang)
    _credits[key] = (list(events), value)
    return value


# --- quotes ---------------------------------------------------------------------------------


def _speaker_line(speaker: Speaker, lang: Lang) -> str:
    return f"{name_pair(speaker.name, lang)} · {speaker.role.get(lang)}"


def quote_embed(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    """One quote: original and translation, speaker with role, section, topics, context."""
    return _memo_embed(
        catalog, ("quote", quote.id, lang), lambda: _quote_embed(catalog, quote, lang)
    )


def _quote_embed(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    speaker = catalog.speaker_of(quote)  # with the role of the quote's own summit
    event = catalog.event_for(quote)
    embed = discord.Embed(colour=Colours.QUOTE, description=_quote_text(quote))
    embed.set_author(name=_speaker_line(speaker, lang))
    embed.add_field(
        name=t("labels.section", lang), value=_md(catalog.section_of(quote).title.get(lang))
    )
    if quote.topics:
        names = [catalog.topics[topic].name.get(lang) for topic in quote.topics]
        embed.add_field(name=t("labels.topics", lang), value=_md(" · ".join(names)))
    embed.add_field(
        name=t("labels.context", lang), value=_md(quote.context.get(lang)), inline=False
    )
    embed.set_footer(text=t("quote.footer", lang, event=event.name.get(lang), id=quote.id))
    return _finish(embed, [event], lang)


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` items (at least one, for the "nothing found" page)."""
    return max(1, -(-total // max(per_page, 1)))


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
    per_page = min(max(per_page, 1), 20)
    pages = page_count(len(quotes), per_page)
    page = min(max(page, 0), pages - 1)
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
        speaker = catalog.speakers[quote.speaker]
        name = t(
            "quotes.entry_name",
            lang,
            number=page * per_page + offset + 1,
            speaker=name_pair(speaker.name, lang),
        )
        id_line = f"`{quote.id}`"
        if len(catalog.packs) > 1:  # several summits: name each quote's own
            id_line += f" · {_md(catalog.event_for(quote).name.get(lang))}"
        room = max((share - measure(id_line) - 8) // 2, 40)
        value = f"{_quote_text(quote, room)}\n{id_line}"
        embed.add_field(name=name, value=truncate(value, FIELD_VALUE), inline=False)
    embed.set_footer(text=t("quotes.footer", lang, page=page + 1, pages=pages, count=len(quotes)))
    events = [catalog.event_for(quote) for quote in shown] or [p.event for p in catalog.packs]
    return _finish(embed, events, lang)


def digest_embed(catalog: Catalog, quote: Quote, lang: Lang, term: Term | None) -> discord.Embed:
    """The daily post: a quote in both languages, its speaker, topic and a related term."""
    speaker = catalog.speaker_of(quote)
    event = catalog.event_for(quote)
    embed = discord.Embed(
        title=t("digest.title", lang), colour=Colours.DIGEST, description=_quote_text(quote)
    )
    embed.set_author(name=_speaker_line(speaker, lang))
    if quote.topics:
        names = [catalog.topics[topic].name.get(lang) for topic in quote.topics]
        embed.add_field(name=t("labels.topic", lang), value=_md(" · ".join(names)))
    embed.add_field(
        name=t("labels.section", lang), value=_md(catalog.section_of(quote).title.get(lang))
    )
    embed.add_field(
        name=t("labels.context", lang), value=_md(quote.context.get(lang)), inline=False
    )
    if term is not None:
        embed.add_field(
            name=t("digest.term", lang, term=term_title(term, lang)),
            value=_md(truncate(term.definition.get(lang), SHORT_DEFINITION)),
            inline=False,
        )
    embed.set_footer(text=t("digest.footer", lang, event=event.name.get(lang), id=quote.id))
    events = [event] if term is None else [event, catalog.event_for(term)]
    return _finish(embed, events, lang)


def related_term(catalog: Catalog, quote: Quote) -> Term | None:
    """A glossary term to show beside a quote: the first one it mentions, else one sharing a
    topic with it, else None."""
    for match in catalog.scan_terms(f"{quote.text.zh}\n{quote.text.en}"):
        return match.term
    topics = set(quote.topics)
    pack = catalog.pack_of(quote)
    for term in pack.terms:
        if topics.intersection(term.topics):
            return term
    return None


# --- speakers -------------------------------------------------------------------------------


def speaker_embed(catalog: Catalog, speaker: Speaker, lang: Lang) -> discord.Embed:
    """A speaker's profile: role, attendance (when known), summary, key points, quote count."""
    event = catalog.event_for(speaker)
    embed = discord.Embed(
        title=name_pair(speaker.name, lang),
        colour=Colours.SPEAKER,
        description=_md(speaker.summary.get(lang)),
    )
    embed.add_field(name=t("labels.role", lang), value=_md(speaker.role.get(lang)), inline=False)
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
            name=t("labels.aliases", lang), value=_md(" · ".join(speaker.aliases)), inline=False
        )
    appearances = catalog.appearances(speaker.id)
    if len(appearances) > 1:
        _add_chunked(embed, t("labels.summits", lang), _summit_lines(catalog, speaker, lang), lang)
    if speaker.points:
        points = _bullets(_md(point.get(lang)) for point in speaker.points)
        _add_chunked(embed, t("labels.key_points", lang), points, lang)
    embed.set_footer(text=t("speaker.footer", lang, event=event.name.get(lang), id=speaker.id))
    return _finish(embed, [event, *(pack.event for pack, _ in appearances)], lang)


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
            event=_md(pack.event.name.get(lang)),
            date=_format_date(pack.event.date, lang),
            role=_md(there.role.get(lang)),
            count=counts.get(pack.id, 0),
        )
        for pack, there in catalog.appearances(speaker.id)
    ]


def speakers_embed(catalog: Catalog, lang: Lang) -> discord.Embed:
    """Every speaker with their role (grouped by summit when there are several)."""
    lines: list[str] = []
    several = len(catalog.packs) > 1
    for pack in catalog.packs:
        if several:
            if lines:
                lines.append("")
            lines.append(f"__{_md(pack.event.name.get(lang))}__")
        for speaker in pack.speakers:
            name = _md(name_pair(speaker.name, lang))
            lines.append(t("speakers.line", lang, name=name, role=_md(speaker.role.get(lang))))
    embed = discord.Embed(title=t("speakers.title", lang), colour=Colours.SPEAKER)
    embed.description = _lines_within(lines, DESCRIPTION - 200, t("speakers.more", lang))
    embed.set_footer(text=t("speakers.footer", lang, count=len(catalog.speakers)))
    return _finish(embed, [pack.event for pack in catalog.packs], lang)


# --- glossary -------------------------------------------------------------------------------


def _example_quote(catalog: Catalog, term: Term) -> Quote | None:
    """A short quote containing the term, preferring the people the glossary credits."""
    credited = set(term.mentioned_by)
    return catalog.best_quote_mentioning(
        term, lambda q: (q.speaker not in credited, measure(q.text.zh))
    )


def term_embed(catalog: Catalog, term: Term, lang: Lang) -> discord.Embed:
    """A glossary entry: definition, aliases, who mentioned it (with a quote), related terms."""
    return _memo_embed(catalog, ("term", term.id, lang), lambda: _term_embed(catalog, term, lang))


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
        value = f"{_quote_text(example, SHORT_QUOTE)}\n— {_md(who)}"
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
    embed.set_footer(text=t("term.footer", lang, event=event.name.get(lang), id=term.id))
    return _finish(embed, [event], lang)


def _explained(term: Term, lang: Lang, room: int) -> Callable[[], tuple[str, str]]:
    """Builds one explained term: (title, its definition cut to `room` and escaped)."""
    return lambda: (term_title(term, lang), _md(truncate(term.definition.get(lang), room)))


#: Terms listed with a definition in one explain embed (fields, leaving room for the rest).
MAX_EXPLAINED = 22


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
    for match in shown:
        name, value = _memo(
            catalog, ("explained", match.term.id, lang, room), _explained(match.term, lang, room)
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
    return _finish(embed, [catalog.event_for(m.term) for m in matches], lang)


# --- summit ---------------------------------------------------------------------------------


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
    embed.add_field(name=t("labels.date", lang), value=_format_date(event.date, lang))
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
    _add_chunked(embed, t("labels.sections", lang), sections, lang)
    speakers = [_md(name_pair(s.name, lang)) for s in pack.speakers]
    if speakers:
        _add_chunked(embed, t("labels.speakers", lang), [" · ".join(speakers)], lang)
    if others:
        lines = [summit_line(other, lang) for other in others]
        value = _lines_within([*lines, t("summit.others_hint", lang)], FIELD_VALUE, "…")
        embed.add_field(name=t("summit.others", lang), value=value, inline=False)
    embed.set_footer(text=t("summit.footer", lang, event=event.name.get(lang)))
    return _finish(embed, [event], lang)


def summit_line(pack: Pack, lang: Lang) -> str:
    """One summit in a list: name, date and id (the value of the `event` options)."""
    event = pack.event
    return t(
        "summit.other_line",
        lang,
        name=_md(event.name.get(lang)),
        date=_format_date(event.date, lang),
        id=pack.id,
    )


# --- help and misses ------------------------------------------------------------------------


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


def not_found_text(
    kind: Kind,
    query: str,
    suggestions: Sequence[Suggestion],
    lang: Lang,
    *,
    markdown: bool = True,
) -> str:
    """ "No term matches 'x'. Did you mean: a, b?" — escaped for Discord unless `markdown=False`."""
    shown = (echo(query, 80) if markdown else truncate(" ".join(query.split()), 80)) or "…"
    message = t(f"errors.unknown_{kind}", lang, query=shown)
    if suggestions:
        labels = [escape_user_text(s.label) if markdown else s.label for s in suggestions]
        message += " " + t("errors.did_you_mean", lang, suggestions=", ".join(labels))
    return message


def not_found_embed(
    kind: Kind, query: str, suggestions: Sequence[Suggestion], lang: Lang
) -> discord.Embed:
    """An ephemeral-friendly "nothing found" answer with suggestions."""
    embed = discord.Embed(
        title=t("not_found.title", lang),
        colour=Colours.NOT_FOUND,
        description=not_found_text(kind, query, suggestions, lang),
    )
    return fit_embed(embed)
