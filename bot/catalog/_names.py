"""Lookup, autocomplete and "did you mean" over named entries (speakers, terms, topics).

Everything a query is compared with is folded once at build time into plain lists and dicts:
an exact-key dict, two sorted key arrays for prefix ranges (bisect), one string of all names
for "contains" (str.find), and length-sorted choice lists for rapidfuzz (split by first
character in big catalogs). A query costs a few dict/bisect/find operations plus, only when
the cheaper tiers leave room, one rapidfuzz pass over the keys that can reach the cutoff.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.catalog._normalize import has_cjk, key, pinyin_keys

# Exact-match ranks, best first: what a `find_*` prefers when two entries share a key.
_RANK_NAME = 0  # id, zh, en, alias
_RANK_PINYIN = 1  # full pinyin
_RANK_INITIALS = 2  # pinyin initials
_RANK_VARIANT = 3  # full pinyin or initials with another reading of a polyphonic character

SUGGEST_CUTOFF = 70.0
FULL_FUZZY_KEYS = 5_000
DID_YOU_MEAN_CUTOFF = 60.0
_PREFIX_END = "\U0010ffff"


@dataclass(frozen=True)
class NameEntry:
    """What the index needs to know about one entry."""

    id: str
    zh: str
    en: str
    aliases: tuple[str, ...]


def fuzzy_allowed(query_key: str) -> bool:
    """Fuzzy matching of one or two Latin letters only produces noise."""
    return len(query_key) >= 3 or (len(query_key) == 2 and has_cjk(query_key))


class NameIndex:
    """Search structures for one kind of named entry, in natural (pack) order."""

    def __init__(self, entries: Sequence[NameEntry]) -> None:
        self.size = len(entries)
        self._exact: dict[str, tuple[int, int]] = {}  # key -> (rank, entry) best
        self._exact_names: dict[str, list[int]] = {}  # key -> entries with that name key
        primary: set[tuple[str, int]] = set()
        secondary: set[tuple[str, int]] = set()
        fuzzy: set[tuple[str, int]] = set()
        blob: list[str] = []
        self._blob_starts: list[int] = []
        self._blob_idx: list[int] = []
        offset = 0
        for index, entry in enumerate(entries):
            names = {key(entry.id), key(entry.zh), key(entry.en)} - {""}
            aliases = {key(alias) for alias in entry.aliases} - {""}
            pinyins: set[str] = set()
            initials: set[str] = set()
            usual: set[str] = set()  # spellings with each character's most common reading
            for text in (entry.zh, *entry.aliases):
                for number, (full, short) in enumerate(pinyin_keys(text)):
                    pinyins.add(full)
                    initials.add(short)
                    if number == 0:
                        usual.update((full, short))
            words = {key(word) for word in entry.en.split()} | {
                key(word) for alias in entry.aliases for word in alias.split()
            }
            words -= {""}
            for name in names | aliases:
                self._add_exact(name, _RANK_NAME, index)
                self._exact_names.setdefault(name, []).append(index)
            for full in pinyins:
                self._add_exact(full, _RANK_PINYIN if full in usual else _RANK_VARIANT, index)
            for short in initials:
                self._add_exact(short, _RANK_INITIALS if short in usual else _RANK_VARIANT, index)
            primary.update((name, index) for name in names)
            secondary.update((k, index) for k in aliases | pinyins | initials | words)
            # Not the id: generated ids share prefixes ("term-0042") and would pile into one
            # bucket, and an id is rarely typed from memory with a typo anyway.
            spoken = {key(entry.zh), key(entry.en)} - {""}
            fuzzy.update((k, index) for k in spoken | aliases | pinyins)
            for name in sorted(names | aliases):
                blob.append(name)
                self._blob_starts.append(offset)
                self._blob_idx.append(index)
                offset += len(name) + 1
        # One string of every name, so "contains" is a C-speed str.find, not a Python loop.
        self._blob = "\n".join(blob)
        self._primary_keys, self._primary_idx = _sorted_columns(primary)
        self._secondary_keys, self._secondary_idx = _sorted_columns(secondary)
        # Fuzzy candidates sorted by length (for the length window), and for big catalogs
        # split by first character: a typo rarely hits the first letter, and 10,000 terms'
        # keys scored one by one would blow the autocomplete budget.
        self._fuzzy_by_first = len(fuzzy) > FULL_FUZZY_KEYS
        buckets: dict[str, list[tuple[str, int]]] = {}
        for k, index in fuzzy:
            buckets.setdefault(k[0] if self._fuzzy_by_first else "", []).append((k, index))
        self._fuzzy: dict[str, _FuzzyBucket] = {
            first: _FuzzyBucket(items) for first, items in buckets.items()
        }

    def _add_exact(self, k: str, rank: int, index: int) -> None:
        current = self._exact.get(k)
        if current is None or (rank, index) < current:
            self._exact[k] = (rank, index)

    def find(self, query: str) -> int | None:
        """The entry a query names exactly (by any key), or None."""
        found = self._exact.get(key(query))
        return None if found is None else found[1]

    def exact_all(self, query: str) -> list[int]:
        """Every entry a query names exactly by id, name or alias, in natural order."""
        return sorted(self._exact_names.get(key(query), ()))

    def suggest(self, query: str, limit: int) -> list[int]:
        """Entries for autocomplete, one per entry, best tier first.

        Tiers: exact name/id/alias; prefix of a name or id; alias, pinyin, initials or English
        word (exact, then prefix); a name or alias containing the query; fuzzy.
        """
        if limit <= 0:
            return []
        query_key = key(query)
        if not query_key:
            return list(range(min(limit, self.size)))
        seen: set[int] = set()
        ranked: list[int] = []

        def take(indexes: Iterator[int] | list[int]) -> bool:
            for index in indexes:
                if index not in seen:
                    seen.add(index)
                    ranked.append(index)
                    if len(ranked) >= limit:
                        return True
            return False

        if take(sorted(self._exact_names.get(query_key, ()))):
            return ranked
        if take(_prefix_range(self._primary_keys, self._primary_idx, query_key)):
            return ranked
        if take(_prefix_range(self._secondary_keys, self._secondary_idx, query_key)):
            return ranked
        if take(self._containing(query_key)):
            return ranked
        if fuzzy_allowed(query_key):
            take(iter(self.fuzzy(query_key, limit, SUGGEST_CUTOFF)))
        return ranked

    def _containing(self, query_key: str) -> Iterator[int]:
        """Entries with a name or alias containing the query, in natural order."""
        position = self._blob.find(query_key)
        while position >= 0:
            slot = bisect_right(self._blob_starts, position) - 1
            yield self._blob_idx[slot]
            if slot + 1 >= len(self._blob_starts):
                return
            position = self._blob.find(query_key, self._blob_starts[slot + 1])

    def did_you_mean(self, query: str, limit: int) -> list[int]:
        query_key = key(query)
        if limit <= 0 or not query_key:
            return []
        return self.fuzzy(query_key, limit, DID_YOU_MEAN_CUTOFF)

    def fuzzy(self, query_key: str, limit: int, cutoff: float) -> list[int]:
        """Best fuzzy matches (Indel similarity), one per entry, best first."""
        bucket = self._fuzzy.get(query_key[0] if self._fuzzy_by_first else "")
        if bucket is None:
            return []
        matches = bucket.extract(query_key, cutoff, limit * 8)
        best: dict[int, float] = {}
        for index, score in matches:
            if score > best.get(index, -1.0):
                best[index] = score
        ordered = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [index for index, _score in ordered[:limit]]


def _sorted_columns(pairs: set[tuple[str, int]]) -> tuple[list[str], list[int]]:
    ordered = sorted(pairs)
    return [pair[0] for pair in ordered], [pair[1] for pair in ordered]


def _prefix_range(keys: list[str], indexes: list[int], prefix: str) -> Iterator[int]:
    """Entries whose key starts with `prefix`, in key order (an exact key comes first)."""
    lo = bisect_left(keys, prefix)
    hi = bisect_left(keys, prefix + _PREFIX_END, lo)
    for position in range(lo, hi):
        yield indexes[position]


class _FuzzyBucket:
    """Keys sorted by length, so only those whose length can reach the cutoff are scored."""

    def __init__(self, items: list[tuple[str, int]]) -> None:
        ordered = sorted(items, key=lambda item: (len(item[0]), item[1], item[0]))
        self.keys = [item[0] for item in ordered]
        self.indexes = [item[1] for item in ordered]
        self.lengths = [len(item[0]) for item in ordered]

    def extract(self, query_key: str, cutoff: float, limit: int) -> list[tuple[int, float]]:
        """(entry, score) for keys scoring ≥ cutoff (Indel similarity), best first."""
        # Indel similarity 2·min/(a+b) caps the score, so keys far from the query's length
        # cannot reach the cutoff and are never handed to rapidfuzz.
        ratio = cutoff / 100.0
        length = len(query_key)
        lo = bisect_left(self.lengths, int(length * ratio / (2.0 - ratio)))
        hi = bisect_right(self.lengths, int(length * (2.0 - ratio) / ratio) + 1)
        if lo >= hi:
            return []
        matches = process.extract(
            query_key,
            self.keys[lo:hi],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=limit,
        )
        return [(self.indexes[lo + position], score) for _choice, score, position in matches]
