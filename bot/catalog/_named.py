"""Terms and topics by key, id or name when several summits may define the same one.

A qualified key (`pack/id`) names one summit's entry; a bare id or a name names every
summit's entry with that id or name, the newest summit's first (see `bot.catalog._qualified`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from bot.catalog._names import NameIndex
from bot.catalog._qualified import KeyedTable
from bot.catalog.models import KEY_SEPARATOR, Term, Topic, bare_id

_E = TypeVar("_E", Term, Topic)


class SummitEntries(Generic[_E]):
    """One kind's entries (newest summit first) with their name index, read by position.

    `packs[i]` is the pack id of `entries[i]`; `names` indexes them by bare id and name.
    """

    def __init__(
        self, table: KeyedTable[_E], entries: Sequence[_E], packs: Sequence[str], names: NameIndex
    ) -> None:
        self._table: KeyedTable[_E] = table
        self._entries: Sequence[_E] = entries
        self._packs = packs
        self._names = names

    def _keyed(self, query: str) -> bool:
        """Whether `query` is a qualified key of an entry (it names that summit's alone)."""
        return KEY_SEPARATOR in query and query.strip().casefold() in self._table

    def find(self, query: str) -> _E | None:
        """An entry by qualified key, or by id or name (the newest summit's when several are)."""
        if KEY_SEPARATOR in query:
            keyed = self._table.get(query.strip().casefold())
            if keyed is not None:
                return keyed
        index = self._names.find(query)
        return None if index is None else self._entries[index]

    def named(self, query: str) -> list[_E]:
        """Every summit's entry a query names, newest summit first ([] when none does): a
        qualified key one, an id or name all of the summits' entries with that id or name."""
        found = self.find(query)
        if found is None or self._keyed(query):
            return [] if found is None else [found]
        same = [self._entries[i] for i in self._names.exact_all(query)]
        if found not in same:
            same.insert(0, found)
        return same

    def elsewhere(self, entry: _E, names: Iterable[str], own_pack: str) -> list[_E]:
        """Other summits' entries with the id of `entry` (of pack `own_pack`) or one of
        `names`, newest summit first."""
        positions = {
            position
            for name in (bare_id(entry.id), *names)
            for position in self._names.exact_all(name)
        }
        return [self._entries[p] for p in sorted(positions) if self._packs[p] != own_pack]

    def filter(self, query: str) -> _E | None:
        """The entry a filter means: a key or `pack/id` names one summit's; an id or name
        that several summits' entries share names them all — returned as the newest's entry
        with the bare id as its `id`, which `keys` reads as every summit's entry with that id."""
        found = self.find(query)
        if found is None or self._keyed(query):
            return found
        if len(self.named(query)) > 1:
            return found.model_copy(update={"id": bare_id(found.id)})
        return found

    def keys(self, entry_id: str) -> frozenset[str]:
        """The keys of the entries a filter's id means (see `filter`)."""
        if entry_id in self._table and self._table[entry_id].id == entry_id:
            return frozenset((entry_id,))
        if KEY_SEPARATOR in entry_id:
            found = self._table.get(entry_id)
            return frozenset(() if found is None else (found.id,))
        return frozenset(e.id for e in self.named(entry_id))
