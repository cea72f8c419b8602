"""Load content packs from YAML, reporting every problem at once with file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.catalog import _catalog_checks, _checks
from bot.catalog._errors import ContentError, ContentIssue
from bot.catalog._messages import describe, message
from bot.catalog.drafts import find_todos
from bot.catalog.index import Catalog
from bot.catalog.models import Event, Pack, Person, Quote, Speaker, SpeakerEntry, Term, Topic
from bot.yamlguard import UnsafeYaml, echo, syntax_problem
from bot.yamllines import LineDict, LineList, line_of, load_yaml

EVENT_FILE = "event.yaml"
#: The shared speaker registry at the content root (optional): one entry per person.
PEOPLE_FILE = "people.yaml"
# file name → (top-level key, model, the word used for one item in messages)
LIST_FILES: dict[str, tuple[str, type[BaseModel], str]] = {
    "speakers.yaml": ("speakers", SpeakerEntry, "speaker"),
    "quotes.yaml": ("quotes", Quote, "quote"),
    "glossary.yaml": ("terms", Term, "term"),
    "topics.yaml": ("topics", Topic, "topic"),
}


@dataclass
class Item:
    """One entry of a pack file, valid or not, with where it came from."""

    kind: str
    file: Path
    raw: LineDict
    model: BaseModel | None
    id: str | None  # the raw id when it is a string, even if invalid

    @property
    def subject(self) -> str:
        if self.id:
            return f"{self.kind} '{echo(self.id)}'"
        return f"{self.kind} at line {self.raw.line}"

    def line(self, *loc: int | str) -> int:
        return line_of(self.raw, loc)


@dataclass
class LoadedPack:
    """A pack folder after parsing and per-item validation."""

    id: str
    folder: Path
    event_file: Path
    event_raw: LineDict | None = None
    event: Event | None = None
    items: dict[str, list[Item]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # kinds whose file could not be read
    issues: list[ContentIssue] = field(default_factory=list)

    def issue(self, file: Path, line: int, text: str) -> None:
        self.issues.append(ContentIssue(file, line, text))

    def valid(self, kind: str) -> list[Any]:
        return [item.model for item in self.items.get(kind, []) if item.model is not None]


def load_catalog(content_path: Path, *, drafts: bool = False) -> Catalog:
    """Load every pack under `content_path`; raise ContentError listing every problem.

    A draft pack (`draft: true`) and any TODO marker left in a pack are problems unless
    `drafts` is set and the pack is a draft (see `bot.catalog.drafts`).
    """
    if not content_path.is_dir():
        raise ContentError([ContentIssue(content_path, 0, "content folder does not exist")])
    folders = sorted(
        child
        for child in content_path.iterdir()
        if child.is_dir() and (child / EVENT_FILE).is_file()
    )
    if not folders:
        raise ContentError(
            [
                ContentIssue(
                    content_path, 0, f"no content pack found (a pack is a folder with {EVENT_FILE})"
                )
            ]
        )
    people = _load_people(content_path)
    packs = [_load_pack(folder) for folder in folders]
    issues = list(people.issues)
    issues.extend(issue for pack in packs for issue in pack.issues)
    for pack in packs:
        issues.extend(_draft_issues(pack, drafts))
    issues.extend(_catalog_checks.check_catalog(packs, people))
    if issues:
        raise ContentError(_unique(issues))
    registry = {person.id: person for person in people.valid("person")}
    return Catalog([_build(pack, registry) for pack in packs])


def _load_people(content_path: Path) -> LoadedPack:
    """The registry `people.yaml` as a pseudo-pack with one kind, "person" (empty if absent)."""
    file = content_path / PEOPLE_FILE
    people = LoadedPack(id=PEOPLE_FILE, folder=content_path, event_file=file)
    people.items["person"] = []
    if not file.is_file():
        return people
    data = _read(people, file)
    items = (
        None if data is _MISSING else _load_items(people, file, data, "people", Person, "person")
    )
    if items is None:
        people.unreadable.add("person")
    people.items["person"] = items or []
    people.issues.extend(_checks.check_people(people))
    return people


def _speaker(entry: SpeakerEntry, registry: dict[str, Person]) -> Speaker:
    """A pack's speaker entry with the person's name and aliases filled in from the registry."""
    person = registry.get(entry.id)
    fields = entry.model_dump(exclude={"name", "aliases"})
    if person is None:
        assert entry.name is not None  # checked: a person in no registry names themselves
        return Speaker(name=entry.name, aliases=entry.aliases, **fields)
    names = {person.name.zh.casefold(), person.name.en.casefold()}
    extra = (person.pinyin,) if person.pinyin else ()
    aliases = tuple(
        alias for alias in dict.fromkeys((*extra, *person.aliases)) if alias.casefold() not in names
    )
    return Speaker(name=person.name, aliases=aliases, **fields)


def _build(pack: LoadedPack, registry: dict[str, Person]) -> Pack:
    """The validated pack (only called when no issue was found anywhere)."""
    assert pack.event is not None
    return Pack(
        id=pack.id,
        event=pack.event,
        speakers=tuple(_speaker(entry, registry) for entry in pack.valid("speaker")),
        quotes=tuple(pack.valid("quote")),
        terms=tuple(pack.valid("term")),
        topics=tuple(pack.valid("topic")),
    )


def _draft_issues(pack: LoadedPack, drafts: bool) -> list[ContentIssue]:
    """What is left in a draft (or a marker forgotten in a finished pack)."""
    is_draft = pack.event_raw is not None and pack.event_raw.get("draft") is True
    if drafts and is_draft:
        return []
    issues = [
        ContentIssue(todo.file, todo.line, f"draft: {todo.label}", todo.label)
        for todo in find_todos(pack.folder)
    ]
    if is_draft:
        assert pack.event_raw is not None
        line = pack.event_raw.key_lines.get("draft", pack.event_raw.line)
        issues.append(
            ContentIssue(
                pack.event_file,
                line,
                "the pack is a draft: finish every TODO, then remove `draft: true` "
                "(`summitbot check --drafts` accepts drafts for previewing)",
            )
        )
    return issues


def _unique(issues: list[ContentIssue]) -> list[ContentIssue]:
    return list(dict.fromkeys(issues))


def _load_pack(folder: Path) -> LoadedPack:
    pack = LoadedPack(id=folder.name, folder=folder, event_file=folder / EVENT_FILE)
    event_data = _read(pack, pack.event_file)
    if event_data is not _MISSING:
        _load_event(pack, event_data)
    for name, (top_key, model, kind) in LIST_FILES.items():
        file = folder / name
        data = _read(pack, file)
        items = None if data is _MISSING else _load_items(pack, file, data, top_key, model, kind)
        if items is None:
            pack.unreadable.add(kind)
        pack.items[kind] = items or []
    pack.issues.extend(_checks.check_pack(pack))
    return pack


_MISSING: Any = object()


def _read(pack: LoadedPack, file: Path) -> Any:
    """Parse one file; on any problem record it and return _MISSING."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        pack.issue(file, 0, "file is missing")
        return _MISSING
    except (OSError, UnicodeDecodeError) as error:
        pack.issue(file, 0, f"cannot read file: {error}")
        return _MISSING
    try:
        data, duplicates = load_yaml(text)
    except UnsafeYaml as error:
        pack.issue(file, error.problem.line or 0, error.problem.message)
        return _MISSING
    except yaml.YAMLError as error:
        problem = syntax_problem(error, text)
        pack.issue(file, problem.line or 0, problem.message)
        return _MISSING
    for duplicate in duplicates:
        pack.issue(
            file,
            duplicate.line,
            f"duplicate key `{echo(duplicate.key)}` (first at line {duplicate.first_line})",
        )
    return data


def _load_event(pack: LoadedPack, data: Any) -> None:
    if not isinstance(data, LineDict):
        pack.issue(
            pack.event_file, 1, f"expected a mapping with the event's keys, got {describe(data)}"
        )
        return
    pack.event_raw = data
    try:
        pack.event = Event.model_validate(data)
    except ValidationError as error:
        _report(pack, pack.event_file, data, Event, error, "event")


def _load_items(
    pack: LoadedPack, file: Path, data: Any, top_key: str, model: type[BaseModel], kind: str
) -> list[Item] | None:
    """The file's entries, or None when its structure is too broken to list them."""
    if not isinstance(data, LineDict):
        line = getattr(data, "line", 1)
        pack.issue(file, line, f"expected a mapping with the key `{top_key}`, got {describe(data)}")
        return None
    for other in data:
        if other != top_key:
            pack.issue(
                file,
                data.key_lines.get(other, data.line),
                f"unknown top-level key `{echo(other)}` (expected `{top_key}`)",
            )
    if top_key not in data:
        pack.issue(file, data.line, f"missing top-level key `{top_key}`")
        return None
    entries = data[top_key]
    if not isinstance(entries, LineList):
        line = data.key_lines[top_key]
        pack.issue(file, line, f"`{top_key}` must be a list, got {describe(entries)}")
        return None
    items: list[Item] = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, LineDict):
            line = entries.item_lines[position]
            pack.issue(file, line, f"{kind} entries must be mappings, got {describe(entry)}")
            continue
        raw_id = entry.get("id")
        item = Item(kind, file, entry, None, raw_id if isinstance(raw_id, str) and raw_id else None)
        try:
            item.model = model.model_validate(entry)
        except ValidationError as error:
            _report(pack, file, entry, model, error, item.subject)
        items.append(item)
    return items


def _report(
    pack: LoadedPack,
    file: Path,
    data: LineDict,
    model: type[BaseModel],
    error: ValidationError,
    subject: str,
) -> None:
    for detail in error.errors(include_url=False):
        loc = _data_loc(data, detail["loc"], detail["type"])
        detail["loc"] = loc
        pack.issue(file, line_of(data, loc), f"{subject}: {message(model, detail)}")


def _data_loc(data: Any, loc: tuple[int | str, ...], kind: str) -> tuple[int | str, ...]:
    """Drop pydantic's union-member tags (e.g. `published.date`) that are not in the data."""
    kept: list[int | str] = []
    node = data
    for position, part in enumerate(loc):
        if _has(node, part):
            node = node[part]
        elif not isinstance(node, dict) and not (
            position == len(loc) - 1 and kind in {"missing", "extra_forbidden"}
        ):
            continue  # not a key or index: pydantic's name for a union member
        kept.append(part)
    return tuple(kept)


def _has(node: Any, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
