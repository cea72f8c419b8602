"""The in-memory catalog: every pack's content plus the indexes that answer queries fast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.catalog._keys import KeyTable, short_key
from bot.catalog._names import NameEntry, NameIndex
from bot.catalog._normalize import fold
from bot.catalog._qualified import KeyedTable, qualify_pack, shared_ids
from bot.catalog._quotes import QuoteTextIndex
from bot.catalog._scan import TermScanner, scan_fold
from bot.catalog.models import (
    KEY_SEPARATOR,
    Event,
    Pack,
    Quote,
    Section,
    Speaker,
    Term,
    Topic,
    bare_id,
)

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

    kind: Kind | Literal["event"]
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


#: The public id tables that are read-only views (`MappingProxyType`) of dicts.
_READ_ONLY_TABLES = ("speakers",)


class Catalog:
    """All packs, indexed once at construction. Lookups never touch the disk.

    Quote, term and topic ids are unique per pack: in the catalog an entry's `id` is its key,
    `pack/id` when another pack has the same id (see `bot.catalog._qualified`), and lookups
    accept every form; speakers are people of the shared registry, keyed by their id.
    """

    def __init__(self, packs: Sequence[Pack]) -> None:
        shared = shared_ids(packs)
        self.packs: tuple[Pack, ...] = tuple(qualify_pack(pack, shared) for pack in packs)
        if len({pack.id for pack in self.packs}) != len(self.packs):
            raise ValueError("two packs share an id")
        self._packs_by_id = {pack.id: pack for pack in self.packs}
        # One person may speak at several summits (the shared registry): `speakers` holds each
        # person once, as the newest summit presents them; `appearances` every summit's view.
        self.newest_first: tuple[Pack, ...] = tuple(
            sorted(self.packs, key=lambda pack: (pack.event.date, pack.id), reverse=True)
        )
        appearances: dict[str, list[tuple[Pack, Speaker]]] = {}
        for pack in self.newest_first:
            for speaker in pack.speakers:
                appearances.setdefault(speaker.id, []).append((pack, speaker))
        self._appearances = {sid: tuple(found) for sid, found in appearances.items()}
        self.speakers: Mapping[str, Speaker] = _by_id(
            found[0][1] for found in self._appearances.values()
        )
        oldest_first = [pack.id for pack in reversed(self.newest_first)]
        self.quotes: KeyedTable[Quote] = KeyedTable(
            ((p.id, q) for p in self.packs for q in p.quotes), oldest_first
        )
        # Terms and topics newest summit first: a name two summits share finds the newest's.
        self.terms: KeyedTable[Term] = KeyedTable(
            ((p.id, t) for p in self.newest_first for t in p.terms), oldest_first
        )
        self.topics: KeyedTable[Topic] = KeyedTable(
            ((p.id, t) for p in self.newest_first for t in p.topics), oldest_first
        )
        self._speaker_list = tuple(self.speakers.values())
        self._quote_list = tuple(self.quotes.values())
        self._term_list = tuple(self.terms.values())
        self._topic_list = tuple(self.topics.values())

        self._pack_of: dict[tuple[str, str], Pack] = {}
        self._sections: dict[tuple[str, str], Section] = {}
        self._pack_speakers: dict[tuple[str, str], Speaker] = {}
        for pack in self.packs:
            for speaker in pack.speakers:
                self._pack_speakers[(pack.id, speaker.id)] = speaker
            for kind, items in (
                ("quote", pack.quotes),
                ("term", pack.terms),
                ("topic", pack.topics),
            ):
                for item in items:
                    self._pack_of[(kind, item.id)] = pack
            for section in pack.event.sections:
                self._sections[(pack.id, section.id)] = section
        for sid, found in self._appearances.items():
            self._pack_of[("speaker", sid)] = found[0][0]  # the newest summit they spoke at
        self._pack_keys: KeyTable | None = None
        self._quote_positions_by_pack: dict[str, list[int]] = {}

        self._quote_position = {quote.id: index for index, quote in enumerate(self._quote_list)}
        by_speaker: dict[str, list[Quote]] = {}
        by_topic: dict[str, list[int]] = {}
        for index, quote in enumerate(self._quote_list):
            pack_id = self._pack_of[("quote", quote.id)].id
            self._quote_positions_by_pack.setdefault(pack_id, []).append(index)
            by_speaker.setdefault(quote.speaker, []).append(quote)
            for topic in quote.topics:
                by_topic.setdefault(topic, []).append(index)
        self._quotes_by_speaker = {sid: tuple(quotes) for sid, quotes in by_speaker.items()}
        self._quote_positions_by_speaker = {
            sid: [self._quote_position[quote.id] for quote in quotes]
            for sid, quotes in by_speaker.items()
        }
        self._quote_positions_by_topic = by_topic

        # Terms and topics are indexed by their bare id: `rlvr` names every pack's RLVR (the
        # newest summit's first), a qualified key one pack's (`find_term`).
        self._names: dict[Kind, NameIndex] = {
            "speaker": NameIndex(
                [NameEntry(s.id, s.name.zh, s.name.en, s.aliases) for s in self._speaker_list]
            ),
            "term": NameIndex(
                [NameEntry(bare_id(t.id), t.term.zh, t.term.en, t.aliases) for t in self._term_list]
            ),
            "topic": NameIndex(
                [NameEntry(bare_id(t.id), t.name.zh, t.name.en, ()) for t in self._topic_list]
            ),
        }
        self._labels: dict[Kind, list[str]] = {
            "speaker": [_pair(s.name.zh, s.name.en) for s in self._speaker_list],
            "term": self._summit_labels(
                self._term_list, [(t.term.en, t.term.zh) for t in self._term_list]
            ),
            "topic": self._summit_labels(
                self._topic_list, [(t.name.zh, t.name.en) for t in self._topic_list]
            ),
        }
        self._quote_text = QuoteTextIndex(
            [(q.text.zh, q.text.en, q.context.zh, q.context.en) for q in self._quote_list]
        )
        self._scanner = TermScanner([(t.term.zh, t.term.en, *t.aliases) for t in self._term_list])
        # A surface two summits' terms share is one match (the newest summit's term, as the
        # scanner keeps the first); `scan_terms(prefer=)` swaps in a given summit's own term.
        self._term_by_surface: dict[tuple[str, str], int] = {}
        for position, term in enumerate(self._term_list):
            pack_id = self.pack_of(term).id
            for form in (term.term.zh, term.term.en, *term.aliases):
                self._term_by_surface.setdefault((scan_fold(form), pack_id), position)
        # Autocomplete labels of quotes, made on first use: (position, in English) → choice.
        self._quote_choices: dict[tuple[int, bool], Suggestion] = {}
        # Short keys back to ids (`by_key`), per kind, made on first use: only clicks need them.
        self._keys: dict[Kind, KeyTable] = {}

    def _summit_labels(
        self, items: Sequence[Term | Topic], names: list[tuple[str, str]]
    ) -> list[str]:
        """Autocomplete labels; one whose name another summit's entry shares names its summit."""
        counts: dict[str, int] = {}
        for item, (first, second) in zip(items, names, strict=True):
            for name_key in {bare_id(item.id), fold(first), fold(second)}:
                counts[name_key] = counts.get(name_key, 0) + 1
        labels: list[str] = []
        for item, (first, second) in zip(items, names, strict=True):
            if any(counts[k] > 1 for k in {bare_id(item.id), fold(first), fold(second)}):
                event = self.pack_of(item).event.name
                labels.append(truncate(f"{first}{_SEPARATOR}{event.en}"))
            else:
                labels.append(_pair(first, second))
        return labels

    # -- pickling (a reload builds the catalog in another process) -------------------------

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in _READ_ONLY_TABLES:  # a mappingproxy does not pickle: send the dict
            state[name] = dict(state[name])
        # Memoised answers are rebuilt on demand; the receiver starts with empty ones.
        state["_quote_choices"] = {}
        state["_keys"] = {}
        state["_pack_keys"] = None
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

    def pack(self, pack_id: str) -> Pack | None:
        """The pack with this id, or None."""
        return self._packs_by_id.get(pack_id)

    @property
    def newest(self) -> Pack:
        """The summit with the latest date (the one `/summit` shows without an option)."""
        return self.newest_first[0]

    def find_event(self, query: str) -> Pack | None:
        """A summit by pack id or by its name in either language (case and spaces ignored)."""
        wanted = fold(query)
        if not wanted:
            return None
        for pack in self.newest_first:
            names = (pack.id, pack.event.name.zh, pack.event.name.en)
            if any(fold(name) == wanted for name in names):
                return pack
        return None

    def suggest_events(self, query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Summits, newest first, whose id or name contains the query (all when it is empty)."""
        wanted = fold(query)
        found: list[Suggestion] = []
        for pack in self.newest_first:
            event = pack.event
            names = (pack.id, event.name.zh, event.name.en)
            if wanted and not any(wanted in fold(name) for name in names):
                continue
            label = truncate(f"{event.name.zh} · {event.name.en} · {event.date.isoformat()}")
            found.append(Suggestion("event", pack.id, label))
        return found[: max(0, min(limit, MAX_SUGGESTIONS))]

    def pack_by_key(self, key: str) -> Pack | None:
        """The pack whose id has the short key `key` (`bot.catalog.short_key`), or None."""
        if self._pack_keys is None:
            self._pack_keys = KeyTable(self._packs_by_id)
        pack_id = self._pack_keys.resolve(key)
        return None if pack_id is None else self._packs_by_id.get(pack_id)

    def appearances(self, speaker_id: str) -> tuple[tuple[Pack, Speaker], ...]:
        """Every summit a person spoke at with how it presents them, newest first."""
        return self._appearances.get(speaker_id, ())

    def speaker_of(self, quote: Quote) -> Speaker:
        """The quote's speaker as the quote's own summit presents them (its role there)."""
        return self._pack_speakers[(self.pack_of(quote).id, quote.speaker)]

    def quotes_of_event(self, pack_id: str) -> tuple[Quote, ...]:
        """The quotes of one summit, in pack order."""
        return tuple(self._quote_list[i] for i in self._quote_positions_by_pack.get(pack_id, []))

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
            for match in self.scan_terms(text, prefer=self.pack_of(term).id)
        )

    def related_term(self, quote: Quote) -> Term | None:
        """A glossary term to show beside a quote: the first one it mentions, else one of its
        pack's terms sharing a topic with it, else None."""
        text = f"{quote.text.zh}\n{quote.text.en}"
        for match in self.scan_terms(text, prefer=self.pack_of(quote).id):
            return match.term
        topics = set(quote.topics)
        for term in self.pack_of(quote).terms:
            if topics.intersection(term.topics):
                return term
        return None

    # -- exact lookups ---------------------------------------------------------------------

    def by_key(self, kind: Kind, key: str) -> Item | None:
        """The item of `kind` whose id has the short key `key` (`bot.catalog.short_key`), or
        None when no id (or more than one) has it."""
        table = self._keys.get(kind)
        if table is None:
            ids = self._table(kind)
            # A button sent when an entry's key had another form (bare before another pack
            # shared its id) carries that form's short key: it resolves as the form does.
            aliases = ids.aliases() if isinstance(ids, KeyedTable) else {}
            table = self._keys[kind] = KeyTable(ids, aliases)
        item_id = table.resolve(key)
        return None if item_id is None else self._table(kind).get(item_id)

    def _table(self, kind: Kind) -> Mapping[str, Item]:
        tables: dict[Kind, Mapping[str, Item]] = {
            "speaker": self.speakers,
            "quote": self.quotes,
            "term": self.terms,
            "topic": self.topics,
        }
        return tables[kind]

    def find_speaker(self, query: str) -> Speaker | None:
        index = self._names["speaker"].find(query)
        return None if index is None else self._speaker_list[index]

    def find_term(self, query: str) -> Term | None:
        """A term by qualified key, or by id or name (the newest summit's when several are)."""
        if KEY_SEPARATOR in query:
            keyed = self.terms.get(query.strip().casefold())
            if keyed is not None:
                return keyed
        index = self._names["term"].find(query)
        return None if index is None else self._term_list[index]

    def terms_named(self, query: str) -> list[Term]:
        """Every summit's term a query names exactly, newest summit first ([] when none does):
        two summits may each define RLVR in their own words."""
        found = self.find_term(query)
        if found is None or (KEY_SEPARATOR in query and query.strip().casefold() in self.terms):
            return [] if found is None else [found]
        same = [self._term_list[i] for i in self._names["term"].exact_all(query)]
        return same if found in same else [found, *same]

    def terms_elsewhere(self, term: Term) -> list[Term]:
        """Other summits' terms with the same id or name as `term`, newest summit first
        (what `/glossary` lists below the one it shows)."""
        index = self._names["term"]
        positions = {
            position
            for name in (bare_id(term.id), term.term.zh, term.term.en)
            for position in index.exact_all(name)
        }
        own = self.pack_of(term).id
        return [
            self._term_list[p]
            for p in sorted(positions)
            if self.pack_of(self._term_list[p]).id != own
        ]

    def find_topic(self, query: str) -> Topic | None:
        """A topic by qualified key, or by id or name (the newest summit's when several are)."""
        if KEY_SEPARATOR in query:
            keyed = self.topics.get(query.strip().casefold())
            if keyed is not None:
                return keyed
        index = self._names["topic"].find(query)
        return None if index is None else self._topic_list[index]

    def topics_named(self, query: str) -> list[Topic]:
        """Every summit's topic a query names: a qualified key one, an id or name all of the
        summits' topics with that id or name (each pack may have its `agents`)."""
        found = self.find_topic(query)
        if found is None or (KEY_SEPARATOR in query and query.strip().casefold() in self.topics):
            return [] if found is None else [found]
        same = [self._topic_list[i] for i in self._names["topic"].exact_all(query)]
        return same if found in same else [found, *same]

    def topic_filter(self, query: str) -> Topic | None:
        """The topic a quote filter means: a key or `pack/id` names one summit's; an id or
        name that several summits' topics share names them all — returned as the newest's
        topic with the bare id as its `id`, which `search_quotes` and `topic_keys` read as
        every summit's topic with that id."""
        found = self.find_topic(query)
        if found is None or (KEY_SEPARATOR in query and query.strip().casefold() in self.topics):
            return found
        if len(self.topics_named(query)) > 1:
            return found.model_copy(update={"id": bare_id(found.id)})
        return found

    def topic_keys(self, topic_id: str) -> frozenset[str]:
        """The keys of the topics a filter's topic id means (see `topic_filter`)."""
        if topic_id in self.topics and self.topics[topic_id].id == topic_id:
            return frozenset((topic_id,))
        if KEY_SEPARATOR in topic_id:
            found = self.topics.get(topic_id)
            return frozenset(() if found is None else (found.id,))
        return frozenset(t.id for t in self.topics_named(topic_id))

    def topic_filter_by_key(self, key: str) -> str | None:
        """The topic id of a filter a button carries as `short_key`, or None: a shared bare
        id's key stays that bare id (every summit's topic, as `topic_filter` made it)."""
        found = self.by_key("topic", key)
        if found is None:
            return None
        bare = bare_id(found.id)
        if found.id != bare and short_key(bare) == key:
            return bare
        return found.id

    def find_quote(self, query: str) -> Quote | None:
        """A quote by key or id (case and surrounding spaces ignored)."""
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
        self,
        query: str | None = None,
        *,
        speaker: str | None = None,
        topic: str | None = None,
        event: str | None = None,
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
            found_topics = self.topics_named(topic)
            if not found_topics:
                return []
            in_topic = sorted(
                {
                    p
                    for found in found_topics
                    for p in self._quote_positions_by_topic.get(found.id, [])
                }
            )
            if pool is None:
                pool = in_topic
            else:
                allowed = set(in_topic)
                pool = [position for position in pool if position in allowed]
        if event is not None:
            found_event = self.pack(event) or self.find_event(event)
            if found_event is None:
                return []
            in_event = self._quote_positions_by_pack.get(found_event.id, [])
            if pool is None:
                pool = in_event
            else:
                allowed = set(in_event)
                pool = [position for position in pool if position in allowed]
        if pool is None and not (query and query.strip()):
            return list(self._quote_list)  # every quote (`/quote` with no filter): a C copy
        positions = self._quote_text.search(query or "", pool)
        return [self._quote_list[position] for position in positions]

    def scan_terms(self, text: str, prefer: str | None = None) -> list[TermMatch]:
        """Glossary terms in `text`: leftmost-longest, Latin on word boundaries, each once.

        A surface several summits define is one match: the term of summit `prefer` when it
        defines the surface, else the newest summit's."""
        matches: list[TermMatch] = []
        seen: set[str] = set()
        for index, start, end in self._scanner.scan(text):
            term = self._term_list[index]
            if prefer is not None and self.pack_of(term).id != prefer:
                own = self._term_by_surface.get((scan_fold(text[start:end]), prefer))
                term = term if own is None else self._term_list[own]
            if term.id not in seen:
                seen.add(term.id)
                matches.append(TermMatch(term, start, end, text[start:end]))
        return matches


def _kind_of(item: Item) -> Kind:
    if isinstance(item, Speaker):
        return "speaker"
    if isinstance(item, Quote):
        return "quote"
    if isinstance(item, Term):
        return "term"
    return "topic"
