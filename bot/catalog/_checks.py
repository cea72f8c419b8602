"""Checks within one pack or the speaker registry: ids, references, aliases, lengths.

Checks across packs are `bot.catalog._catalog_checks`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.catalog._errors import ContentIssue
from bot.catalog._messages import did_you_mean, format_path
from bot.catalog.models import (
    KEY_SEPARATOR as REF_SEPARATOR,
)
from bot.catalog.models import (
    LANGS,
    Person,
    Quote,
    SpeakerEntry,
    Term,
    Text,
    Topic,
)
from bot.yamllines import line_of

if TYPE_CHECKING:
    from bot.catalog.loader import Item, LoadedPack

# Character limits, chosen from how the renderer shows each field (Discord's embed limits:
# description 4,096, field value 1,024, choice name 100). A quote shows both languages in one
# description, so zh + en together stay well inside it with room for attribution.
NAME_LIMIT = 100  # names, terms, section titles, aliases: autocomplete labels and titles
ROLE_LIMIT = 256
QUOTE_TEXT_LIMIT = 3000  # text.zh + text.en
FIELD_LIMIT = 1024  # definitions, contexts, section summaries: one embed field each
SUMMARY_LIMIT = 2048  # speaker and event summaries
POINT_LIMIT = 300

_KINDS = ("speaker", "quote", "term", "topic")


def check_pack(pack: LoadedPack) -> list[ContentIssue]:
    """Checks within one pack, over every entry that parsed (valid or not)."""
    issues: list[ContentIssue] = []
    issues.extend(_event_checks(pack))
    for kind in _KINDS:
        issues.extend(_duplicate_ids(pack.items.get(kind, []), kind))
    # References are checked against every entry that has an id, valid or not, and not at
    # all against a file that could not be read: one broken file is one problem, not fifty.
    ids: dict[str, list[str] | None] = {
        kind: None
        if kind in pack.unreadable
        else Ids(item.id for item in pack.items.get(kind, []) if item.id)
        for kind in _KINDS
    }
    section_ids = _section_ids(pack)
    sections = None if section_ids is None else Ids(section_ids)
    for item in pack.items.get("quote", []):
        if isinstance(item.model, Quote):
            issues.extend(_quote_checks(item, item.model, ids, sections))
    for item in pack.items.get("term", []):
        if isinstance(item.model, Term):
            issues.extend(_term_checks(item, item.model, ids))
    for item in pack.items.get("speaker", []):
        if isinstance(item.model, SpeakerEntry):
            issues.extend(_speaker_checks(item, item.model))
    for item in pack.items.get("topic", []):
        if isinstance(item.model, Topic):
            issues.extend(_length(item, ("name",), item.model.name, NAME_LIMIT))
    return issues


def check_people(people: LoadedPack) -> list[ContentIssue]:
    """Checks within the speaker registry `people.yaml`: unique ids, name and alias lengths."""
    items = people.items.get("person", [])
    issues = _duplicate_ids(items, "person")
    for item in items:
        if isinstance(item.model, Person):
            issues += _length(item, ("name",), item.model.name, NAME_LIMIT)
            issues += _alias_lengths(item, item.model.aliases)
    return issues


class Ids(list[str]):
    """Ids in file order (what "did you mean" hints choose from) with set-speed membership:
    every reference of a big pack (100,000 quotes, 10,000 terms) is checked against them."""

    def __init__(self, ids: Iterable[str]) -> None:
        super().__init__(ids)
        self._members = frozenset(self)

    def __contains__(self, value: object) -> bool:
        return value in self._members


def _section_ids(pack: LoadedPack) -> list[str] | None:
    """Section ids from the event, or from its raw data when the event itself is invalid."""
    if pack.event is not None:
        return [section.id for section in pack.event.sections]
    sections = pack.event_raw.get("sections") if pack.event_raw is not None else None
    if not isinstance(sections, list):
        return None
    return [
        entry["id"]
        for entry in sections
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    ]


def _event_checks(pack: LoadedPack) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    event, raw, file = pack.event, pack.event_raw, pack.event_file
    if raw is None:
        return issues

    def at(*loc: int | str) -> int:
        return line_of(raw, loc)

    event_id = raw.get("id")
    if isinstance(event_id, str) and event_id != pack.id:
        issues.append(
            ContentIssue(
                file, at("id"), f"event id '{event_id}' must equal the pack folder name '{pack.id}'"
            )
        )
    if event is None:
        return issues
    first: dict[str, int] = {}
    for position, section in enumerate(event.sections):
        line = at("sections", position, "id")
        if section.id in first:
            issues.append(
                ContentIssue(
                    file,
                    line,
                    f"section '{section.id}' is defined twice (first at line {first[section.id]})",
                )
            )
        else:
            first[section.id] = line
    limits: list[tuple[tuple[int | str, ...], Text, int]] = [
        (("name",), event.name, NAME_LIMIT),
        (("host",), event.host, ROLE_LIMIT),
        (("summary",), event.summary, SUMMARY_LIMIT),
    ]
    for position, section in enumerate(event.sections):
        limits.append((("sections", position, "title"), section.title, NAME_LIMIT))
        limits.append((("sections", position, "summary"), section.summary, FIELD_LIMIT))
    for loc, text, limit in limits:
        for lang in LANGS:
            size = len(text.get(lang))
            if size > limit:
                issues.append(
                    ContentIssue(
                        file,
                        at(*loc, lang),
                        f"event: {format_path((*loc, lang))} is {size} characters (limit {limit})",
                    )
                )
    return issues


def _duplicate_ids(items: list[Item], kind: str) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    first: dict[str, int] = {}
    for item in items:
        if not item.id:
            continue
        line = item.line("id")
        if item.id in first:
            issues.append(
                ContentIssue(
                    item.file,
                    line,
                    f"{kind} '{item.id}' is defined twice (first at line {first[item.id]})",
                )
            )
        else:
            first[item.id] = line
    return issues


def _reference(
    item: Item,
    loc: tuple[int | str, ...],
    what: str,
    value: str,
    defined: list[str] | None,
) -> list[ContentIssue]:
    if defined is None or value in defined or REF_SEPARATOR in value:
        return []  # `other-pack/id`: checked with every pack (`_catalog_checks`)
    hint = did_you_mean(value, defined)
    return [
        ContentIssue(
            item.file,
            item.line(*loc),
            f"{item.subject}: {what} '{value}' is not defined{hint}",
        )
    ]


def _reference_list(
    item: Item, field: str, what: str, values: tuple[str, ...], defined: list[str] | None
) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    seen: set[str] = set()
    for position, value in enumerate(values):
        if value in seen:
            issues.append(
                ContentIssue(
                    item.file,
                    item.line(field, position),
                    f"{item.subject}: {field} lists '{value}' twice",
                )
            )
            continue
        seen.add(value)
        issues.extend(_reference(item, (field, position), what, value, defined))
    return issues


def _quote_checks(
    item: Item,
    quote: Quote,
    ids: dict[str, list[str] | None],
    sections: list[str] | None,
) -> list[ContentIssue]:
    issues = _reference(item, ("speaker",), "speaker", quote.speaker, ids["speaker"])
    issues += _reference(item, ("section",), "section", quote.section, sections)
    issues += _reference_list(item, "topics", "topic", quote.topics, ids["topic"])
    size = len(quote.text.zh) + len(quote.text.en)
    if size > QUOTE_TEXT_LIMIT:
        issues.append(
            ContentIssue(
                item.file,
                item.line("text"),
                f"{item.subject}: text is {size} characters in zh and en together "
                f"(limit {QUOTE_TEXT_LIMIT})",
            )
        )
    issues += _length(item, ("context",), quote.context, FIELD_LIMIT)
    return issues


def _term_checks(item: Item, term: Term, ids: dict[str, list[str] | None]) -> list[ContentIssue]:
    issues = _reference_list(item, "mentioned_by", "speaker", term.mentioned_by, ids["speaker"])
    for position, related in enumerate(term.related):
        if related == term.id:
            issues.append(
                ContentIssue(
                    item.file,
                    item.line("related", position),
                    f"{item.subject}: related lists the term itself",
                )
            )
    terms = ids["term"]
    references = tuple(r for r in term.related if r != term.id)
    others = terms
    if terms is not None and any(r not in terms for r in references):
        # A dangling reference: its hint must not suggest the term itself. Built only then,
        # since copying 10,000 ids for each of 10,000 terms dominated loading big packs.
        others = [term_id for term_id in terms if term_id != term.id]
    issues += _reference_list(item, "related", "related term", references, others)
    issues += _reference_list(item, "topics", "topic", term.topics, ids["topic"])
    issues += _length(item, ("term",), term.term, NAME_LIMIT)
    issues += _length(item, ("definition",), term.definition, FIELD_LIMIT)
    issues += _alias_lengths(item, term.aliases)
    return issues


def _speaker_checks(item: Item, speaker: SpeakerEntry) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    if speaker.name is not None:
        issues += _length(item, ("name",), speaker.name, NAME_LIMIT)
    issues += _length(item, ("role",), speaker.role, ROLE_LIMIT)
    issues += _length(item, ("summary",), speaker.summary, SUMMARY_LIMIT)
    for position, point in enumerate(speaker.points):
        issues += _length(item, ("points", position), point, POINT_LIMIT)
    issues += _alias_lengths(item, speaker.aliases)
    return issues


def _length(item: Item, loc: tuple[int | str, ...], text: Text, limit: int) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    for lang in LANGS:
        size = len(text.get(lang))
        if size > limit:
            issues.append(
                ContentIssue(
                    item.file,
                    item.line(*loc, lang),
                    f"{item.subject}: {format_path((*loc, lang))} is {size} characters "
                    f"(limit {limit})",
                )
            )
    return issues


def _alias_lengths(item: Item, aliases: tuple[str, ...]) -> list[ContentIssue]:
    return [
        ContentIssue(
            item.file,
            item.line("aliases", position),
            f"{item.subject}: alias '{alias[:20]}…' is {len(alias)} characters "
            f"(limit {NAME_LIMIT})",
        )
        for position, alias in enumerate(aliases)
        if len(alias) > NAME_LIMIT
    ]
