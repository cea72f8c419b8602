"""Discord's embed limits, and fitting text and embeds inside them.

Lengths are measured in UTF-16 code units. That is never less than the number of code points,
so text that fits by this measure fits whichever way Discord counts.

Text is shortened at the best clean boundary near the limit (a sentence end, else a word or
CJK character boundary, else a grapheme boundary, never inside a combining sequence, an emoji
ZWJ sequence or a flag) and marked with "…".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import discord

__all__ = [
    "AUTHOR_NAME",
    "DESCRIPTION",
    "ELLIPSIS",
    "EMBEDS_PER_MESSAGE",
    "EMBED_TOTAL",
    "FIELDS",
    "FIELD_NAME",
    "FIELD_VALUE",
    "FOOTER_TEXT",
    "MESSAGE_CONTENT",
    "TITLE",
    "embed_problems",
    "embed_size",
    "fit_embed",
    "fit_embeds",
    "measure",
    "truncate",
]

TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_CONTENT = 2000

ELLIPSIS = "…"
#: Stands in for an empty field name or value, which Discord refuses.
BLANK = "\u200b"

_ZWJ = "\u200d"
_SENTENCE_END = frozenset("。！？!?.…；;\n")
_CLOSERS = frozenset("”’」』）)]】》\"'")
#: A markdown link not escaped by a backslash: `[text](https://...`.
_MASKED_LINK = re.compile(r"(?<!\\)\[(?:\\.|[^\]\\])*\]\(<?https?://")
_TRAILING_JUNK = " \t\r\n,，、:：;；-–—(（[【「『“‘《"


def measure(text: str) -> int:
    """Length in UTF-16 code units (astral characters such as most emoji count twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _extends(ch: str) -> bool:
    """Whether `ch` continues the grapheme before it."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == _ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
        or 0x1160 <= cp <= 0x11FF  # conjoining Hangul vowels and finals
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _grapheme_boundary(text: str, i: int) -> bool:
    """Whether a cut between text[i-1] and text[i] keeps every grapheme whole."""
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    if _extends(after) or before == _ZWJ or (before == "\r" and after == "\n"):
        return False
    if _regional(before) and _regional(after):
        run = 0
        j = i - 1
        while j >= 0 and _regional(text[j]):
            run += 1
            j -= 1
        return run % 2 == 0
    return True


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _word_boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    return before.isspace() or after.isspace() or _wide(before) or _wide(after)


def _sentence_boundary(text: str, i: int) -> bool:
    """A cut at i ends a sentence: after sentence punctuation (and closing quotes)."""
    j = i
    while j > 0 and text[j - 1] in _CLOSERS:
        j -= 1
    if j <= 0 or text[j - 1] not in _SENTENCE_END:
        return False
    if text[j - 1] in ".!?;" and i < len(text):
        # Latin punctuation ends a sentence only before a space ("3.5" and "e.g" don't).
        return text[i].isspace()
    return True


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """`text` if it fits in `limit` units, else its cleanly cut head plus `ellipsis`."""
    if measure(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget = limit - measure(ellipsis)
    if budget <= 0:
        return ellipsis[:limit]

    end = 0
    used = 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > budget:
            break
        end += 1
    while end > 0 and not _grapheme_boundary(text, end):
        end -= 1

    # Prefer a sentence end, then a word boundary, if it keeps most of the room.
    floor = (end * 7) // 10
    cut = end
    for boundary in (_sentence_boundary, _word_boundary):
        found = next((i for i in range(end, floor, -1) if boundary(text, i)), None)
        if found is not None and _grapheme_boundary(text, found):
            cut = found
            break

    head = text[:cut].rstrip(_TRAILING_JUNK)
    if not head.strip():
        head = text[:end].rstrip()
    # A trailing lone backslash would escape the ellipsis in markdown.
    while head.endswith("\\") and (len(head) - len(head.rstrip("\\"))) % 2 == 1:
        head = head[:-1]
    return head + ellipsis


def embed_size(embed: discord.Embed) -> int:
    """The characters Discord counts toward an embed's 6,000 total (in UTF-16 units)."""
    total = measure(embed.title or "") + measure(embed.description or "")
    total += sum(measure(f.name or "") + measure(f.value or "") for f in embed.fields)
    total += measure(embed.footer.text or "") + measure(embed.author.name or "")
    return total


@dataclass
class _Part:
    """One piece of text in an embed, its per-part limit and when it may shrink (tier)."""

    text: str
    limit: int
    tier: int


#: Shrink order: description and field values; headings and footer; fields holding a link;
#: explicitly protected fields.
_FLEXIBLE, _HEADINGS, _LINKED, _PROTECTED = 0, 1, 2, 3


def fit_embed(
    embed: discord.Embed,
    budget: int = EMBED_TOTAL,
    *,
    protected_fields: Collection[int] = (),
) -> discord.Embed:
    """Make `embed` satisfy every per-part limit and total at most `budget`; returns it.

    Over budget, the description and field values shrink first, longest first (so short
    parts stay whole); then the title, author, footer and field names; `protected_fields`
    (e.g. the source credit) shrink only when nothing else can. Fields whose value holds a
    markdown link shrink just before those, since a cut link is a broken one.
    """
    budget = min(budget, EMBED_TOTAL)
    linked = {i for i, field in enumerate(embed.fields) if _MASKED_LINK.search(field.value or "")}
    if len(embed.fields) > FIELDS:
        for index in range(len(embed.fields) - 1, FIELDS - 1, -1):
            embed.remove_field(index)

    def field_tier(index: int, normal: int) -> int:
        if index in protected_fields:
            return _PROTECTED
        return _LINKED if index in linked else normal

    title = _Part(embed.title or "", TITLE, _HEADINGS)
    description = _Part(embed.description or "", DESCRIPTION, _FLEXIBLE)
    author = _Part(embed.author.name or "", AUTHOR_NAME, _HEADINGS)
    footer = _Part(embed.footer.text or "", FOOTER_TEXT, _HEADINGS)
    names = [
        _Part(f.name or "", FIELD_NAME, field_tier(i, _HEADINGS))
        for i, f in enumerate(embed.fields)
    ]
    values = [
        _Part(f.value or "", FIELD_VALUE, field_tier(i, _FLEXIBLE))
        for i, f in enumerate(embed.fields)
    ]
    parts = [title, description, author, footer, *names, *values]
    for part in parts:
        part.text = truncate(part.text, part.limit)
    for part in (*names, *values):
        if not part.text.strip():
            part.text = BLANK

    if sum(measure(p.text) for p in parts) > budget:
        for tier in (_FLEXIBLE, _HEADINGS, _LINKED, _PROTECTED):
            shrinkable = [p for p in parts if p.tier <= tier and p.text]
            fixed = sum(measure(p.text) for p in parts if p.tier > tier)
            # Every shrinkable part keeps at least one character and the ellipsis.
            if shrinkable and budget - fixed >= 2 * len(shrinkable):
                _water_fill(shrinkable, budget - fixed)
                break
        else:
            _water_fill([p for p in parts if p.text], budget)

    embed.title = title.text or None
    embed.description = description.text or None
    if embed.author.name is not None:
        embed.set_author(name=author.text, url=embed.author.url, icon_url=embed.author.icon_url)
    if embed.footer.text is not None:
        embed.set_footer(text=footer.text or None, icon_url=embed.footer.icon_url)
    for index, field in enumerate(embed.fields):
        embed.set_field_at(
            index, name=names[index].text, value=values[index].text, inline=bool(field.inline)
        )
    # Only reachable with a budget below one character per part (a tiny `fit_embeds` share);
    # dropping trailing fields keeps the promise whatever the input.
    while embed_size(embed) > budget and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def _water_fill(parts: Sequence[_Part], budget: int) -> None:
    """Cut the longest parts to one common cap so their total is at most `budget`."""
    lengths = sorted(measure(p.text) for p in parts)
    remaining = budget
    cap = lengths[-1]
    for index, length in enumerate(lengths):
        share = remaining // (len(lengths) - index)
        if length > share:
            cap = share
            break
        remaining -= length
    cap = max(cap, 1)
    for part in parts:
        part.text = truncate(part.text, cap) or ELLIPSIS


def fit_embeds(embeds: Sequence[discord.Embed], total: int = EMBED_TOTAL) -> list[discord.Embed]:
    """At most 10 embeds, each within its limits, together within `total` characters."""
    chosen = [fit_embed(embed) for embed in embeds[:EMBEDS_PER_MESSAGE]]
    sizes = [embed_size(embed) for embed in chosen]
    if sum(sizes) <= total:
        return chosen
    ordered = sorted(sizes)
    remaining = total
    cap = ordered[-1]
    for index, size in enumerate(ordered):
        share = remaining // (len(ordered) - index)
        if size > share:
            cap = share
            break
        remaining -= size
    return [fit_embed(embed, cap) if embed_size(embed) > cap else embed for embed in chosen]


def embed_problems(embeds: Sequence[discord.Embed]) -> list[str]:
    """Every way these embeds (sent in one message) break Discord's limits; empty if none."""
    problems: list[str] = []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    for number, embed in enumerate(embeds, 1):
        checks = [
            ("title", embed.title, TITLE),
            ("description", embed.description, DESCRIPTION),
            ("footer", embed.footer.text, FOOTER_TEXT),
            ("author", embed.author.name, AUTHOR_NAME),
        ]
        for index, field in enumerate(embed.fields):
            checks.append((f"field {index} name", field.name, FIELD_NAME))
            checks.append((f"field {index} value", field.value, FIELD_VALUE))
            if not (field.name or "").strip() or not (field.value or "").strip():
                problems.append(f"embed {number}: field {index} is empty")
        for what, text, limit in checks:
            if text is not None and measure(text) > limit:
                problems.append(f"embed {number}: {what} {measure(text)} > {limit}")
        if len(embed.fields) > FIELDS:
            problems.append(f"embed {number}: {len(embed.fields)} fields > {FIELDS}")
    total = sum(embed_size(embed) for embed in embeds)
    if total > EMBED_TOTAL:
        problems.append(f"total {total} > {EMBED_TOTAL}")
    return problems
