"""The paths that only big catalogs take: token intersection, bounded fuzzy, key buckets."""

from __future__ import annotations

import random

import pytest

from bot.catalog import _names, _quotes
from bot.catalog._quotes import QuoteTextIndex
from tests.catalog import factories as f

ALPHABET = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得"


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str, str, str]]:
    rng = random.Random(5)
    texts = []
    for _ in range(1200):
        zh = "".join(rng.choices(ALPHABET[:30], k=12))
        # Words all start with "w" and "w" appears nowhere else, so a substring that starts
        # with "w" starts a word: substring and word-start semantics agree.
        en = " ".join(f"w{rng.randrange(150)}" for _ in range(6))
        texts.append((zh, en, "背景", "context"))
    return texts


@pytest.fixture(scope="module")
def index(corpus: list[tuple[str, str, str, str]]) -> QuoteTextIndex:
    return QuoteTextIndex(corpus)


def brute_force(corpus: list[tuple[str, str, str, str]], needle: str) -> list[tuple[int, bool]]:
    found = []
    for position, (zh, en, _czh, _cen) in enumerate(corpus):
        if needle in zh:
            found.append((position, False))
        elif needle in en:
            found.append((position, True))
    return found[:25]


@pytest.mark.parametrize(
    "needle",
    ["的一", "是不了", "我", "w1", "w12", "w12 w3", "w7 w", "w149", "w", "了人 w", "w9 w9 w9"],
)
def test_suggest_agrees_with_a_full_scan(
    corpus: list[tuple[str, str, str, str]], index: QuoteTextIndex, needle: str
) -> None:
    assert index.suggest(needle, 25) == brute_force(corpus, needle)


def test_suggest_with_no_hit_is_empty(index: QuoteTextIndex) -> None:
    assert index.suggest("w999", 25) == []
    assert index.suggest("龙", 25) == []  # 龙 is outside the corpus alphabet
    assert index.suggest("!!", 25) == []


def test_fuzzy_tier_is_bounded_and_respects_exclusions(
    corpus: list[tuple[str, str, str, str]], index: QuoteTextIndex
) -> None:
    assert index.size > _quotes.FUZZY_CANDIDATES
    target = corpus[700][1]  # e.g. "w12 w40 w3 ..."
    typo = target[:-1] + "x"  # last character changed
    assert index.suggest(typo, 25) == []
    found = index.fuzzy(typo, 5, exclude=set())
    assert found[0] == 700
    assert len(found) <= 5
    assert 700 not in index.fuzzy(typo, 5, exclude={700})


def test_fuzzy_buckets_by_first_letter_in_big_catalogs() -> None:
    terms = [f.term(f"term-{n:04}", f"Concept {n:04}", f"概念{n:04}") for n in range(2600)]
    terms.append(f.term("rlvr", "RLVR", "可验证奖励强化学习"))
    catalog = f.catalog(terms=terms)
    names = catalog._names["term"]
    assert names._fuzzy_by_first  # more keys than FULL_FUZZY_KEYS
    assert len(names._fuzzy) > 1
    assert _names.FULL_FUZZY_KEYS < 2 * 2600
    assert catalog.did_you_mean("term", "RLVF")[0].id == "rlvr"
    assert catalog.did_you_mean("term", "Concept 0O12")[0].id == "term-0012"
    assert catalog.suggest("term", "concept 00")[0].id == "term-0000"
    assert len(catalog.suggest("term", "concept")) == 25
