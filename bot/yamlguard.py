"""Hardening shared by every YAML file an operator or editor writes (config and content packs).

Neither file needs anchors or aliases, and a few lines of them expand into gigabytes (the
"billion laughs" bomb), so `scan_events` — one iterative pass over the parser's event stream,
linear in the file, before anything is built — refuses them, refuses nesting deeper than any
real file needs (deep nesting would otherwise end in a RecursionError while building), and
finds every key given twice in one mapping. `syntax_problem` turns a PyYAML error into one
line, saying "tabs" when a tab is the cause. `echo` caps any value quoted back in an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
)

__all__ = [
    "ECHO_LIMIT",
    "MAX_DEPTH",
    "DuplicateKey",
    "UnsafeYaml",
    "YamlProblem",
    "echo",
    "might_hold_anchors",
    "scan_events",
    "syntax_problem",
    "too_deep",
]

#: Deepest nesting of mappings and lists accepted; real files need fewer than ten levels.
MAX_DEPTH = 32
#: Longest value quoted back in an error message, in characters.
ECHO_LIMIT = 80

_ALIASES_REFUSED = (
    "YAML anchors and aliases are not allowed (found {what}); write the value out in full"
)
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
_TABS = "tabs are not allowed in YAML indentation; indent with spaces"

# An anchor (&name) or alias (*name) starts a node: at a line's start, after a space, after
# a flow indicator, or right after the `:` of a quoted key in flow style ({"a":&x b}); a
# name follows at once. Text with no such `&`/`*` holds neither.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:\ufeff])[&*][^\s\[\]{},]", re.MULTILINE)


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """`value` as text for an error message: one line, at most `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    if any(ch in text for ch in "\r\n\t\v\f"):
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def might_hold_anchors(text: str) -> bool:
    """False only when `text` certainly holds no anchor or alias (a cheap pre-check)."""
    return _MAYBE_ANCHOR.search(text) is not None


@dataclass(frozen=True)
class YamlProblem:
    """One problem in a YAML file: what is wrong and its 1-based line (None: no line)."""

    message: str
    line: int | None


class UnsafeYaml(Exception):
    """The file uses an anchor or alias, or nests too deep; nothing in it was built."""

    def __init__(self, problem: YamlProblem) -> None:
        self.problem = problem
        super().__init__(problem.message)


def too_deep(line: int) -> UnsafeYaml:
    """The error for a collection at `line` nested deeper than MAX_DEPTH."""
    return UnsafeYaml(YamlProblem(_TOO_DEEP, line))


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one mapping: the mapping's path, the key and both lines."""

    path: tuple[str | int, ...]
    key: str
    first_line: int
    line: int


@dataclass
class _Frame:
    path: tuple[str | int, ...]
    keys: dict[str, int] | None  # None for a sequence
    expect_key: bool = True
    key: str | int = 0  # the current key (mapping) or the next index (sequence)


def scan_events(text: str, loader: Callable[[str], Any]) -> list[DuplicateKey]:
    """Check `text` before building it; return every duplicate key.

    Raises UnsafeYaml for an anchor, an alias or nesting deeper than MAX_DEPTH, and
    yaml.YAMLError for a syntax error (see `syntax_problem`).
    """
    duplicates: list[DuplicateKey] = []
    stack: list[_Frame] = []
    parser = loader(text)  # any PyYAML Loader class: only its parser is used
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, NodeEvent):
                continue
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            if isinstance(event, AliasEvent):
                what = f"alias *{echo(event.anchor, 40)}"
                raise UnsafeYaml(YamlProblem(_ALIASES_REFUSED.format(what=what), line))
            if event.anchor is not None:
                what = f"anchor &{echo(event.anchor, 40)}"
                raise UnsafeYaml(YamlProblem(_ALIASES_REFUSED.format(what=what), line))
            path = _place(stack, event, line, duplicates)
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise too_deep(line)
                keys: dict[str, int] | None = {} if isinstance(event, MappingStartEvent) else None
                stack.append(_Frame(path, keys))
    finally:
        parser.dispose()
    return duplicates


def _place(
    stack: list[_Frame], event: NodeEvent, line: int, duplicates: list[DuplicateKey]
) -> tuple[str | int, ...]:
    """Record `event` as the next key, value or item of the innermost collection; its path."""
    if not stack:
        return ()
    frame = stack[-1]
    if frame.keys is None:
        index = frame.key
        assert isinstance(index, int)
        frame.key = index + 1
        return (*frame.path, index)
    if frame.expect_key:
        frame.expect_key = False
        if isinstance(event, ScalarEvent):
            key = event.value
            first = frame.keys.get(key)
            if first is not None:
                duplicates.append(DuplicateKey(frame.path, key, first, line))
            frame.keys[key] = line
            frame.key = key
        else:
            frame.key = "?"  # a complex key: no schema here uses one
        return (*frame.path, frame.key)
    frame.expect_key = True
    return (*frame.path, frame.key)


def syntax_problem(error: yaml.YAMLError, text: str) -> YamlProblem:
    """A PyYAML error as one line with its line number (None when PyYAML gives none)."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return YamlProblem(f"YAML syntax error: {echo(str(error))}", None)
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    if mark is not None and _tab_at(text, mark.line, mark.column):
        return YamlProblem(_TABS, line)
    problem = error.problem or "invalid YAML"
    if problem == "exceeded maximum nesting depth":  # libyaml's own limit, far above ours
        return YamlProblem(_TOO_DEEP, line)
    context = ""
    if error.context:
        start = error.context_mark
        where = f" at line {start.line + 1}" if start is not None and start is not mark else ""
        context = f" ({error.context}{where})"
    return YamlProblem(f"YAML syntax error: {echo(problem)}{context}", line)


def _tab_at(text: str, row: int, column: int) -> bool:
    """Whether the error at (row, column), 0-based, is a tab in or right after the indent."""
    lines = text.splitlines()
    if not 0 <= row < len(lines):
        return False
    current = lines[row]
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    return "\t" in indent or current[column : column + 1] == "\t"
