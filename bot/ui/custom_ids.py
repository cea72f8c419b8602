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
from bot.catalog.models import Lang, Quote, Speaker, Topic
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
#: Highest page number a pager button encodes (far beyond any pack).
MAX_PAGE = 999_999

_KEY = r"[A-Za-z0-9_-]{8}"
_OWNER = r"[0-9a-z]{0,13}"
_FILTERS = rf"(?P<speaker>{_KEY}|):(?P<topic>{_KEY}|):(?P<search>[^\n]*)"
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

    def describe(self, catalog: Catalog, lang: Lang) -> str:
        """ "Tang Jie · Agents · “words”" (plain text: escape it to show it)."""
        parts: list[str] = []
        if self.speaker is not None and self.speaker in catalog.speakers:
            parts.append(catalog.speakers[self.speaker].name.get(lang))
        if self.topic is not None and self.topic in catalog.topics:
            parts.append(catalog.topics[self.topic].name.get(lang))
        if self.search:
            parts.append(f"“{self.search}”")
        return " · ".join(parts)

    def quotes(self, catalog: Catalog) -> list[Quote]:
        """Every quote these filters match, in catalog order."""
        return catalog.search_quotes(self.search, speaker=self.speaker, topic=self.topic)

    def kept(self) -> QuoteFilters:
        """These filters as a button keeps them: the search cut to `SEARCH_KEPT`."""
        return replace(self, search=_kept_search(self.search))


def _kept_search(search: str | None) -> str | None:
    text = " ".join((search or "").split())
    while measure(text) > SEARCH_KEPT:
        text = text[:-1]
    return text.rstrip() or None


def _key(item_id: str | None) -> str:
    return "" if item_id is None else short_key(item_id)


def encode_filters(filters: QuoteFilters) -> str:
    search = _kept_search(filters.search) or ""
    return f"{_key(filters.speaker)}:{_key(filters.topic)}:{search}"


def decode_filters(catalog: Catalog, match: re.Match[str]) -> QuoteFilters | None:
    """The filters of a parsed custom_id, or None when a speaker or topic no longer exists."""
    speaker = topic = None
    if match["speaker"]:
        found = catalog.by_key("speaker", match["speaker"])
        if not isinstance(found, Speaker):
            return None
        speaker = found.id
    if match["topic"]:
        found_topic = catalog.by_key("topic", match["topic"])
        if not isinstance(found_topic, Topic):
            return None
        topic = found_topic.id
    return QuoteFilters(speaker, topic, match["search"] or None)


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
