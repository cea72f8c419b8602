"""Substring search over quote text, fast enough for autocomplete at 100,000 quotes.

Every quote keeps one folded string, ``zh \\n en \\n context.zh \\n context.en``, folded like
names and queries (NFKC, casefold, Traditional→Simplified), so 自主學習 finds 自主学习.

Autocomplete first narrows the quotes to check with an inverted index over the spoken text
(zh and en): every non-ASCII letter (a Chinese character is selective on its own), the first
three letters of every Latin word, and every whole Latin word of three letters or more point
to the quotes containing them. A word the query has finished typing (something follows it,
and it is not the first) looks up the whole word, far more selective than its first letters
("computer competes" narrows by "competes", not "com"); the others look up their first
letters. The rarest tokens pick the candidates, which are then checked in pack order with a
plain substring test. So Chinese matches anywhere and Latin words match from the start of a
word ("verif" finds "verifiable", "erif" does not); the fuzzy tier catches the rest. The work
per query is bounded (`MAX_EXAMINED` candidates), so a pathological query costs a few
milliseconds, never a scan of every quote; `search` (the command, not autocomplete) is
exhaustive.
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from rapidfuzz import fuzz, process

from bot.catalog._normalize import fold

_WORD = re.compile(r"[a-z0-9]+")
_NON_ASCII_LETTER = re.compile(r"[^\W\x00-\x7f]")
# Index tokens: a Latin word's first ≤3 letters, or one non-ASCII letter (one regex pass).
_TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]{1,3}|[^\W\x00-\x7f]")
# Whole Latin words of three letters or more, indexed under " word" (apart from prefixes).
_WHOLE_WORD = re.compile(r"(?<![a-z0-9])[a-z0-9]{3,}(?![a-z0-9])")
_PREFIX = 3
_EMPTY = array("i")
# Candidates examined per keystroke at most (a substring test costs about half a microsecond).
MAX_EXAMINED = 2_500
_SMALL = 64  # a candidate list this short is checked as it is
_SET_LIMIT = 8_000  # a shortest list longer than this is examined as it is, not intersected
_INTERSECT_LIMIT = 30_000  # longer lists cost more to intersect than they save
# partial_ratio costs about a microsecond per quote: the fuzzy tier scores at most this many.
FUZZY_CANDIDATES = 500
FUZZY_CUTOFF = 90.0
FUZZY_MIN_LENGTH = 4


class QuoteTextIndex:
    """Folded quote text plus the token index used by autocomplete."""

    def __init__(self, texts: Sequence[tuple[str, str, str, str]]) -> None:
        """`texts[i]` = (text.zh, text.en, context.zh, context.en) of quote i."""
        self.size = len(texts)
        self._folded: list[str] = []
        self._zh_end = array("i")  # where text.zh ends in the folded string
        self._text_end = array("i")  # where text.en ends
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for index, (zh, en, context_zh, context_en) in enumerate(texts):
            folded_zh = fold(zh)
            spoken = f"{folded_zh}\n{fold(en)}"
            self._folded.append(f"{spoken}\n{fold(context_zh)}\n{fold(context_en)}")
            self._zh_end.append(len(folded_zh))
            self._text_end.append(len(spoken))
            tokens = set(_TOKEN.findall(spoken))
            tokens.update(" " + word for word in _WHOLE_WORD.findall(spoken))
            for token in tokens:
                postings[token].append(index)
        self._postings = {token: array("i", bucket) for token, bucket in postings.items()}
        self._tokens = sorted(self._postings)

    def search(self, query: str, among: Iterable[int] | None = None) -> list[int]:
        """Quotes whose text or context contains `query` (folded), in natural order."""
        needle = fold(query)
        pool: Iterable[int] = range(self.size) if among is None else among
        if not needle:
            return list(pool)
        folded = self._folded
        return [index for index in pool if needle in folded[index]]

    def suggest(self, query: str, limit: int) -> list[tuple[int, bool]]:
        """Quotes whose zh/en text contains `query`: (index, matched in English), ≤ limit."""
        needle = fold(query)
        if not needle or limit <= 0:
            return []
        found: list[tuple[int, bool]] = []
        folded, text_end, zh_end = self._folded, self._text_end, self._zh_end
        for index in islice(self._candidates(needle), MAX_EXAMINED):
            position = folded[index].find(needle, 0, text_end[index])
            if position >= 0:
                found.append((index, position > zh_end[index]))
                if len(found) >= limit:
                    break
        return found

    def spoken_containing(self, needle: str) -> Iterator[int]:
        """Every quote whose zh/en text contains `needle` (already folded) at a word start."""
        folded, text_end = self._folded, self._text_end
        for index in self._candidates(needle):
            if folded[index].find(needle, 0, text_end[index]) >= 0:
                yield index

    def _candidates(self, needle: str) -> Iterator[int]:
        """Quotes that hold the query's rarest tokens, in natural order."""
        postings: list[Sequence[int]] = []
        group: list[array[int]] | None = None
        group_size = 0
        words = list(_WORD.finditer(needle))
        for number, match in enumerate(words):
            word = match.group()
            typing = number == len(words) - 1 and match.end() == len(needle)
            if typing and len(word) < _PREFIX:
                # A short last word is still being typed: any word starting with it counts.
                group = self._prefix_group(word)
                group_size = sum(len(posting) for posting in group)
            elif not typing and len(word) >= _PREFIX and number > 0:
                # Finished, and not the first (which may end a longer word): the whole word.
                postings.append(self._postings.get(" " + word, _EMPTY))
            else:
                postings.append(self._postings.get(word[:_PREFIX], _EMPTY))
        postings.extend(
            self._postings.get(char, _EMPTY) for char in set(_NON_ASCII_LETTER.findall(needle))
        )
        postings.sort(key=len)
        if postings and (group is None or len(postings[0]) <= group_size):
            return self._intersect(postings)
        if group is not None:
            return _merged(group)
        return iter(range(self.size))  # no token at all (punctuation): bounded by the caller

    def _intersect(self, postings: list[Sequence[int]]) -> Iterator[int]:
        """Intersect the shortest lists (C-speed set operations) while that narrows much."""
        first = postings[0]
        if len(first) <= _SMALL or len(first) > _SET_LIMIT or len(postings) == 1:
            return iter(first)
        common = set(first)
        for posting in postings[1:]:
            if len(posting) > _INTERSECT_LIMIT or len(common) <= _SMALL:
                break
            common.intersection_update(posting)
        return iter(sorted(common))

    def _prefix_group(self, prefix: str) -> list[array[int]]:
        lo = bisect_left(self._tokens, prefix)
        group: list[array[int]] = []
        for token in islice(self._tokens, lo, None):
            if not token.startswith(prefix):
                break
            group.append(self._postings[token])
        return group

    def fuzzy(self, query: str, limit: int, exclude: set[int]) -> list[int]:
        """Best partial fuzzy matches among a bounded candidate set, best first."""
        needle = fold(query)
        if len(needle) < FUZZY_MIN_LENGTH or limit <= 0:
            return []
        pool = self._fuzzy_pool(needle) if self.size > FUZZY_CANDIDATES else range(self.size)
        candidates = [index for index in pool if index not in exclude]
        if not candidates:
            return []
        choices = [self._folded[index][: self._text_end[index]] for index in candidates]
        matches = process.extract(
            needle,
            choices,
            scorer=fuzz.partial_ratio,
            processor=None,
            score_cutoff=FUZZY_CUTOFF,
            limit=limit,
        )
        ordered = sorted(matches, key=lambda match: (-match[1], match[2]))
        return [candidates[position] for _choice, _score, position in ordered]

    def _fuzzy_pool(self, needle: str) -> list[int]:
        """Up to FUZZY_CANDIDATES quotes sharing the query's rarest tokens, in natural order."""
        tokens = {word[:_PREFIX] for word in _WORD.findall(needle)}
        tokens.update(_NON_ASCII_LETTER.findall(needle))
        postings = sorted((self._postings.get(token, _EMPTY) for token in tokens), key=len)
        pool: set[int] = set()
        for posting in postings:
            pool.update(posting[: FUZZY_CANDIDATES - len(pool)])
            if len(pool) >= FUZZY_CANDIDATES:
                break
        return sorted(pool)


def _merged(postings: list[array[int]]) -> Iterator[int]:
    """The union of sorted posting lists, in order, without repeats."""
    previous = -1
    for index in heapq.merge(*postings):
        if index != previous:
            previous = index
            yield index
