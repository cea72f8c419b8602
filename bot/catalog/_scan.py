"""Find glossary terms in free text: one Aho-Corasick pass, leftmost-longest, word-aware."""

from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from bot.catalog._normalize import fold_with_map


def scan_fold(text: str) -> str:
    """How a surface form is folded for scanning (the same per-character folding as text)."""
    return fold_with_map(text)[0].strip()


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class TermScanner:
    """An automaton over every surface form (zh, en, aliases) of a list of terms."""

    def __init__(self, surfaces: Sequence[tuple[str, ...]]) -> None:
        """`surfaces[i]` are the surface forms of term i; the first term wins a shared form."""
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        self._empty = True
        seen: set[str] = set()
        for index, forms in enumerate(surfaces):
            for form in forms:
                folded = scan_fold(form)
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
        size = len(folded)
        candidates: list[tuple[int, int, int, int]] = []  # (start, -length, end, term)
        for last, (index, length, check_before, check_after) in self._automaton.iter(folded):
            start = last - length + 1
            if check_before and start > 0 and _is_word_char(folded[start - 1]):
                continue
            if check_after and last + 1 < size and _is_word_char(folded[last + 1]):
                continue
            candidates.append((start, -length, last + 1, index))
        candidates.sort()
        found: list[tuple[int, int, int]] = []
        reported: set[int] = set()
        covered_until = 0
        for start, _negative_length, end, index in candidates:
            if start < covered_until:
                continue
            covered_until = end
            if index in reported:
                continue
            reported.add(index)
            if offsets is None:
                found.append((index, start, end))
            else:
                found.append((index, offsets[start], offsets[end - 1] + 1))
        return found
