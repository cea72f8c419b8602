"""Catalog keys when ids are unique per pack only.

A quote, term or topic id is unique within its pack; two packs may each define `rlvr`. In the
catalog an entry's `id` is its key: the bare id when no other loaded pack defines that id (so
a single summit's keys are its ids, as they always were), `pack/id` when another does; the
references to it (a quote's topics, a term's related terms and topics) use the same keys.

Any form is accepted wherever a key is looked up, so what was stored or sent under one form
keeps resolving under another (digest logs and cycles, whosaid rounds, `short_key`s in
buttons already sent): `pack/id` always means that pack's entry; a bare id means the one
entry with that id or, when several packs define it, the oldest summit's — the pack that had
the id while ids were unique across packs, when the bare id was stored.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, Mapping, ValuesView
from typing import TypeVar

from bot.catalog.models import KEY_SEPARATOR, Pack, Quote, Term, Topic, bare_id

_T = TypeVar("_T", Quote, Term, Topic)


def split_ref(pack_id: str, ref: str) -> tuple[str, str]:
    """(pack, id) of a reference written in pack `pack_id`: `other/id` or a bare `id`."""
    other, _, item_id = ref.rpartition(KEY_SEPARATOR)
    return (other or pack_id), item_id


def shared_ids(packs: Iterable[Pack]) -> dict[str, frozenset[str]]:
    """Per kind ("quote", "term", "topic"), the bare ids defined in more than one pack."""
    seen: dict[str, dict[str, int]] = {"quote": {}, "term": {}, "topic": {}}
    for pack in packs:
        for kind, ids in (
            ("quote", {bare_id(q.id) for q in pack.quotes}),
            ("term", {bare_id(t.id) for t in pack.terms}),
            ("topic", {bare_id(t.id) for t in pack.topics}),
        ):
            for item_id in ids:
                seen[kind][item_id] = seen[kind].get(item_id, 0) + 1
    return {kind: frozenset(i for i, n in counts.items() if n > 1) for kind, counts in seen.items()}


def key_for(pack_id: str, item_id: str, shared: frozenset[str]) -> str:
    """The catalog key of pack `pack_id`'s entry `item_id` (bare unless `shared`)."""
    return f"{pack_id}{KEY_SEPARATOR}{item_id}" if item_id in shared else item_id


def qualify_pack(pack: Pack, shared: Mapping[str, frozenset[str]]) -> Pack:
    """`pack` with its quotes, terms and topics keyed as the module doc says, references too.

    `pack` is as loaded (references as written); a pack taken from a catalog keeps its own
    keys, but a reference it has to another pack's unshared entry (now bare) no longer says
    which pack — harmless where only quote texts are read (`content verify --pack`)."""

    def own(kind: str, item_id: str) -> str:
        return key_for(pack.id, bare_id(item_id), shared[kind])

    def refs(kind: str, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(key_for(*split_ref(pack.id, value), shared[kind]) for value in values)

    return pack.model_copy(
        update={
            "quotes": tuple(
                q.model_copy(update={"id": own("quote", q.id), "topics": refs("topic", q.topics)})
                for q in pack.quotes
            ),
            "terms": tuple(
                t.model_copy(
                    update={
                        "id": own("term", t.id),
                        "related": refs("term", t.related),
                        "topics": refs("topic", t.topics),
                    }
                )
                for t in pack.terms
            ),
            "topics": tuple(t.model_copy(update={"id": own("topic", t.id)}) for t in pack.topics),
        }
    )


class KeyedTable(Mapping[str, _T]):
    """Entries by qualified key; a bare id resolves as the module doc says. Iterating,
    `len` and `keys()` see each entry once, by its qualified key. Read-only."""

    def __init__(self, entries: Iterable[tuple[str, _T]], oldest_first: Iterable[str]) -> None:
        """`entries`: (pack id, entry) pairs; `oldest_first`: every pack id, oldest first."""
        table: dict[str, _T] = {}
        qualified: dict[str, str] = {}
        rank = {pack_id: position for position, pack_id in enumerate(oldest_first)}
        legacy: dict[str, tuple[int, str]] = {}
        for pack_id, item in entries:
            if item.id in table:
                raise ValueError(f"{type(item).__name__.lower()} id {item.id!r} is used twice")
            table[item.id] = item
            bare = bare_id(item.id)
            qualified[f"{pack_id}{KEY_SEPARATOR}{bare}"] = item.id
            age = rank.get(pack_id, len(rank))
            current = legacy.get(bare)
            if current is None or age < current[0]:
                legacy[bare] = (age, item.id)
        self._table: dict[str, _T] = table
        self._aliases: dict[str, str] = {
            **{bare: found for bare, (_, found) in legacy.items() if bare not in table},
            **{q: found for q, found in qualified.items() if q not in table},
        }

    def canonical(self, item_id: str) -> str | None:
        """The qualified key `item_id` (qualified or bare) stands for, or None."""
        if item_id in self._table:
            return item_id
        return self._aliases.get(item_id)

    def aliases(self) -> Mapping[str, str]:
        """Other forms (bare or qualified) → the key they stand for: what the `short_key`s of
        buttons sent under another form resolve to."""
        return self._aliases

    def __getitem__(self, item_id: str) -> _T:
        found = self.canonical(item_id)
        if found is None:
            raise KeyError(item_id)
        return self._table[found]

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self.canonical(item_id) is not None

    def values(self) -> ValuesView[_T]:
        return self._table.values()

    def items(self) -> ItemsView[str, _T]:
        return self._table.items()

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)
