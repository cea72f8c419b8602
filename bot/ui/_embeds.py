"""What every content embed shares: colours, the source credit, fitting, and memoised renders.

Every content embed carries the source credit (title, author, publisher, link) as its last
field, which is protected when an embed has to shrink.
"""

from __future__ import annotations

import copy
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import discord
from discord.types.embed import Embed as EmbedData

from bot.catalog import Catalog
from bot.catalog.models import Event, Lang
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
    fit_embed,
    truncate,
)
from bot.ui.text import chunks, escape_markdown, source_credit


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


# --- memoised renders -----------------------------------------------------------------------

#: Renders kept per catalog, least recently used dropped first. Escaping and fitting an embed
#: is most of what an interaction costs the bot itself (0.1–0.4 ms); a copy costs 5 µs.
RENDER_CACHE_SIZE = 4096

_T = TypeVar("_T")


class RenderCache:
    """Renders of one catalog (least recently used dropped first). A reloaded catalog is a new
    object and gets a new cache; the old one goes with the old catalog."""

    def __init__(self, size: int = RENDER_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """`build()` once per key."""
        entries = self._entries
        found = entries.get(key)
        if found is None:
            found = build()
            entries[key] = found
            if len(entries) > self.size:
                entries.popitem(last=False)
        else:
            entries.move_to_end(key)
        return found  # type: ignore[return-value]  # each key is only ever built by one `build`


_caches: weakref.WeakKeyDictionary[Catalog, RenderCache] = weakref.WeakKeyDictionary()
#: The live catalog's cache, checked first: only one catalog is live between reloads, and a
#: `WeakKeyDictionary` lookup makes a weak reference each time.
_live: tuple[weakref.ref[Catalog], RenderCache] | None = None


def renders(catalog: Catalog) -> RenderCache:
    """The render cache of `catalog`."""
    global _live
    live = _live
    if live is not None and live[0]() is catalog:
        return live[1]
    cache = _caches.get(catalog)
    if cache is None:
        cache = _caches[catalog] = RenderCache()
    _live = (weakref.ref(catalog), cache)
    return cache


class SharedEmbed(discord.Embed):
    """An embed several messages share (`memo_embed`): it never changes, so its JSON is worked
    out once instead of on every send. `copy()` gives a plain `Embed` to change."""

    __slots__ = ("_data",)
    _data: EmbedData

    @classmethod
    def of(cls, embed: discord.Embed) -> SharedEmbed:
        data = embed.to_dict()
        shared = cls.from_dict(copy.deepcopy(data))
        shared._data = data
        return shared

    def to_dict(self) -> EmbedData:
        return self._data

    def copy(self) -> discord.Embed:  # type: ignore[override]  # a copy is made to be changed
        return discord.Embed.from_dict(copy.deepcopy(self._data))


def memo_embed(
    catalog: Catalog, key: Hashable, build: Callable[[], discord.Embed]
) -> discord.Embed:
    """A memoised embed, shared by every caller: send it as it is, and `copy()` it first to
    change anything (a copy costs as much as the rest of a `/quote`)."""
    return renders(catalog).get(key, lambda: SharedEmbed.of(build()))


# --- fields ---------------------------------------------------------------------------------


def add_chunked(embed: discord.Embed, label: str, lines: Sequence[str], lang: Lang) -> None:
    """Add `lines` as one field, continued in more fields if they pass the value limit."""
    for index, block in enumerate(chunks(lines)):
        name = label if index == 0 else t("labels.continued", lang, label=label)
        embed.add_field(name=name, value=block, inline=False)


# --- source credit and fitting --------------------------------------------------------------


def _unique_events(events: Iterable[Event]) -> list[Event]:
    seen: dict[str, Event] = {}
    for event in events:
        seen.setdefault(event.id, event)
    return list(seen.values())


def _credit(events: Sequence[Event], lang: Lang) -> str:
    """The source credit field's value for these events."""
    if len(events) > 1:
        lines = [f"{escape_markdown(e.name.get(lang))}: {source_credit(e.source)}" for e in events]
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


def finish(
    catalog: Catalog, embed: discord.Embed, events: Iterable[Event], lang: Lang
) -> discord.Embed:
    """Append the source credit as the last field and fit the embed, keeping the credit whole."""
    unique = _unique_events(events)
    if unique:
        # Event ids are unique in a catalog: the credit is memoised with the catalog's renders.
        key = ("credit", tuple(e.id for e in unique), lang)
        credit = renders(catalog).get(key, lambda: _credit(unique, lang))
        embed.add_field(name=t("labels.source", lang), value=credit, inline=False)
    if _surely_fits(embed) or not embed_problems([embed]):
        return embed  # within every limit already: fitting would change nothing
    if unique:
        return fit_embed(embed, protected_fields={len(embed.fields) - 1})
    return fit_embed(embed)
