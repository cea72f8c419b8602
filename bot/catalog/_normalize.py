"""Text folding shared by the loader, the index and the term scanner.

- `fold_text`: NFKC + casefold + whitespace collapsed. Used for quote text, which is only
  ever searched, never converted (OpenCC over 100,000 quotes would dominate startup).
- `fold`: `fold_text` + Traditional→Simplified, one character at a time (memoised). Used
  for names, terms, aliases and every query.
- `key`: `fold` without whitespace and punctuation: the form lookups compare.
- `fold_with_map`: `fold` for scanning, plus the original offset of every folded character.
"""

from __future__ import annotations

import functools
import itertools
import os
import unicodedata

import opencc

# pypinyin's phrase dictionary (about 45 MB resident, 0.2 s to import) only chooses the reading
# of a polyphonic character inside a known word (长期 → chang, 排行 → hang). Names are indexed
# under every reading instead (`pinyin_keys`), which needs pypinyin's per-character table
# alone, so the phrases are not loaded. The variable is read when pypinyin is first imported.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
from pypinyin import Style, pinyin

#: Most pinyin spellings one name is indexed under (combinations of polyphonic readings).
PINYIN_VARIANTS = 16

# Han ideographs (CJK Unified, Extension A, Compatibility) that OpenCC t2s may rewrite.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.cache
def _t2s_table() -> dict[str, str]:
    """Traditional→Simplified for every Han character, from one OpenCC call.

    Converting characters one OpenCC call at a time costs tens of microseconds each, which
    a query full of unseen characters would pay on the hot path. Newlines keep OpenCC from
    reading neighbours as a phrase, so the result is a clean per-character table.
    """
    chars = [chr(code) for low, high in _HAN_RANGES for code in range(low, high + 1)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; fall back to per-character calls
        return {}
    return {old: new for old, new in zip(chars, converted, strict=True) if old != new}


def _to_simplified(text: str) -> str:
    table = _t2s_table()
    if table:
        return "".join([table.get(char, char) for char in text])
    converted: str = _t2s().convert(text)
    return converted


@functools.cache
def fold_char(char: str) -> str:
    """Fold one character: NFKC, casefold, Traditional→Simplified, whitespace → one space."""
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", char).casefold()
    if folded.isascii():
        return folded
    if folded.isspace():
        return " "
    return _to_simplified(folded)


@functools.cache
def _is_key_char(char: str) -> bool:
    """Keys keep letters, digits and symbols (C++, C#); drop punctuation and separators."""
    category = unicodedata.category(char)
    return not (char.isspace() or category[0] in "PZC")


def fold_text(text: str) -> str:
    """NFKC + casefold, whitespace runs collapsed to one space, trimmed."""
    if text.isascii():  # NFKC leaves ASCII alone and casefold is lower(): skip both
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold(text: str) -> str:
    """`fold_text` plus Traditional→Simplified."""
    joined = "".join([fold_char(char) for char in unicodedata.normalize("NFKC", text)])
    return " ".join(joined.split())


def key(text: str) -> str:
    """The lookup form of a name or query: folded, no whitespace or punctuation."""
    return "".join([char for char in fold(text) if _is_key_char(char)])


# Every character seen so far, folded: `str.translate` then folds a whole message in C.
_FOLD_TABLE: dict[int, str] = {}
_FOLDED_CHARS: set[str] = set()


def fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` for scanning and map every folded character to its original offset.

    The map is None when folding kept every character in place (the common case), so the
    offsets are the same. Whitespace runs collapse to one space (mapped to the run's start).
    """
    unseen = set(text).difference(_FOLDED_CHARS)
    if unseen:
        for char in unseen:
            _FOLD_TABLE[ord(char)] = fold_char(char)
        _FOLDED_CHARS.update(unseen)
    joined = text.translate(_FOLD_TABLE)
    if len(joined) == len(text) and "  " not in joined:
        return joined, None
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        for folded in _FOLD_TABLE[ord(char)]:
            if folded == " ":
                if previous_space:
                    continue
                previous_space = True
            else:
                previous_space = False
            chars.append(folded)
            offsets.append(index)
    return "".join(chars), offsets


@functools.cache
def _has_cjk_char(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def has_cjk(text: str) -> bool:
    return any(_has_cjk_char(char) for char in text)


@functools.cache
def _readings(char: str) -> tuple[str, ...]:
    """Toneless readings of one Han character, the most common first; () when it has none."""
    found: list[str] = []
    for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
        folded = key(reading)
        if folded.isascii() and folded and folded not in found:
            found.append(folded)
    return tuple(found)


def pinyin_keys(text: str) -> list[tuple[str, str]]:
    """Full pinyin and pinyin initials of a Chinese string, for every reading it may have:
    唐杰 → [("tangjie", "tj")]; 长期 → [("zhangqi", "zq"), ("changqi", "cq"), ...].

    The most common readings come first, then spellings that swap in one other reading, then
    two, up to PINYIN_VARIANTS. Non-Chinese runs are kept as one part (folded) and contribute
    their first letter to the initials. Empty when the text has no Chinese characters.
    """
    simplified = fold(text)
    if not has_cjk(simplified):
        return []
    parts: list[tuple[str, ...]] = []  # the readings of each syllable, or a non-Chinese run
    run: list[str] = []
    for char in simplified:
        readings = _readings(char) if _has_cjk_char(char) else ()
        if not readings:
            run.append(char)
            continue
        if run:
            parts.append((key("".join(run)),))
            run = []
        parts.append(readings)
    if run:
        parts.append((key("".join(run)),))
    parts = [part for part in parts if part[0]]
    polyphonic = [position for position, part in enumerate(parts) if len(part) > 1]
    spellings: dict[str, str] = {}
    for changed in range(len(polyphonic) + 1):
        for positions in itertools.combinations(polyphonic, changed):
            for others in itertools.product(*(parts[p][1:] for p in positions)):
                syllables = [part[0] for part in parts]
                for position, reading in zip(positions, others, strict=True):
                    syllables[position] = reading
                spellings.setdefault("".join(syllables), "".join(s[0] for s in syllables))
                if len(spellings) >= PINYIN_VARIANTS:
                    return list(spellings.items())
    return list(spellings.items())
