"""The packs as summits: newest first, by name or short key, and who spoke at which."""

from __future__ import annotations

from collections.abc import Sequence

from bot.catalog._keys import KeyTable
from bot.catalog._normalize import fold
from bot.catalog._suggest import Suggestion, clamp, truncate
from bot.catalog.models import Pack, Section, Speaker


class Summits:
    """The summits of a catalog's packs (their ids unique), indexed once."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.by_id = {pack.id: pack for pack in packs}
        self.newest_first: tuple[Pack, ...] = tuple(
            sorted(packs, key=lambda pack: (pack.event.date, pack.id), reverse=True)
        )
        # One person may speak at several summits (the shared registry): every summit's view
        # of them, newest first.
        appearances: dict[str, list[tuple[Pack, Speaker]]] = {}
        for pack in self.newest_first:
            for speaker in pack.speakers:
                appearances.setdefault(speaker.id, []).append((pack, speaker))
        self.appearances = {sid: tuple(found) for sid, found in appearances.items()}
        self._speakers: dict[tuple[str, str], Speaker] = {}
        self._sections: dict[tuple[str, str], Section] = {}
        for pack in packs:
            for speaker in pack.speakers:
                self._speakers[(pack.id, speaker.id)] = speaker
            for section in pack.event.sections:
                self._sections[(pack.id, section.id)] = section
        # Short keys back to pack ids (`by_key`), made on first use: only clicks need them.
        self._keys: KeyTable | None = None

    def __getstate__(self) -> dict[str, object]:
        # Memoised answers are rebuilt on demand; the receiver starts with empty ones.
        return {**self.__dict__, "_keys": None}

    def speaker(self, pack_id: str, speaker_id: str) -> Speaker:
        """The speaker as summit `pack_id` presents them. Raises KeyError if they did not speak."""
        return self._speakers[(pack_id, speaker_id)]

    def section(self, pack_id: str, section_id: str) -> Section:
        """A section of summit `pack_id`. Raises KeyError for an unknown one."""
        return self._sections[(pack_id, section_id)]

    def find(self, query: str) -> Pack | None:
        """A summit by pack id or by its name in either language (case and spaces ignored)."""
        wanted = fold(query)
        if not wanted:
            return None
        for pack in self.newest_first:
            names = (pack.id, pack.event.name.zh, pack.event.name.en)
            if any(fold(name) == wanted for name in names):
                return pack
        return None

    def suggest(self, query: str, limit: int) -> list[Suggestion]:
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
        return found[: clamp(limit)]

    def by_key(self, key: str) -> Pack | None:
        """The pack whose id has the short key `key` (`bot.catalog.short_key`), or None."""
        if self._keys is None:
            self._keys = KeyTable(self.by_id)
        pack_id = self._keys.resolve(key)
        return None if pack_id is None else self.by_id.get(pack_id)
