"""Folding: whole strings fold like their characters, and no cache grows with what users send."""

from __future__ import annotations

import os
import unicodedata

from bot.catalog import Catalog
from bot.catalog import _normalize as normalize
from bot.catalog._normalize import CHAR_CACHE_SIZE, fold, fold_char, fold_with_map, has_cjk, key


def _distinct_inputs(count: int, length: int, start: int = 0x20) -> list[str]:
    """`count` strings of `length` consecutive code points (no surrogates), none repeated."""
    codes = (c for c in range(start, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    return ["".join(chr(next(codes)) for _ in range(length)) for _ in range(count)]


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cache_sizes() -> dict[str, int]:
    return {
        "_is_key_char": normalize._is_key_char.cache_info().currsize,
        "_has_cjk_char": normalize._has_cjk_char.cache_info().currsize,
        "_readings": normalize._readings.cache_info().currsize,
        "fold table": len(normalize._FOLD_TABLE),
        "folded chars": len(normalize._FOLDED_CHARS),
    }


def test_fold_equals_folding_each_character() -> None:
    text = "自主學習 楊強 爆發年 ＡＢＣ ﬁ Straße ㍿ \u00a0 x\u3000y 著名 e\u0301 ﷺ"
    by_character = "".join(fold_char(c) for c in unicodedata.normalize("NFKC", text))
    assert fold(text) == " ".join(by_character.split())
    assert fold("自主學習") == fold("自主学习") == "自主学习"
    assert fold("楊強") == "杨强"


def test_per_character_caches_are_bounded() -> None:
    for text in _distinct_inputs(20, 1_000):
        key(text)
        has_cjk(text)
        fold_with_map(text)
    for text in _distinct_inputs(20, 500, start=0x4E00):  # Chinese: every pinyin reading
        normalize.pinyin_keys(text)
    sizes = _cache_sizes()
    assert max(sizes.values()) <= CHAR_CACHE_SIZE, sizes
    assert sizes["fold table"] == sizes["folded chars"]


def test_memory_stays_flat_after_a_thousand_distinct_long_inputs(mini: Catalog) -> None:
    # 1,000 inputs of 500 characters: each character once, every plane up to the third.
    inputs = _distinct_inputs(1_000, 500)
    # Warm up: the Traditional→Simplified table and the catalog's lazy parts.
    for text in inputs[:20]:
        mini.suggest("term", text)
        mini.scan_terms(text)
    before = _resident_bytes()
    for text in inputs:  # a name lookup (key, has_cjk) and a scan (the fold table) each
        mini.suggest("term", text)
        mini.scan_terms(text)
    grown = _resident_bytes() - before
    assert grown < 20 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"


def _fold_with_map_by_folded_character(text: str) -> tuple[str, list[int]]:
    """The reference: fold each character, collapse whitespace runs one folded char at a time."""
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        for folded in fold_char(char):
            if folded == " " and previous_space:
                continue
            previous_space = folded == " "
            chars.append(folded)
            offsets.append(index)
    return "".join(chars), offsets


def test_fold_with_map_maps_expanding_characters_and_spaces() -> None:
    text = "ﷺ  ﷺ RLVR\u3000\u3000¨x ﬁ  ㍿ 楊強\t\n爆發年 ﷺ"
    folded, offsets = fold_with_map(text)
    assert offsets is not None
    assert (folded, offsets) == _fold_with_map_by_folded_character(text)
