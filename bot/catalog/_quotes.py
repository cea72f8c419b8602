"""Substring search over quote text, fast enough for autocomplete at 100,000 quotes.

Every quote keeps one folded string, ``zh \\n en \\n context.zh \\n context.en``. Autocomplete
narrows the quotes to check with a small inverted index before any substring test: each
non-ASCII letter (a Chinese character is selective on its own) and the first three letters of
each Latin word point to the quotes that contain them. The query's rarest token picks the
quotes to check, so Chinese matches anywhere and Latin words match from their start ("verif"
finds "verifiable", "erif" does not); the fuzzy tier catches the rest.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from bot.catalog._normalize import fold_text, key

_WORD = re.compile(r"[a-z0-9]+")
_PREFIX = 3
# A posting list this long says nothing useful about a query token.
_UNSELECTIVE = 20_000
# How many quotes the fuzzy tier may score (partial_ratio costs ~1 µs per quote).
FUZZY_CANDIDATES = 2_000
QUOTE_FUZZY_CUTOFF = 90.0


def _token_keys(text: str) -> set[str]:
    keys = {word[:_PREFIX] for word in _WORD.findall(text)}
    keys.update(char for char in set(text) if not char.isascii() and char.isalnum())
    return keys


class QuoteTextIndex:
    """Folded quote text plus the token index used by autocomplete."""

    def __init__(self, texts: Sequence[tuple[str, str, str, str]]) -> None:
        """`texts[i]` = (text.zh, text.en, context.zh, context.en) of quote i."""
        self.size = len(texts)
        self._folded: list[str] = []
        self._text_end = array("i")  # end of "zh \n en" within the folded string
        self._zh_end = array("i")
        postings: dict[str, list[int]] = {}
        for index, (zh, en, context_zh, context_en) in enumerate(texts):
            folded_zh = fold_text(zh)
            folded_en = fold_text(en)
            spoken = f"{folded_zh}\n{folded_en}"
            self._folded.append(f"{spoken}\n{fold_text(context_zh)}\n{fold_text(context_en)}")
            self._zh_end.append(len(folded_zh))
            self._text_end.append(len(spoken))
            for token in _token_keys(spoken):
                bucket = postings.get(token)
                if bucket is None:
                    postings[token] = [index]
                else:
                    bucket.append(index)
        self._postings = {token: array("i", bucket) for token, bucket in postings.items()}
        self._tokens = sorted(self._postings)

    def search(self, query: str, among: Iterable[int] | None = None) -> list[int]:
        """Quotes whose text or context contains `query` (folded), in natural order."""
        needle = fold_text(query)
        pool: Iterable[int] = range(self.size) if among is None else among
        if not needle:
            return list(pool)
        folded = self._folded
        return [index for index in pool if needle in folded[index]]

    def suggest(self, query: str, limit: int) -> list[tuple[int, bool]]:
        """Quotes whose zh/en text contains `query`: (index, matched in English), ≤ limit."""
        needle = fold_text(query)
        if not needle or limit <= 0:
            return []
        candidates = self._candidates(needle)
        pool: Iterable[int] = range(self.size) if candidates is None else candidates
        found: list[tuple[int, bool]] = []
        folded, text_end, zh_end = self._folded, self._text_end, self._zh_end
        for index in pool:
            position = folded[index].find(needle, 0, text_end[index])
            if position >= 0:
                found.append((index, position > zh_end[index]))
                if len(found) >= limit:
                    break
        return found

    def fuzzy(self, query: str, limit: int, exclude: set[int]) -> list[int]:
        """Best partial fuzzy matches among a bounded candidate set, best first."""
        needle = fold_text(query)
        if len(key(needle)) < 2 or limit <= 0:
            return []
        if self.size <= FUZZY_CANDIDATES:
            pool: Sequence[int] = range(self.size)
        else:
            pool = self._fuzzy_pool(needle)
        pool = [index for index in pool if index not in exclude]
        if not pool:
            return []
        choices = [self._folded[index][: self._text_end[index]] for index in pool]
        matches = process.extract(
            needle,
            choices,
            scorer=fuzz.partial_ratio,
            processor=None,
            score_cutoff=QUOTE_FUZZY_CUTOFF,
            limit=limit,
        )
        ordered = sorted(matches, key=lambda match: (-match[1], match[2]))
        return [pool[position] for _choice, _score, position in ordered]

    def _candidates(self, needle: str) -> Sequence[int] | None:
        """The smallest posting list among the query's tokens, or None (check every quote)."""
        best: Sequence[int] | None = None
        words = _WORD.findall(needle)
        for number, word in enumerate(words):
            if len(word) >= _PREFIX:
                posting: Sequence[int] = self._postings.get(word[:_PREFIX], ())
            elif number == len(words) - 1 and needle.endswith(word):
                posting = self._prefix_union(word)  # still being typed
            else:
                posting = self._postings.get(word, ())
            if best is None or len(posting) < len(best):
                best = posting
        for char in set(needle):
            if not char.isascii() and char.isalnum():
                posting = self._postings.get(char, ())
                if best is None or len(posting) < len(best):
                    best = posting
        if best is None or len(best) > _UNSELECTIVE:
            return None
        return best

    def _prefix_union(self, prefix: str) -> Sequence[int]:
        """Quotes with a word starting with a short `prefix`, or everything if too many."""
        lo = bisect_left(self._tokens, prefix)
        merged: set[int] = set()
        for position in range(lo, len(self._tokens)):
            token = self._tokens[position]
            if not token.startswith(prefix):
                break
            merged.update(self._postings[token])
            if len(merged) > _UNSELECTIVE:
                return range(self.size)
        return sorted(merged)

    def _fuzzy_pool(self, needle: str) -> list[int]:
        """Up to FUZZY_CANDIDATES quotes sharing a token with the query, in natural order."""
        tokens = {word[:_PREFIX] for word in _WORD.findall(needle) if len(word) >= _PREFIX}
        tokens.update(char for char in needle if not char.isascii() and char.isalnum())
        pool: set[int] = set()
        for token in tokens:
            pool.update(self._postings.get(token, ())[:FUZZY_CANDIDATES])
        return sorted(pool)[:FUZZY_CANDIDATES]
