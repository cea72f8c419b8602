"""Text: what users type, and content written as Discord markdown.

Text users type: bounded before anything reads it, escaped and cut whenever it is echoed.

Discord lets a user type 6,000 characters into any string option, and NFKC can make a
character eighteen (U+FDFA), so unbounded input costs the catalog tens of milliseconds a
keystroke. `bound_options` cuts every string option of an interaction, commands and
autocomplete alike, to what the catalog can use; the tree calls it first, once, for every
interaction.

`echo` is the one way user text goes back into a reply: markdown and mentions escaped, then
cut cleanly (never between a backslash and what it escapes) so no echo can push a message
past Discord's limits.

Content is data, not formatting: `escape_markdown` it, and build the shared pieces of the
embeds here (bilingual names, block-quoted quote text, the source credit, "nothing found").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib import parse as urlparse

import discord

from bot.catalog import Kind, Suggestion
from bot.catalog.models import Lang, Quote, Source, Term, Text
from bot.i18n import t
from bot.ui.limits import FIELD_VALUE, measure, truncate

#: Characters kept of a typed name, term, topic, quote id, time or zone. Every name and alias
#: in a pack is shorter (autocomplete values are ≤ 100 characters too).
NAME_INPUT = 100
#: Characters kept of typed search words. A longer search still finds the quote it was cut
#: from (the head of a quote is a substring of it), and few quotes are longer.
SEARCH_INPUT = 300
#: Option names whose values are search words rather than names.
_SEARCH_OPTIONS = frozenset({"search"})

#: Characters of user text echoed in a reply by default (after escaping).
ECHO = 100

_BARE_BRACKET = re.compile(r"(?<!\\)\[")


def input_limit(option: str) -> int:
    """How many characters of the option `option` the bot reads."""
    return SEARCH_INPUT if option in _SEARCH_OPTIONS else NAME_INPUT


def bound_options(data: Mapping[str, Any] | None) -> None:
    """Cut every string option value in an interaction's `data` in place (subcommands too),
    before discord.py builds the options, autocomplete's `current` included."""
    if data is None:
        return
    options = data.get("options")
    if not isinstance(options, list):
        return
    for option in options:
        if not isinstance(option, dict):
            continue
        value = option.get("value")
        if isinstance(value, str):
            limit = input_limit(str(option.get("name", "")))
            if len(value) > limit:
                option["value"] = value[:limit]
        bound_options(option)


def escape_markdown(text: str) -> str:
    """Text shown as-is: escape markdown so data is never read as formatting.

    `discord.utils.escape_markdown` escapes only the first of several masked links in a
    string; escaping every opening bracket makes sure none of them turns into a link.
    """
    return _BARE_BRACKET.sub(r"\\[", discord.utils.escape_markdown(text))


def escape_user_text(text: str) -> str:
    """Text a user typed, safe to show: no markdown or links, no @everyone/@here/user/role
    mentions. Use `echo` to put it in a reply: it also bounds the length."""
    return discord.utils.escape_mentions(escape_markdown(text))


def echo(text: str, limit: int = ECHO) -> str:
    """User text to show back in a reply: whitespace runs as one space, escaped, then cut to
    at most `limit` characters with "…" (never inside an escape)."""
    return truncate(escape_user_text(" ".join(text.split())), limit)


# --- content as Discord markdown ------------------------------------------------------------

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


def other_lang(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def name_pair(name: Text, lang: Lang) -> str:
    """A bilingual name, reader's language first: "Tang Jie (唐杰)" / "唐杰（Tang Jie）"."""
    first, second = name.get(lang), name.get(other_lang(lang))
    if first.casefold() == second.casefold():
        return first
    return f"{first}（{second}）" if lang == "zh" else f"{first} ({second})"


def term_title(term: Term, lang: Lang) -> str:
    """A term in both languages, reader's language first: "RLVR · 可验证奖励强化学习"."""
    first, second = term.term.get(lang), term.term.get(other_lang(lang))
    return first if first.casefold() == second.casefold() else f"{first} · {second}"


def format_date(date: dt.date, lang: Lang) -> str:
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def quote_text(quote: Quote, limit: int | None = None) -> str:
    """The original Chinese and the English translation, each as a block quote."""
    zh, en = quote.text.zh, quote.text.en
    if limit is not None:
        zh, en = truncate(zh, limit), truncate(en, limit)
    return f"{blockquote(escape_markdown(zh))}\n\n{blockquote(escape_markdown(en))}"


def bullets(items: Iterable[str]) -> list[str]:
    return [f"• {item}" for item in items]


def chunks(lines: Sequence[str], limit: int = FIELD_VALUE) -> list[str]:
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


def lines_within(lines: Sequence[str], limit: int, more: str) -> str:
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
    title = escape_markdown(truncate(source.title, 200).replace("[", "［").replace("]", "］"))
    author, publisher = truncate(source.author, 80), truncate(source.publisher, 80)
    parts = [f"[{title}]({_link_target(source.url)})", escape_markdown(author)]
    if publisher.casefold() != author.casefold():
        parts.append(escape_markdown(publisher))
    return " · ".join(parts)


# --- "nothing found" ------------------------------------------------------------------------


def not_found_text(
    kind: Kind,
    query: str,
    suggestions: Sequence[Suggestion],
    lang: Lang,
    *,
    markdown: bool = True,
) -> str:
    """ "No term matches 'x'." then "Did you mean: `a`, `b`?" on its own line, escaped for
    Discord; with `markdown=False`, plain text on one line (a terminal)."""
    shown = (echo(query, 80) if markdown else truncate(" ".join(query.split()), 80)) or "…"
    message = t(f"errors.unknown_{kind}", lang, query=shown)
    if suggestions:
        if markdown:
            listed = ", ".join(f"`{escape_user_text(s.label)}`" for s in suggestions)
        else:
            listed = ", ".join(s.label for s in suggestions)
        separator = "\n" if markdown else " "
        message += separator + t("errors.did_you_mean", lang, suggestions=listed)
    return message
