"""The in-memory catalog: every pack's content plus the indexes that answer queries fast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from bot.catalog._keys import KeyTable, short_key
from bot.catalog._mentions import TermMatch, TermMentions
from bot.catalog._named import SummitEntries
from bot.catalog._names import NameEntry, NameIndex
from bot.catalog._qualified import KeyedTable, qualify_pack, shared_ids
from bot.catalog._quotes import QuoteTextIndex
from bot.catalog._suggest import (
    MAX_SUGGESTIONS,
    Kind,
    NameKind,
    Suggester,
    Suggestion,
    clamp,
)
from bot.catalog._summits import Summits
from bot.catalog.models import Event, Pack, Quote, Section, Speaker, Term, Topic, bare_id

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

__all__ = ["Catalog", "Item", "Kind", "Suggestion", "TermMatch"]

Item = Speaker | Quote | Term | Topic

_T = TypeVar("_T", Speaker, Quote, Term, Topic)


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

    The queries that are an idea of their own live in helpers built here and called one level
    down: summits (`_summits`), terms and topics across summits (`_named`), autocomplete
    (`_suggest`), term mentions (`_mentions`). The hot lookups (`pack_of`, `by_key`,
    `find_quote`, `search_quotes`) read this object's own tables directly.
    """

    def __init__(self, packs: Sequence[Pack]) -> None:
        shared = shared_ids(packs)
        self.packs: tuple[Pack, ...] = tuple(qualify_pack(pack, shared) for pack in packs)
        if len({pack.id for pack in self.packs}) != len(self.packs):
            raise ValueError("two packs share an id")
        self._summits = Summits(self.packs)
        self._packs_by_id = self._summits.by_id
        self.newest_first = self._summits.newest_first
        # One person may speak at several summits (the shared registry): `speakers` holds each
        # person once, as the newest summit presents them; `appearances` every summit's view.
        self._appearances = self._summits.appearances
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
        for pack in self.packs:
            for kind, items in (
                ("quote", pack.quotes),
                ("term", pack.terms),
                ("topic", pack.topics),
            ):
                for item in items:
                    self._pack_of[(kind, item.id)] = pack
        for sid, found in self._appearances.items():
            self._pack_of[("speaker", sid)] = found[0][0]  # the newest summit they spoke at
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
        self._names: dict[NameKind, NameIndex] = {
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
        self._quote_text = QuoteTextIndex(
            [(q.text.zh, q.text.en, q.context.zh, q.context.en) for q in self._quote_list]
        )
        term_packs = [self._pack_of[("term", t.id)] for t in self._term_list]
        topic_packs = [self._pack_of[("topic", t.id)] for t in self._topic_list]
        term_pack_ids = [p.id for p in term_packs]
        self._term_entries = SummitEntries(
            self.terms, self._term_list, term_pack_ids, self._names["term"]
        )
        self._topic_entries = SummitEntries(
            self.topics, self._topic_list, [p.id for p in topic_packs], self._names["topic"]
        )
        self._mentions = TermMentions(
            self._term_list, term_pack_ids, self._quote_list, self._quote_text
        )
        self._suggester = Suggester(
            self._names,
            self._quote_text,
            self._speaker_list,
            self._term_list,
            self._topic_list,
            self._quote_list,
            [p.event.name for p in term_packs],
            [p.event.name for p in topic_packs],
        )
        # Short keys back to ids (`by_key`), per kind, made on first use: only clicks need them.
        self._keys: dict[Kind, KeyTable] = {}

    # -- pickling (a reload builds the catalog in another process) -------------------------

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in _READ_ONLY_TABLES:  # a mappingproxy does not pickle: send the dict
            state[name] = dict(state[name])
        # Memoised answers are rebuilt on demand; the receiver starts with empty ones.
        state["_keys"] = {}
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
    def every_quote(self) -> tuple[Quote, ...]:
        """Every quote of every summit, in pack order (what `/quote` with no filter picks from)."""
        return self._quote_list

    @property
    def newest(self) -> Pack:
        """The summit with the latest date (the one `/summit` shows without an option)."""
        return self.newest_first[0]

    def find_event(self, query: str) -> Pack | None:
        """A summit by pack id or by its name in either language (case and spaces ignored)."""
        return self._summits.find(query)

    def suggest_events(self, query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Summits, newest first, whose id or name contains the query (all when it is empty)."""
        return self._summits.suggest(query, limit)

    def pack_by_key(self, key: str) -> Pack | None:
        """The pack whose id has the short key `key` (`bot.catalog.short_key`), or None."""
        return self._summits.by_key(key)

    def appearances(self, speaker_id: str) -> tuple[tuple[Pack, Speaker], ...]:
        """Every summit a person spoke at with how it presents them, newest first."""
        return self._appearances.get(speaker_id, ())

    def speaker_of(self, quote: Quote) -> Speaker:
        """The quote's speaker as the quote's own summit presents them (its role there)."""
        return self._summits.speaker(self.pack_of(quote).id, quote.speaker)

    def quotes_of_event(self, pack_id: str) -> tuple[Quote, ...]:
        """The quotes of one summit, in pack order."""
        return tuple(self._quote_list[i] for i in self._quote_positions_by_pack.get(pack_id, []))

    def section_of(self, quote: Quote) -> Section:
        return self._summits.section(self.pack_of(quote).id, quote.section)

    def quotes_by(self, speaker_id: str) -> tuple[Quote, ...]:
        return self._quotes_by_speaker.get(speaker_id, ())

    def best_quote_mentioning(
        self, term: Term, key: Callable[[Quote], SupportsRichComparison]
    ) -> Quote | None:
        """The first by `key` of the quotes whose zh or en text mentions the term or an alias
        (as `scan_terms` sees it), None when none does. Candidates are ranked first and checked
        best first, so a term found in thousands of quotes costs one ranking and a scan or two,
        not thousands of scans."""
        return self._mentions.best_quote_mentioning(term, self.pack_of(term).id, key)

    def related_term(self, quote: Quote) -> Term | None:
        """A glossary term to show beside a quote: the first one it mentions, else one of its
        pack's terms sharing a topic with it, else None."""
        return self._mentions.related_term(quote, self.pack_of(quote))

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
        return self._term_entries.find(query)

    def terms_named(self, query: str) -> list[Term]:
        """Every summit's term a query names exactly, newest summit first ([] when none does):
        two summits may each define RLVR in their own words."""
        return self._term_entries.named(query)

    def terms_elsewhere(self, term: Term) -> list[Term]:
        """Other summits' terms with the same id or name as `term`, newest summit first
        (what `/glossary` lists below the one it shows)."""
        names = (term.term.zh, term.term.en)
        return self._term_entries.elsewhere(term, names, self.pack_of(term).id)

    def find_topic(self, query: str) -> Topic | None:
        """A topic by qualified key, or by id or name (the newest summit's when several are)."""
        return self._topic_entries.find(query)

    def topics_named(self, query: str) -> list[Topic]:
        """Every summit's topic a query names: a qualified key one, an id or name all of the
        summits' topics with that id or name (each pack may have its `agents`)."""
        return self._topic_entries.named(query)

    def topic_filter(self, query: str) -> Topic | None:
        """The topic a quote filter means: a key or `pack/id` names one summit's; an id or
        name that several summits' topics share names them all — returned as the newest's
        topic with the bare id as its `id`, which `search_quotes` and `topic_keys` read as
        every summit's topic with that id."""
        return self._topic_entries.filter(query)

    def topic_keys(self, topic_id: str) -> frozenset[str]:
        """The keys of the topics a filter's topic id means (see `topic_filter`)."""
        return self._topic_entries.keys(topic_id)

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

    # -- autocomplete (`bot.catalog._suggest`) --------------------------------------------

    def suggest(self, kind: Kind, query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Ranked choices: exact > prefix > alias/pinyin > fuzzy; ≤ limit (≤ 25), one per entry."""
        limit = clamp(limit)
        if kind == "quote":
            return self._suggester.quotes(query, limit, self._quotes_named_by)
        return self._suggester.names(kind, query, limit)

    def _quotes_named_by(self, query: str) -> Iterator[tuple[int, bool]]:
        """The quote whose key `query` is, then the speaker's it names (as `search_quotes`
        reads it), as (position, label in English) pairs."""
        exact = self.find_quote(query)
        if exact is not None:
            yield self._quote_position[exact.id], False
        named = self.speaker_named_by(query)
        if named is not None:
            in_english = query.isascii()
            for position in self._quote_positions_by_speaker.get(named.id, []):
                yield position, in_english

    def did_you_mean(self, kind: Kind, query: str, limit: int = 5) -> list[Suggestion]:
        """Fuzzy matches for a query that found nothing, best first."""
        return self._suggester.did_you_mean(kind, query, limit)

    def candidates(self, kind: Kind, query: str, limit: int = 5) -> list[Suggestion]:
        """What a query that names nothing exactly may mean, best first, ≤ limit: every entry
        it starts, spells or is contained in (both Yangs for "yang"), then fuzzy matches
        (typos). For quotes, the fuzzy matches alone."""
        return self._suggester.candidates(kind, query, limit)

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
            found_topics = self._topic_entries.named(topic)
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
            found_event = self.pack(event) or self._summits.find(event)
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
        return self._mentions.scan(text, prefer)


def _kind_of(item: Item) -> Kind:
    if isinstance(item, Speaker):
        return "speaker"
    if isinstance(item, Quote):
        return "quote"
    if isinstance(item, Term):
        return "term"
    return "topic"
