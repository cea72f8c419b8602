"""A YAML loader that remembers where every mapping, key and list item came from.

Anchors, aliases and deep nesting are refused before anything is built (`bot.yamlguard`).
Validation errors carry a location path (e.g. ``("quotes", 3, "text", "en")``); `line_of`
walks that path through the recorded lines to find the nearest line in the file.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from bot.yamlguard import (
    MAX_DEPTH,
    DuplicateKey,
    might_hold_anchors,
    scan_events,
    too_deep,
)

# libyaml's parser is an order of magnitude faster on big packs; both keep node marks.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


class LineLoader(_Base):  # type: ignore[valid-type, misc]
    """SafeLoader that returns `LineDict`/`LineList` instead of dict/list.

    While building it refuses nesting deeper than `MAX_DEPTH` (long before Python's
    recursion limit) and records every key given twice.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.duplicates: list[DuplicateKey] = []

    def _enter(self, node: Node) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(node.start_mark.line + 1)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        self._enter(node)
        self.flatten_mapping(node)
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key",
                    key_node.start_mark,
                )
            line = key_node.start_mark.line + 1
            first = mapping.key_lines.get(key)
            if first is not None:
                self.duplicates.append(DuplicateKey((), str(key), first, line))
            # The last occurrence wins, as in PyYAML, so its line is the one to report.
            mapping.key_lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        self.depth -= 1
        return mapping

    def construct_sequence(self, node: Node, deep: bool = False) -> list[Any]:
        if not isinstance(node, SequenceNode):
            raise yaml.constructor.ConstructorError(
                None, None, "expected a sequence node", node.start_mark
            )
        self._enter(node)
        items = LineList(self.construct_object(child, deep=deep) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        self.depth -= 1
        return items


def _construct_map(loader: LineLoader, node: MappingNode) -> LineDict:
    mapping = loader.construct_mapping(node, deep=True)
    assert isinstance(mapping, LineDict)
    return mapping


def _construct_seq(loader: LineLoader, node: SequenceNode) -> LineList:
    items = loader.construct_sequence(node, deep=True)
    assert isinstance(items, LineList)
    return items


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load_yaml(text: str) -> tuple[Any, list[DuplicateKey]]:
    """Parse one YAML document with line tracking; also return every key given twice.

    Raises `UnsafeYaml` for an anchor, an alias or deep nesting, and `yaml.YAMLError` for a
    syntax error.
    """
    if might_hold_anchors(text):
        # The exact check reads the event stream (libyaml's composer keeps no anchors); it
        # costs a fifth of the parse, so only text that could hold one pays for it. Every
        # anchor and alias passes the pre-check, so none reaches the constructor.
        scan_events(text, LineLoader)
    loader = LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def line_of(data: Any, loc: Sequence[int | str], default: int = 1, *, value: bool = False) -> int:
    """Return the line of the deepest element of `loc` that exists in `data`: its key's line,
    or with `value` the line its value starts on (a block mapping or list under its key starts
    on the next line)."""
    line = getattr(data, "line", default)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            return line
    return getattr(node, "line", line) if value else line
