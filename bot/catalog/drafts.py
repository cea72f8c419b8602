"""Draft packs: `draft: true` in event.yaml, and `TODO(verb noun)` markers for what is left.

A marker is a value such as `TODO(translate quote)` or a comment such as
`# TODO(confirm attribution): …`; anything after the closing parenthesis is a hint. `check`
refuses a pack with markers or `draft: true` and lists the markers grouped by their label
("translate 45 quotes"), counting each pack entry (a `- id:` item) once per label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"TODO\((?P<verb>[a-z]+) (?P<noun>[a-z ]+)\)(?::\s*(?P<hint>[^\"#]*))?")
_ITEM = re.compile(r"^\s*- (?:\{\s*)?id:")
PACK_FILES = ("event.yaml", "speakers.yaml", "quotes.yaml", "glossary.yaml", "topics.yaml")
_VERB_ORDER = ("translate", "confirm", "write")
_PLURALS = {"summary": "summaries", "attribution": "attributions", "entry": "entries"}


@dataclass(frozen=True)
class Todo:
    """One marker: where it is, the label (`translate quote`) and the entry it belongs to."""

    file: Path
    line: int
    label: str
    hint: str
    item_line: int  # the line of its `- id:` entry; 0 when it is in the file's top level


@dataclass(frozen=True)
class TodoGroup:
    label: str
    count: int  # entries, not markers: a speaker's summary in zh and en is one summary
    todos: tuple[Todo, ...]

    @property
    def heading(self) -> str:
        verb, _, noun = self.label.partition(" ")
        words = noun.split()
        if self.count != 1 and words:
            words[-1] = _PLURALS.get(words[-1], words[-1] + "s")
        return f"{verb} {self.count} {' '.join(words)}"


def find_todos(folder: Path) -> list[Todo]:
    """Every marker in the pack folder's files, in file order (unreadable files are skipped)."""
    todos: list[Todo] = []
    for name in PACK_FILES:
        file = folder / name
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        item_line = 0
        for number, line in enumerate(lines, start=1):
            if _ITEM.match(line):
                item_line = number
            for match in MARKER.finditer(line):
                label = f"{match['verb']} {match['noun'].strip()}"
                todos.append(Todo(file, number, label, (match["hint"] or "").strip(), item_line))
    return todos


def group_todos(todos: list[Todo]) -> list[TodoGroup]:
    """Markers grouped by label: translate, then confirm, then write; else first appearance."""
    groups: dict[str, list[Todo]] = {}
    for todo in todos:
        groups.setdefault(todo.label, []).append(todo)
    result: list[TodoGroup] = []
    for label, members in groups.items():
        entries = {(todo.file, todo.item_line) for todo in members}
        result.append(TodoGroup(label, len(entries), tuple(members)))
    rank = {verb: position for position, verb in enumerate(_VERB_ORDER)}
    return sorted(result, key=lambda group: rank.get(group.label.split()[0], len(rank)))
