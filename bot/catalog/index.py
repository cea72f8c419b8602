"""The in-memory catalog: every pack's content plus the indexes that answer queries fast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.catalog._names import NameEntry, NameIndex
from bot.catalog._normalize import fold
from bot.catalog._quotes import QuoteTextIndex
from bot.catalog._scan import TermScanner
from bot.catalog.models import Event, Pack, Quote, Section, Speaker, Term, Topic

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

Kind = Literal["speaker", "term", "topic", "quote"]
Item = Speaker | Quote | Term | Topic

MAX_SUGGESTIONS = 25
#: Quote autocomplete choices kept between keystrokes (each is a label of up to 100 chars).
QUOTE_CHOICES_KEPT = 20_000
LABEL_LIMIT = 100
_SEPARATOR = " · "
_ELLIPSIS = "…"

_T = TypeVar("_T", Speaker, Quote, Term, Topic)


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete choice: `id` is the value, `label` (1–100 chars) what users see."""

    kind: Kind
    id: str
    label: str


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a message; `text` is `message[start:end]`."""

    term: Term
    start: int
    end: int
    text: str


def truncate(text: str, limit: int = LABEL_LIMIT) -> str:
    """Cut `text` to `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + _ELLIPSIS


def _pair(first: str, second: str) -> str:
    if first.casefold() == second.casefold():
        return truncate(first)
    return truncate(f"{first}{_SEPARATOR}{second}")


def _by_id(items: Iterable[_T]) -> Mapping[str, _T]:
    table: dict[str, _T] = {}
    for item in items:
        if item.id in table:
            raise ValueError(f"{type(item).__name__.lower()} id {item.id!r} is used twice")
        table[item.id] = item
    return MappingProxyType(table)


#: The public id tables, read-only views (`MappingProxyType`) of dicts.
_READ_ONLY_TABLES = ("speakers", "quotes", "terms", "topics")


class Catalog:
    """All packs, indexed once at construction. Lookups never touch the disk."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.packs: tuple[Pack, ...] = tuple(packs)
        if len({pack.id for pack in self.packs}) != len(self.packs):
            raise ValueError("two packs share an id")
        self.speakers: Mapping[str, Speaker] = _by_id(s for p in self.packs for s in p.speakers)
        self.quotes: Mapping[str, Quote] = _by_id(q for p in self.packs for q in p.quotes)
        self.terms: Mapping[str, Term] = _by_id(t for p in self.packs for t in p.terms)
        self.topics: Mapping[str, Topic] = _by_id(t for p in self.packs for t in p.topics)
        self._speaker_list = tuple(self.speakers.values())
        self._quote_list = tuple(self.quotes.values())
        self._term_list = tuple(self.terms.values())
        self._topic_list = tuple(self.topics.values())

        self._pack_of: dict[tuple[str, str], Pack] = {}
        self._sections: dict[tuple[str, str], Section] = {}
        for pack in self.packs:
            for kind, items in (
                ("speaker", pack.speakers),
                ("quote", pack.quotes),
                ("term", pack.terms),
                ("topic", pack.topics),
            ):
                for item in items:
                    self._pack_of[(kind, item.id)] = pack
            for section in pack.event.sections:
                self._sections[(pack.id, section.id)] = section

        self._quote_position = {quote.id: index for index, quote in enumerate(self._quote_list)}
        by_speaker: dict[str, list[Quote]] = {}
        by_topic: dict[str, list[int]] = {}
        for index, quote in enumerate(self._quote_list):
            by_speaker.setdefault(quote.speaker, []).append(quote)
            for topic in quote.topics:
                by_topic.setdefault(topic, []).append(index)
        self._quotes_by_speaker = {sid: tuple(quotes) for sid, quotes in by_speaker.items()}
        self._quote_positions_by_speaker = {
            sid: [self._quote_position[quote.id] for quote in quotes]
            for sid, quotes in by_speaker.items()
        }
        self._quote_positions_by_topic = by_topic

        self._names: dict[Kind, NameIndex] = {
            "speaker": NameIndex(
                [NameEntry(s.id, s.name.zh, s.name.en, s.aliases) for s in self._speaker_list]
            ),
            "term": NameIndex(
                [NameEntry(t.id, t.term.zh, t.term.en, t.aliases) for t in self._term_list]
            ),
            "topic": NameIndex(
                [NameEntry(t.id, t.name.zh, t.name.en, ()) for t in self._topic_list]
            ),
        }
        self._labels: dict[Kind, list[str]] = {
            "speaker": [_pair(s.name.zh, s.name.en) for s in self._speaker_list],
            "term": [_pair(t.term.en, t.term.zh) for t in self._term_list],
            "topic": [_pair(t.name.zh, t.name.en) for t in self._topic_list],
        }
        self._quote_text = QuoteTextIndex(
            [(q.text.zh, q.text.en, q.context.zh, q.context.en) for q in self._quote_list]
        )
        self._scanner = TermScanner([(t.term.zh, t.term.en, *t.aliases) for t in self._term_list])
        # Autocomplete labels of quotes, made on first use: (position, in English) → choice.
        self._quote_choices: dict[tuple[int, bool], Suggestion] = {}

    # -- pickling (a reload builds the catalog in another process) -------------------------

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in _READ_ONLY_TABLES:  # a mappingproxy does not pickle: send the dict
            state[name] = dict(state[name])
        # Memoised answers are rebuilt on demand; the receiver starts with empty ones.
        state["_quote_choices"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name in _READ_ONLY_TABLES:
            table = state[name]
            assert isinstance(table, dict)
            state[name] = MappingProxyType(table)
        self.__dict__.update(state)

    # -- relations -------------------------------------------------------------------------

    def pack_of(self, item: Item) -> Pack:
        """The pack an item belongs to. Raises KeyError for an item not in this catalog."""
        return self._pack_of[(_kind_of(item), item.id)]

    def event_for(self, item: Item) -> Event:
        return self.pack_of(item).event

    def section_of(self, quote: Quote) -> Section:
        return self._sections[(self.pack_of(quote).id, quote.section)]

    def quotes_by(self, speaker_id: str) -> tuple[Quote, ...]:
        return self._quotes_by_speaker.get(speaker_id, ())

    def best_quote_mentioning(
        self, term: Term, key: Callable[[Quote], SupportsRichComparison]
    ) -> Quote | None:
        """The first by `key` of the quotes whose zh or en text mentions the term or an alias
        (as `scan_terms` sees it), None when none does. Candidates are ranked first and checked
        best first, so a term found in thousands of quotes costs one ranking and a scan or two,
        not thousands of scans."""
        quotes = self._quote_list
        # Natural order, then a stable sort: among equals the first in pack order, as min().
        ranked = sorted(sorted(self._mention_candidates(term)), key=lambda i: key(quotes[i]))
        return next((quotes[i] for i in ranked if self._mentions_term(i, term)), None)

    def _mention_candidates(self, term: Term) -> set[int]:
        """Quotes whose zh/en text holds a surface form of `term` (a superset of mentions)."""
        # The text index narrows the quotes to those holding a surface form; the scanner then
        # applies its word-boundary and longest-match rules (Token inside Token Efficiency
        # is not a mention of Token).
        candidates: set[int] = set()
        for surface in (term.term.zh, term.term.en, *term.aliases):
            needle = fold(surface)
            if needle:
                candidates.update(self._quote_text.spoken_containing(needle))
        return candidates

    def _mentions_term(self, index: int, term: Term) -> bool:
        quote = self._quote_list[index]
        return any(
            match.term.id == term.id
            for text in (quote.text.zh, quote.text.en)
            for match in self.scan_terms(text)
        )

    # -- exact lookups ---------------------------------------------------------------------

    def find_speaker(self, query: str) -> Speaker | None:
        index = self._names["speaker"].find(query)
        return None if index is None else self._speaker_list[index]

    def find_term(self, query: str) -> Term | None:
        index = self._names["term"].find(query)
        return None if index is None else self._term_list[index]

    def find_topic(self, query: str) -> Topic | None:
        index = self._names["topic"].find(query)
        return None if index is None else self._topic_list[index]

    def find_quote(self, query: str) -> Quote | None:
        """A quote by id (case and surrounding spaces ignored)."""
        query = query.strip()
        return self.quotes.get(query) or self.quotes.get(query.casefold())

    # -- autocomplete ----------------------------------------------------------------------

    def suggest(self, kind: Kind, query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Ranked choices: exact > prefix > alias/pinyin > fuzzy; ≤ limit (≤ 25), one per entry."""
        limit = max(0, min(limit, MAX_SUGGESTIONS))
        if kind == "quote":
            return self._suggest_quotes(query, limit)
        indexes = self._names[kind].suggest(query, limit)
        return self._name_suggestions(kind, indexes)

    def did_you_mean(self, kind: Kind, query: str, limit: int = 5) -> list[Suggestion]:
        """Fuzzy matches for a query that found nothing, best first."""
        limit = max(0, min(limit, MAX_SUGGESTIONS))
        if kind == "quote":
            positions = self._quote_text.fuzzy(query, limit, set())
            return [self._quote_suggestion(position, False) for position in positions]
        return self._name_suggestions(kind, self._names[kind].did_you_mean(query, limit))

    def candidates(self, kind: Kind, query: str, limit: int = 5) -> list[Suggestion]:
        """What a query that names nothing exactly may mean, best first, ≤ limit: every entry
        it starts, spells or is contained in (both Yangs for "yang"), then fuzzy matches
        (typos). For quotes, the fuzzy matches alone."""
        if kind == "quote":
            return self.did_you_mean(kind, query, limit)
        found = self.suggest(kind, query, limit) if query.strip() else []
        seen = {suggestion.id for suggestion in found}
        for suggestion in self.did_you_mean(kind, query, limit):
            if len(found) >= limit:
                break
            if suggestion.id not in seen:
                seen.add(suggestion.id)
                found.append(suggestion)
        return found

    def _name_suggestions(self, kind: Kind, indexes: list[int]) -> list[Suggestion]:
        items: Sequence[Speaker | Term | Topic]
        if kind == "speaker":
            items = self._speaker_list
        elif kind == "term":
            items = self._term_list
        else:
            items = self._topic_list
        labels = self._labels[kind]
        return [Suggestion(kind, items[index].id, labels[index]) for index in indexes]

    def _suggest_quotes(self, query: str, limit: int) -> list[Suggestion]:
        if limit == 0:
            return []
        if not query.strip():
            count = min(limit, len(self._quote_list))
            return [self._quote_suggestion(position, False) for position in range(count)]
        suggestions: list[Suggestion] = []
        seen: set[int] = set()
        exact = self.find_quote(query)
        if exact is not None:
            position = self._quote_position[exact.id]
            seen.add(position)
            suggestions.append(self._quote_suggestion(position, False))
        named = self.speaker_named_by(query)
        if named is not None:  # as `search_quotes` does: the speaker's quotes
            for position in self._quote_positions_by_speaker.get(named.id, []):
                if len(suggestions) >= limit:
                    break
                if position not in seen:
                    seen.add(position)
                    suggestions.append(self._quote_suggestion(position, query.isascii()))
        for position, in_english in self._quote_text.suggest(query, limit):
            if len(suggestions) >= limit:
                break
            if position not in seen:
                seen.add(position)
                suggestions.append(self._quote_suggestion(position, in_english))
        if len(suggestions) < limit:
            for position in self._quote_text.fuzzy(query, limit - len(suggestions), seen):
                suggestions.append(self._quote_suggestion(position, False))
        return suggestions[:limit]

    def _quote_suggestion(self, position: int, in_english: bool) -> Suggestion:
        choices = self._quote_choices
        found = choices.get((position, in_english))
        if found is None:
            if len(choices) >= QUOTE_CHOICES_KEPT:
                choices.clear()  # a bound, not an LRU: refilling costs microseconds
            found = choices[position, in_english] = self._new_quote_suggestion(position, in_english)
        return found

    def _new_quote_suggestion(self, position: int, in_english: bool) -> Suggestion:
        quote = self._quote_list[position]
        speaker = self.speakers.get(quote.speaker)
        if in_english:
            name = speaker.name.en if speaker else quote.speaker
            label = f"{name}: {quote.text.en}"
        else:
            name = speaker.name.zh if speaker else quote.speaker
            label = f"{name}: {quote.text.zh}"
        return Suggestion("quote", quote.id, truncate(label))

    # -- search and scanning ---------------------------------------------------------------

    def speaker_named_by(self, search: str | None) -> Speaker | None:
        """The speaker a quote search names exactly (tangjie, "Tang Jie", 唐杰, 楊強), or None.

        Such a search means that speaker's quotes: people type a name into the search box
        far more often than they look for the few quotes that mention someone by name.
        """
        return self.find_speaker(search) if search and search.strip() else None

    def search_quotes(
        self, query: str | None = None, *, speaker: str | None = None, topic: str | None = None
    ) -> list[Quote]:
        """Quotes matching every given filter; `speaker`/`topic` accept an id or a name.

        A `query` that names a speaker (`speaker_named_by`) and no `speaker` filter means the
        speaker's quotes.
        """
        if speaker is None:
            named = self.speaker_named_by(query)
            if named is not None:
                speaker, query = named.id, None
        pool: list[int] | None = None
        if speaker is not None:
            found_speaker = self.find_speaker(speaker)
            if found_speaker is None:
                return []
            pool = self._quote_positions_by_speaker.get(found_speaker.id, [])
        if topic is not None:
            found_topic = self.find_topic(topic)
            if found_topic is None:
                return []
            in_topic = self._quote_positions_by_topic.get(found_topic.id, [])
            if pool is None:
                pool = in_topic
            else:
                allowed = set(in_topic)
                pool = [position for position in pool if position in allowed]
        if pool is None and not (query and query.strip()):
            return list(self._quote_list)  # every quote (`/quote` with no filter): a C copy
        positions = self._quote_text.search(query or "", pool)
        return [self._quote_list[position] for position in positions]

    def scan_terms(self, text: str) -> list[TermMatch]:
        """Glossary terms in `text`: leftmost-longest, Latin on word boundaries, each once."""
        return [
            TermMatch(self._term_list[index], start, end, text[start:end])
            for index, start, end in self._scanner.scan(text)
        ]


def _kind_of(item: Item) -> Kind:
    if isinstance(item, Speaker):
        return "speaker"
    if isinstance(item, Quote):
        return "quote"
    if isinstance(item, Term):
        return "term"
    return "topic"
