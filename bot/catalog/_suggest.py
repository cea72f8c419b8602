"""Autocomplete and "did you mean": ranked choices with the labels users see.

Name choices come from the catalog's `NameIndex`es, quote choices from its `QuoteTextIndex`;
`Suggester` owns the labels (made once) and the quote choices (made on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from bot.catalog._names import NameIndex
from bot.catalog._normalize import fold
from bot.catalog._quotes import QuoteTextIndex
from bot.catalog.models import Quote, Speaker, Term, Text, Topic, bare_id

Kind = Literal["speaker", "term", "topic", "quote"]
NameKind = Literal["speaker", "term", "topic"]

MAX_SUGGESTIONS = 25
#: Quote autocomplete choices kept between keystrokes (each is a label of up to 100 chars).
QUOTE_CHOICES_KEPT = 20_000
LABEL_LIMIT = 100
_SEPARATOR = " · "
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete choice: `id` is the value, `label` (1–100 chars) what users see."""

    kind: Kind | Literal["event"]
    id: str
    label: str


def truncate(text: str, limit: int = LABEL_LIMIT) -> str:
    """Cut `text` to `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + _ELLIPSIS


def clamp(limit: int) -> int:
    """A requested number of choices as one Discord allows (0–25)."""
    return max(0, min(limit, MAX_SUGGESTIONS))


def _pair(first: str, second: str) -> str:
    if first.casefold() == second.casefold():
        return truncate(first)
    return truncate(f"{first}{_SEPARATOR}{second}")


def _summit_labels(
    items: Sequence[Term | Topic], names: list[tuple[str, str]], event_names: Sequence[Text]
) -> list[str]:
    """Autocomplete labels; one whose name another summit's entry shares names its summit."""
    counts: dict[str, int] = {}
    for item, (first, second) in zip(items, names, strict=True):
        for name_key in {bare_id(item.id), fold(first), fold(second)}:
            counts[name_key] = counts.get(name_key, 0) + 1
    labels: list[str] = []
    for item, (first, second), event in zip(items, names, event_names, strict=True):
        if any(counts[k] > 1 for k in {bare_id(item.id), fold(first), fold(second)}):
            labels.append(truncate(f"{first}{_SEPARATOR}{event.en}"))
        else:
            labels.append(_pair(first, second))
    return labels


#: The quotes a query names before any text match: (position, label in English) pairs.
NamedQuotes = Callable[[str], Iterable[tuple[int, bool]]]


class Suggester:
    """Choices for the catalog's entries, by position in its speaker/term/topic/quote lists.

    `term_events` and `topic_events` are the event name of each term's and topic's summit.
    """

    def __init__(
        self,
        names: Mapping[NameKind, NameIndex],
        quote_text: QuoteTextIndex,
        speakers: Sequence[Speaker],
        terms: Sequence[Term],
        topics: Sequence[Topic],
        quotes: Sequence[Quote],
        term_events: Sequence[Text],
        topic_events: Sequence[Text],
    ) -> None:
        self._names = names
        self._quote_text = quote_text
        self._quotes = quotes
        self._speaker_names = {speaker.id: speaker.name for speaker in speakers}
        self._ids: dict[NameKind, tuple[str, ...]] = {
            "speaker": tuple(s.id for s in speakers),
            "term": tuple(t.id for t in terms),
            "topic": tuple(t.id for t in topics),
        }
        self._labels: dict[NameKind, list[str]] = {
            "speaker": [_pair(s.name.zh, s.name.en) for s in speakers],
            "term": _summit_labels(terms, [(t.term.en, t.term.zh) for t in terms], term_events),
            "topic": _summit_labels(topics, [(t.name.zh, t.name.en) for t in topics], topic_events),
        }
        # Autocomplete labels of quotes, made on first use: (position, in English) → choice.
        self._quote_choices: dict[tuple[int, bool], Suggestion] = {}

    def __getstate__(self) -> dict[str, object]:
        # Memoised answers are rebuilt on demand; the receiver starts with empty ones.
        return {**self.__dict__, "_quote_choices": {}}

    def names(self, kind: NameKind, query: str, limit: int) -> list[Suggestion]:
        """Ranked choices: exact > prefix > alias/pinyin > fuzzy; ≤ limit, one per entry."""
        return self._name_suggestions(kind, self._names[kind].suggest(query, limit))

    def quotes(self, query: str, limit: int, named: NamedQuotes) -> list[Suggestion]:
        """The quotes `named(query)` gives, then those whose text matches, then fuzzy ones."""
        if limit == 0:
            return []
        if not query.strip():
            count = min(limit, len(self._quotes))
            return [self._quote_suggestion(position, False) for position in range(count)]
        suggestions: list[Suggestion] = []
        seen: set[int] = set()
        for position, in_english in chain(named(query), self._quote_text.suggest(query, limit)):
            if len(suggestions) >= limit:
                break
            if position not in seen:
                seen.add(position)
                suggestions.append(self._quote_suggestion(position, in_english))
        if len(suggestions) < limit:
            for position in self._quote_text.fuzzy(query, limit - len(suggestions), seen):
                suggestions.append(self._quote_suggestion(position, False))
        return suggestions[:limit]

    def did_you_mean(self, kind: Kind, query: str, limit: int) -> list[Suggestion]:
        """Fuzzy matches for a query that found nothing, best first."""
        limit = clamp(limit)
        if kind == "quote":
            positions = self._quote_text.fuzzy(query, limit, set())
            return [self._quote_suggestion(position, False) for position in positions]
        return self._name_suggestions(kind, self._names[kind].did_you_mean(query, limit))

    def candidates(self, kind: Kind, query: str, limit: int) -> list[Suggestion]:
        """Every entry a query starts, spells or is contained in, then fuzzy matches, ≤ limit;
        for quotes the fuzzy matches alone."""
        if kind == "quote":
            return self.did_you_mean(kind, query, limit)
        found = self.names(kind, query, clamp(limit)) if query.strip() else []
        seen = {suggestion.id for suggestion in found}
        for suggestion in self.did_you_mean(kind, query, limit):
            if len(found) >= limit:
                break
            if suggestion.id not in seen:
                seen.add(suggestion.id)
                found.append(suggestion)
        return found

    def _name_suggestions(self, kind: NameKind, indexes: list[int]) -> list[Suggestion]:
        ids = self._ids[kind]
        labels = self._labels[kind]
        return [Suggestion(kind, ids[index], labels[index]) for index in indexes]

    def _quote_suggestion(self, position: int, in_english: bool) -> Suggestion:
        choices = self._quote_choices
        found = choices.get((position, in_english))
        if found is None:
            if len(choices) >= QUOTE_CHOICES_KEPT:
                choices.clear()  # a bound, not an LRU: refilling costs microseconds
            found = choices[position, in_english] = self._new_quote_suggestion(position, in_english)
        return found

    def _new_quote_suggestion(self, position: int, in_english: bool) -> Suggestion:
        quote = self._quotes[position]
        name = self._speaker_names.get(quote.speaker)
        if in_english:
            label = f"{name.en if name else quote.speaker}: {quote.text.en}"
        else:
            label = f"{name.zh if name else quote.speaker}: {quote.text.zh}"
        return Suggestion("quote", quote.id, truncate(label))
