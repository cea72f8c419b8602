"""Text folding shared by the loader, the index and the term scanner.

- `fold_text`: NFKC + casefold + whitespace collapsed.
- `fold`: `fold_text` + Traditional→Simplified, one character at a time from a table made
  once (a regex finds whether a string holds any Traditional character at all, so Simplified
  text costs one C-speed pass). Used for names, terms, aliases, quote text and every query.
- `key`: `fold` without whitespace and punctuation: the form lookups compare.
- `fold_with_map`: `fold` for scanning, plus the original offset of every folded character.

Nothing here caches per input string, and every per-character cache is bounded
(`CHAR_CACHE_SIZE`): what users type reaches these functions, and a cache keyed by it would
grow with every distinct character anyone sends (up to all of Unicode, hundreds of MB).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
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

#: Entries kept by each per-character cache (and by the scanner's fold table). Names, quotes
#: and messages in Chinese and English use a few thousand distinct characters (the real pack:
#: about 1,400; the 3,500 common and 3,000 less common Chinese characters cover nearly all
#: text), so 8,192 keeps every usual character cached while bounding each cache to about
#: 2 MB even when someone sends every character Unicode has.
CHAR_CACHE_SIZE = 8_192

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


@functools.cache
def _t2s_translation() -> tuple[re.Pattern[str], dict[int, str]]:
    """A pattern matching any Traditional character, and the `str.translate` table."""
    table = _t2s_table()
    pattern = re.compile("[" + "".join(sorted(table)) + "]") if table else re.compile("(?!)")
    return pattern, {ord(old): new for old, new in table.items()}


def _to_simplified(text: str) -> str:
    if not _t2s_table():
        converted: str = _t2s().convert(text)
        return converted
    pattern, translation = _t2s_translation()
    # Most text holds no Traditional character: one regex pass instead of a dict lookup
    # per character.
    return text.translate(translation) if pattern.search(text) else text


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


@functools.lru_cache(maxsize=CHAR_CACHE_SIZE)
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
    """`fold_text` plus Traditional→Simplified (the same as folding each character)."""
    if text.isascii():
        return fold_text(text)
    return _to_simplified(fold_text(text))


def key(text: str) -> str:
    """The lookup form of a name or query: folded, no whitespace or punctuation."""
    return "".join([char for char in fold(text) if _is_key_char(char)])


# Characters seen so far, folded: `str.translate` then folds a whole message in C. Emptied
# when it would outgrow CHAR_CACHE_SIZE (a bound, not an LRU: refolding costs microseconds).
_FOLD_TABLE: dict[int, str] = {}
_FOLDED_CHARS: set[str] = set()


def fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` for scanning and map every folded character to its original offset.

    The map is None when folding kept every character in place (the common case), so the
    offsets are the same. Whitespace runs collapse to one space (mapped to the run's start).
    """
    unseen = set(text).difference(_FOLDED_CHARS)
    if unseen:
        if len(_FOLDED_CHARS) + len(unseen) > CHAR_CACHE_SIZE:
            _FOLD_TABLE.clear()
            _FOLDED_CHARS.clear()
            unseen = set(text)
        for char in unseen:
            _FOLD_TABLE[ord(char)] = fold_char(char)
        _FOLDED_CHARS.update(unseen)
    joined = text.translate(_FOLD_TABLE)
    if len(joined) == len(text) and "  " not in joined:
        return joined, None
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    # One step per original character, not per folded one (ﷺ folds to 18 with spaces).
    for index, char in enumerate(text):
        expansion = _FOLD_TABLE[ord(char)]
        if " " in expansion:
            if previous_space:
                expansion = expansion.lstrip(" ")
                if not expansion:
                    continue
            while "  " in expansion:
                expansion = expansion.replace("  ", " ")
            previous_space = expansion.endswith(" ")
        else:
            previous_space = False
        chars.append(expansion)
        offsets += [index] * len(expansion)
    return "".join(chars), offsets


@functools.lru_cache(maxsize=CHAR_CACHE_SIZE)
def _has_cjk_char(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def has_cjk(text: str) -> bool:
    return any(_has_cjk_char(char) for char in text)


@functools.lru_cache(maxsize=CHAR_CACHE_SIZE)
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
