"""Checks across packs and the speaker registry: `pack/id` references, registry speakers,
surface forms naming two terms. Checks within one pack are `bot.catalog._checks`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalog._checks import Ids
from bot.catalog._errors import ContentIssue
from bot.catalog._messages import did_you_mean
from bot.catalog._normalize import key
from bot.catalog.models import KEY_SEPARATOR as REF_SEPARATOR
from bot.catalog.models import Quote, Term

if TYPE_CHECKING:
    from bot.catalog.loader import Item, LoadedPack


def check_catalog(packs: list[LoadedPack], people: LoadedPack) -> list[ContentIssue]:
    """Checks across packs and the registry: references to another pack's entries (`pack/id`),
    speakers resolved through the registry, no surface form naming two terms of one pack.

    Quote, term and topic ids are unique per pack: two packs may each define `rlvr`."""
    issues: list[ContentIssue] = []
    issues.extend(_cross_pack_references(packs))
    issues.extend(_speaker_registry_checks(packs, people))
    for pack in packs:
        issues.extend(_surface_conflicts(pack.items.get("term", [])))
    return issues


def _cross_pack_references(packs: list[LoadedPack]) -> list[ContentIssue]:
    """Every `pack/id` reference names a pack and an entry of the right kind in it."""
    by_id = {pack.id: pack for pack in packs}
    pack_ids = Ids(by_id)
    ids: dict[tuple[str, str], Ids | None] = {}

    def defined(pack: LoadedPack, kind: str) -> Ids | None:
        if (pack.id, kind) not in ids:
            ids[(pack.id, kind)] = (
                None
                if kind in pack.unreadable
                else Ids(item.id for item in pack.items.get(kind, []) if item.id)
            )
        return ids[(pack.id, kind)]

    issues: list[ContentIssue] = []
    for pack in packs:
        references: list[tuple[Item, str, str, tuple[str, ...]]] = []
        for item in pack.items.get("quote", []):
            if isinstance(item.model, Quote):
                references.append((item, "topics", "topic", item.model.topics))
        for item in pack.items.get("term", []):
            if isinstance(item.model, Term):
                references.append((item, "related", "term", item.model.related))
                references.append((item, "topics", "topic", item.model.topics))
        for item, field, kind, values in references:
            for position, value in enumerate(values):
                other_id, _, entry_id = value.rpartition(REF_SEPARATOR)
                if not other_id:
                    continue  # within the pack: `check_pack`
                other = by_id.get(other_id)
                line = item.line(field, position)
                if other is None:
                    issues.append(
                        ContentIssue(
                            item.file,
                            line,
                            f"{item.subject}: {field} '{value}' names pack '{other_id}', which "
                            f"does not exist{did_you_mean(other_id, pack_ids)}",
                        )
                    )
                    continue
                in_other = defined(other, kind)
                if in_other is not None and entry_id not in in_other:
                    issues.append(
                        ContentIssue(
                            item.file,
                            line,
                            f"{item.subject}: {field} '{value}': pack '{other_id}' has no {kind} "
                            f"'{entry_id}'{did_you_mean(entry_id, in_other)}",
                        )
                    )
    return issues


def _speaker_registry_checks(packs: list[LoadedPack], people: LoadedPack) -> list[ContentIssue]:
    """A pack speaker is a registry person (id only) or a person of that pack alone (named)."""
    issues: list[ContentIssue] = []
    registry = {
        item.id: item for item in _first_of_each_id(people.items.get("person", [])) if item.id
    }
    registry_ids = Ids(registry)
    readable = "person" not in people.unreadable
    named_in: dict[str, tuple[str, Item]] = {}  # a person named by a pack: the first pack
    for pack in packs:
        for item in _first_of_each_id(pack.items.get("speaker", [])):
            assert item.id is not None
            named = item.raw.get("name") is not None
            person = registry.get(item.id)
            if person is not None:
                for key in ("name", "aliases"):
                    if key in item.raw:
                        where = f"{person.file}:{person.line('id')}"
                        issues.append(
                            ContentIssue(
                                item.file,
                                item.line(key),
                                f"{item.subject}: `{key}` comes from the registry ({where}); "
                                "remove it here",
                            )
                        )
                continue
            if not named:
                hint = did_you_mean(item.id, registry_ids) if readable else ""
                issues.append(
                    ContentIssue(
                        item.file,
                        item.line("id"),
                        f"{item.subject} is not in the speaker registry {people.event_file.name}"
                        f"{hint}: add the person there, or give `name` here",
                    )
                )
                continue
            seen = named_in.get(item.id)
            if seen is None:
                named_in[item.id] = (pack.id, item)
            else:
                where = f"{seen[1].file}:{seen[1].line('id')}"
                issues.append(
                    ContentIssue(
                        item.file,
                        item.line("id"),
                        f"{item.subject} is also a speaker of pack '{seen[0]}' ({where}): "
                        f"one person, so define them once in {people.event_file.name} (id, name, "
                        "pinyin, aliases) and keep only the role and summary in each pack",
                    )
                )
    return issues


def _first_of_each_id(items: list[Item]) -> Iterator[Item]:
    seen: set[str] = set()
    for item in items:
        if item.id and item.id not in seen:
            seen.add(item.id)
            yield item


def _surfaces(term: Term) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
    """(location, label, text) of every form that names the term."""
    yield ("id",), "id", term.id
    yield ("term", "zh"), "term.zh", term.term.zh
    yield ("term", "en"), "term.en", term.term.en
    for position, alias in enumerate(term.aliases):
        yield ("aliases", position), "alias", alias


def _surface_conflicts(items: Iterable[Item]) -> list[ContentIssue]:
    """A name, alias or id may point at one term only (compared folded: case, width, 繁/简)."""
    issues: list[ContentIssue] = []
    owner: dict[str, tuple[str, Path, int]] = {}
    for item in items:
        term = item.model
        if not isinstance(term, Term):
            continue
        for loc, label, text in _surfaces(term):
            surface_key = key(text)
            if not surface_key:
                continue
            seen = owner.get(surface_key)
            if seen is None:
                owner[surface_key] = (term.id, item.file, item.line(*loc))
            elif seen[0] != term.id:
                issues.append(
                    ContentIssue(
                        item.file,
                        item.line(*loc),
                        f"{item.subject}: {label} '{text}' also names term '{seen[0]}' "
                        f"({seen[1]}:{seen[2]})",
                    )
                )
    return issues
