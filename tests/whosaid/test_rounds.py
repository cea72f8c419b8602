"""The rules of "who said it?" on the real pack, without Discord: give-aways, masking, the
answer choices and the pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog
from bot.catalog.models import Quote, Text
from bot.whosaid import (
    choices_for,
    giveaway_words,
    gives_away,
    mask_speaker,
    round_marker,
    round_pool,
)
from bot.whosaid.rounds import MASK

REAL = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REAL)


def saying(catalog: Catalog, speaker: str, zh: str, en: str) -> Quote:
    """One of ``speaker``'s quotes with other words (the rule reads only the text)."""
    quote = catalog.quotes_by(speaker)[0]
    return quote.model_copy(update={"text": Text(zh=zh, en=en)})


def test_give_aways_are_derived_from_each_speakers_role(catalog: Catalog) -> None:
    terms, words = giveaway_words(catalog, catalog.speakers["yangzhilin"])
    assert {"kimi", "kimi-k2", "moonshot-ai"} <= terms
    assert {"Kimi", "Moonshot"} <= words
    terms, words = giveaway_words(catalog, catalog.speakers["linjunyang"])
    assert {"qwen", "qwen3", "alibaba"} <= terms
    assert "Qwen" in words
    _, words = giveaway_words(catalog, catalog.speakers["tangjie"])
    assert {"Zhipu", "Tsinghua"} <= words
    assert not {"Professor", "University", "Chief", "Scientist"} & words


@pytest.mark.parametrize(
    ("speaker", "zh", "en"),
    [
        ("yangzhilin", "我们在Kimi上验证了这一点。", "We verified this on Kimi."),
        ("yangzhilin", "K2的训练很顺利。", "Kimi K2 trained smoothly."),
        ("linjunyang", "千问的开源很成功。", "Open-sourcing it went well."),
        ("linjunyang", "开源很成功。", "Qwen3 open-sourcing went well."),
        ("tangjie", "智谱押注编程。", "We bet on coding."),
        ("yaoshunyu", "在腾讯我们这样做。", "That is how we do it."),
    ],
)
def test_a_quote_naming_its_speakers_company_or_product_is_a_give_away(
    catalog: Catalog, speaker: str, zh: str, en: str
) -> None:
    assert gives_away(catalog, saying(catalog, speaker, zh, en))


def test_another_speakers_product_gives_nothing_away(catalog: Catalog) -> None:
    assert not gives_away(catalog, saying(catalog, "tangjie", "Kimi很好。", "Kimi is good."))
    assert not gives_away(
        catalog, saying(catalog, "yangzhilin", "Qwen开源了。", "Qwen is open source.")
    )
    # Word boundaries: "Kimi" inside another word is not the product.
    assert not gives_away(catalog, saying(catalog, "yangzhilin", "好。", "Kimiko said so."))


def test_the_real_packs_give_aways(catalog: Catalog) -> None:
    """One quote in the pack names its speaker's institution (Tang Jie teaches at Tsinghua);
    every other quote makes a fair round."""
    left_out = {quote.id for quote in catalog.quotes.values() if gives_away(catalog, quote)}
    assert left_out == {"tangjie-xiaohongshu-task"}
    pool = round_pool(catalog)
    assert [q.id for q in pool] == [q for q in catalog.quotes if q not in left_out]
    coding = [q for q in catalog.quotes.values() if "coding" in q.topics]
    assert round_pool(catalog, coding) == [q for q in coding if q.id not in left_out]


def test_masking_hides_every_form_of_the_name_and_only_it(catalog: Catalog) -> None:
    tang = catalog.speakers["tangjie"]
    text = "唐杰说：Tang Jie, Jie Tang, TANG JIE and tangjie agree; 杨植麟 and Tangjiezhi differ."
    masked = mask_speaker(text, tang)
    for form in ("唐杰", "Tang Jie", "Jie Tang", "TANG JIE", "tangjie"):
        assert form not in masked
    assert masked.count(MASK) == 5
    assert "杨植麟" in masked
    assert "Tangjiezhi" in masked


def test_choices_are_the_packs_speakers_in_the_packs_order(catalog: Catalog) -> None:
    expected = [s.id for s in catalog.packs[0].speakers]
    assert len(expected) == 5
    for quote in list(catalog.quotes.values())[:10]:
        assert [s.id for s in choices_for(catalog, quote)] == expected


def test_round_marker_is_stable_and_opaque() -> None:
    marker = round_marker("tangjie-ai-for-science-year")
    assert marker == round_marker("tangjie-ai-for-science-year")
    assert marker != round_marker("yaoshunyu-toc-enough-intelligence")
    assert "tangjie" not in marker
    assert marker.startswith("#")
