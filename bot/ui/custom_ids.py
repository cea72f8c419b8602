"""What a button's `custom_id` carries, and how it is written and read back (the formats are in
`bot.ui.components`' docstring): the filters of a quote request as short keys, the owner in
base 36, a list's stamp. Plain text in, plain text out: the items live in `bot.ui.components`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.catalog import Catalog, short_key
from bot.catalog.models import Lang, Quote, Speaker
from bot.ui.limits import measure

__all__ = [
    "ANOTHER",
    "CUSTOM_ID_LIMIT",
    "MAX_PAGE",
    "ONE_KEY",
    "PAGE",
    "SEARCH_KEPT",
    "QuoteFilters",
    "decode_filters",
    "encode_filters",
    "list_stamp",
    "owner_text",
]

#: Discord's limit on a component's custom_id.
CUSTOM_ID_LIMIT = 100
#: Characters of search words a button keeps (UTF-16 units, so any text fits the limit).
SEARCH_KEPT = 40
#: Characters the summit's `@<key>:` takes from the search a button keeps.
EVENT_ROOM = 10
#: Highest page number a pager button encodes (far beyond any pack).
MAX_PAGE = 999_999

_KEY = r"[A-Za-z0-9_-]{8}"
_OWNER = r"[0-9a-z]{0,13}"
# The summit is optional: `@<key>:` before the search ("@:" for none, written only when the
# search itself starts with "@"), so ids written before summits could be chosen still parse.
_FILTERS = rf"(?P<speaker>{_KEY}|):(?P<topic>{_KEY}|):(?:@(?P<event>{_KEY}|):)?(?P<search>[^\n]*)"
ANOTHER = re.compile(rf"(?P<owner>{_OWNER}):(?P<quote>{_KEY}|):{_FILTERS}")
PAGE = re.compile(
    rf"(?P<owner>[0-9a-z]{{1,13}}):(?P<page>[0-9]{{1,6}}):(?P<dir>[pn]):(?P<stamp>{_KEY}):{_FILTERS}"
)
ONE_KEY = re.compile(_KEY)


@dataclass(frozen=True)
class QuoteFilters:
    """The filters of a quote request, as ids; `None` means "any"."""

    speaker: str | None = None
    topic: str | None = None
    search: str | None = None
    event: str | None = None  # a pack id: one summit's quotes

    def describe(self, catalog: Catalog, lang: Lang) -> str:
        """ "AGI-Next · Tang Jie · Agents · “words”" (plain text: escape it to show it)."""
        parts: list[str] = []
        pack = catalog.pack(self.event) if self.event is not None else None
        if pack is not None:
            parts.append(pack.event.name.get(lang))
        if self.speaker is not None and self.speaker in catalog.speakers:
            parts.append(catalog.speakers[self.speaker].name.get(lang))
        if self.topic is not None and self.topic in catalog.topics:
            parts.append(catalog.topics[self.topic].name.get(lang))
        if self.search:
            parts.append(f"“{self.search}”")
        return " · ".join(parts)

    def quotes(self, catalog: Catalog) -> list[Quote]:
        """Every quote these filters match, in catalog order."""
        return catalog.search_quotes(
            self.search, speaker=self.speaker, topic=self.topic, event=self.event
        )

    def kept(self) -> QuoteFilters:
        """These filters as a button keeps them: the search cut to `SEARCH_KEPT` (less the
        summit's key when there is one, so every custom_id stays within 100 characters)."""
        if self.search is None:
            return self
        return replace(self, search=_kept_search(self.search, self.event is not None))


def _kept_search(search: str | None, with_event: bool = False) -> str | None:
    text = " ".join((search or "").split())
    limit = SEARCH_KEPT - EVENT_ROOM if with_event else SEARCH_KEPT
    while measure(text) > limit:
        text = text[:-1]
    return text.rstrip() or None


def _key(item_id: str | None) -> str:
    return "" if item_id is None else short_key(item_id)


def encode_filters(filters: QuoteFilters) -> str:
    search = _kept_search(filters.search, filters.event is not None) or ""
    event = ""
    if filters.event is not None:
        event = f"@{short_key(filters.event)}:"
    elif search.startswith("@"):
        event = "@:"  # so the search is not read as a summit
    return f"{_key(filters.speaker)}:{_key(filters.topic)}:{event}{search}"


def decode_filters(catalog: Catalog, match: re.Match[str]) -> QuoteFilters | None:
    """The filters of a parsed custom_id, or None when a speaker or topic no longer exists."""
    speaker = topic = None
    if match["speaker"]:
        found = catalog.by_key("speaker", match["speaker"])
        if not isinstance(found, Speaker):
            return None
        speaker = found.id
    if match["topic"]:
        topic = catalog.topic_filter_by_key(match["topic"])
        if topic is None:
            return None
    event = None
    if match["event"]:
        pack = catalog.pack_by_key(match["event"])
        if pack is None:
            return None
        event = pack.id
    return QuoteFilters(speaker, topic, match["search"] or None, event)


@functools.lru_cache(maxsize=4096)  # the same users click again and again
def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def owner_text(owner_id: int | None) -> str:
    return "" if owner_id is None else _base36(owner_id)


def list_stamp(quotes: Sequence[Quote]) -> str:
    """The key of a list of quotes: it changes when a content update changes the list."""
    return short_key("\n".join(quote.id for quote in quotes))
