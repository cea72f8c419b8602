"""Find glossary terms in free text: one Aho-Corasick pass, leftmost-longest, word-aware.

pyahocorasick finds a node's child by a linear search, so a root with thousands of distinct
Chinese first characters makes every step slow. The automaton therefore runs over UTF-8
bytes (spelled as a Latin-1 string): at most 256 symbols per node, a third of the work per
character at 10,000 terms. Matches start on a lead byte and end on a character's last byte,
so they always fall on character boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from bot.catalog._normalize import fold_with_map


def scan_fold(text: str) -> str:
    """How a surface form is folded for scanning (the same per-character folding as text)."""
    return fold_with_map(text)[0].strip()


def _as_bytes(text: str) -> str:
    # surrogatepass: a message may carry a lone surrogate (JSON allows "\ud800").
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("latin-1")


def _is_word_char(char: str) -> bool:
    """ASCII letter or digit (a UTF-8 byte of a non-ASCII character is not one)."""
    return char < "\x80" and char.isalnum()


class TermScanner:
    """An automaton over every surface form (zh, en, aliases) of a list of terms."""

    def __init__(self, surfaces: Sequence[tuple[str, ...]]) -> None:
        """`surfaces[i]` are the surface forms of term i; the first term wins a shared form."""
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        self._empty = True
        seen: set[str] = set()
        for index, forms in enumerate(surfaces):
            for form in forms:
                folded = _as_bytes(scan_fold(form))
                if not folded or folded in seen:
                    continue
                seen.add(folded)
                # Latin edges must sit on a word boundary: "AI" is not in "said".
                value = (index, len(folded), _is_word_char(folded[0]), _is_word_char(folded[-1]))
                self._automaton.add_word(folded, value)
                self._empty = False
        if not self._empty:
            self._automaton.make_automaton()

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """(term index, start, end) in original offsets: leftmost-longest, each term once."""
        if self._empty or not text:
            return []
        folded, offsets = fold_with_map(text)
        encoded = _as_bytes(folded)
        size = len(encoded)
        candidates: list[tuple[int, int, int, int]] = []  # (start, -length, end, term)
        for last, (index, length, check_before, check_after) in self._automaton.iter(encoded):
            start = last - length + 1
            if check_before and start > 0 and _is_word_char(encoded[start - 1]):
                continue
            if check_after and last + 1 < size and _is_word_char(encoded[last + 1]):
                continue
            candidates.append((start, -length, last + 1, index))
        if not candidates:
            return []
        candidates.sort()
        selected: list[tuple[int, int, int]] = []
        reported: set[int] = set()
        covered_until = 0
        for start, _negative_length, end, index in candidates:
            if start < covered_until:
                continue
            covered_until = end
            if index not in reported:
                reported.add(index)
                selected.append((index, start, end))
        if encoded is not folded:
            selected = _to_characters(selected, encoded)
        if offsets is None:
            return selected
        return [(index, offsets[start], offsets[end - 1] + 1) for index, start, end in selected]


def _to_characters(
    selected: list[tuple[int, int, int]], encoded: str
) -> list[tuple[int, int, int]]:
    """Byte offsets (in order) → character offsets, decoding each gap once."""
    raw = encoded.encode("latin-1")
    converted: list[tuple[int, int, int]] = []
    byte_position = 0
    char_position = 0
    for index, start, end in selected:
        char_position += len(raw[byte_position:start].decode("utf-8", "surrogatepass"))
        char_end = char_position + len(raw[start:end].decode("utf-8", "surrogatepass"))
        converted.append((index, char_position, char_end))
        byte_position, char_position = end, char_end
    return converted
