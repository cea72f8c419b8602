"""The real AGI-Next pack: it loads, resolves the names people type, and scans messages."""

from __future__ import annotations

import pytest

from bot.catalog import Catalog, load_catalog, verify_quotes
from bot.catalog.models import Pack
from tests.paths import ARTICLE, REPO_ROOT

CONTENT = REPO_ROOT / "content"


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(CONTENT)


def test_the_pack_loads_with_the_fixed_ids(real: Catalog) -> None:
    assert "agi-next-2026" in [pack.id for pack in real.packs]
    assert {"tangjie", "yangzhilin", "yaoshunyu", "linjunyang", "yangqiang"} <= set(real.speakers)
    assert {"rlvr", "muon", "token-efficiency"} <= set(real.terms)
    assert [s.id for s in real.event_for(real.speakers["tangjie"]).sections] == [
        "divergence",
        "training-paradigm",
        "taking-risks",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("唐杰", "tangjie"),
        ("Tang Jie", "tangjie"),
        ("tangjie", "tangjie"),
        ("TangJie", "tangjie"),
        ("tj", "tangjie"),
        ("唐傑", "tangjie"),
        ("ＴＡＮＧ　ＪＩＥ", "tangjie"),
        ("杨植麟", "yangzhilin"),
        ("Yang Zhilin", "yangzhilin"),
        ("姚顺雨", "yaoshunyu"),
        ("林俊旸", "linjunyang"),
        ("linjunyang", "linjunyang"),
        ("杨强", "yangqiang"),
    ],
)
def test_speaker_queries(real: Catalog, query: str, expected: str) -> None:
    found = real.find_speaker(query)
    assert found is not None
    assert found.id == expected
    assert real.suggest("speaker", query)[0].id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("RLVR", "rlvr"),
        ("rlvr", "rlvr"),
        ("ＲＬＶＲ", "rlvr"),
        ("可验证奖励强化学习", "rlvr"),
        ("muon", "muon"),
        ("MUON", "muon"),
        ("Token Efficiency", "token-efficiency"),
    ],
)
def test_term_queries(real: Catalog, query: str, expected: str) -> None:
    found = real.find_term(query)
    assert found is not None
    assert found.id == expected
    assert real.suggest("term", query)[0].id == expected


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [("speaker", "tangjei", "tangjie"), ("term", "RLVF", "rlvr"), ("term", "muno", "muon")],
)
def test_misspellings(real: Catalog, kind: str, query: str, expected: str) -> None:
    if kind == "speaker":
        assert real.find_speaker(query) is None
    else:
        assert real.find_term(query) is None
    assert real.did_you_mean(kind, query)[0].id == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["speaker", "term", "topic", "quote"])
@pytest.mark.parametrize("query", ["", "a", "ai", "模型", "tang", "learning", "学习"])
def test_suggestions_fit_discord(real: Catalog, kind: str, query: str) -> None:
    suggestions = real.suggest(kind, query)  # type: ignore[arg-type]
    assert len(suggestions) <= 25
    ids = [s.id for s in suggestions]
    assert len(ids) == len(set(ids))
    assert all(1 <= len(s.label) <= 100 and len(s.id) <= 100 for s in suggestions)


def test_scan_a_mixed_message(real: Catalog) -> None:
    matches = real.scan_terms("RLVR和Muon都提到了Token Efficiency")
    assert [(m.term.id, m.text) for m in matches] == [
        ("rlvr", "RLVR"),
        ("muon", "Muon"),
        ("token-efficiency", "Token Efficiency"),
    ]
    assert real.scan_terms("he said so") == []


def test_every_term_name_and_alias_resolves_and_scans(real: Catalog) -> None:
    for term in real.terms.values():
        for surface in (term.term.zh, term.term.en, *term.aliases):
            found = real.find_term(surface)
            assert found is not None, surface
            assert found.id == term.id, surface
            assert real.scan_terms(surface)[0].term.id == term.id, surface


def test_every_speaker_name_resolves(real: Catalog) -> None:
    for speaker in real.speakers.values():
        for name in (speaker.id, speaker.name.zh, speaker.name.en, *speaker.aliases):
            found = real.find_speaker(name)
            assert found is not None, name
            assert found.id == speaker.id, name


def test_every_quote_is_verbatim_in_the_article(real: Catalog) -> None:
    source = ARTICLE.read_text(encoding="utf-8")
    assert [quote.id for quote in verify_quotes(real, source)] == []


def _pack(real: Catalog, pack_id: str = "agi-next-2026") -> Pack:
    return next(pack for pack in real.packs if pack.id == pack_id)


#: How each speaker took part, with the article's words that say so. The article is silent about
#: everyone else, so their profiles must not claim anything (no "in person" by default).
ATTENDANCE_EVIDENCE = {
    "yaoshunyu": ("remote", "姚顺雨并未现身活动现场"),
    "tangjie": ("in-person", "他在现场举例说明"),
}


def test_attendance_is_stated_only_where_the_article_says_it(real: Catalog) -> None:
    stated = {s.id: s.attendance for s in _pack(real).speakers if s.attendance is not None}
    assert stated == {sid: attendance for sid, (attendance, _) in ATTENDANCE_EVIDENCE.items()}
    source = ARTICLE.read_text(encoding="utf-8")
    for _, evidence in ATTENDANCE_EVIDENCE.values():
        assert evidence in source


def test_tangjie_is_the_speaker_quoted_most(real: Catalog) -> None:
    # His profile says the report quotes him more often than anyone else.
    counts = sorted(((len(real.quotes_by(s.id)), s.id) for s in _pack(real).speakers), reverse=True)
    assert counts[0][1] == "tangjie"
    assert counts[0][0] > counts[1][0]


@pytest.mark.parametrize(
    ("quote_id", "topic"),
    [
        ("yaoshunyu-productivity-agents-just-starting", "economy"),
        ("yaoshunyu-gdp-impact", "agents"),
    ],
)
def test_quote_topics(real: Catalog, quote_id: str, topic: str) -> None:
    assert topic in real.quotes[quote_id].topics


def test_openai_is_not_filed_under_chinas_ai_industry(real: Catalog) -> None:
    assert "china-ai" not in real.terms["openai"].topics


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("自主學習", "自主学习"), ("楊強", "杨强"), ("爆發年", "爆发年")],
)
def test_quote_search_folds_traditional_characters(
    real: Catalog, traditional: str, simplified: str
) -> None:
    expected = real.search_quotes(simplified)
    assert expected
    assert real.search_quotes(traditional) == expected
    assert real.suggest("quote", traditional) == real.suggest("quote", simplified)


def test_a_traditional_search_finds_the_text_it_spells(real: Catalog) -> None:
    found = real.search_quotes("爆發年")
    assert {quote.id for quote in found} == {
        "tangjie-ai-for-science-year",
        "tangjie-rlvr-breakout-year",
    }
    assert all("爆发年" in quote.text.zh for quote in found)


@pytest.mark.parametrize("query", ["tangjie", "Tang Jie", "唐杰", "唐傑"])
def test_a_search_naming_a_speaker_means_their_quotes(real: Catalog, query: str) -> None:
    theirs = list(real.quotes_by("tangjie"))
    assert real.speaker_named_by(query) == real.speakers["tangjie"]
    assert real.search_quotes(query) == theirs
    suggested = real.suggest("quote", query)
    assert [s.id for s in suggested] == [q.id for q in theirs[: len(suggested)]]
    assert len(suggested) == min(len(theirs), 25)
    # With another speaker's filter the words are searched as text (nothing here).
    assert real.search_quotes(query, speaker="yaoshunyu") == []


def test_candidates_list_every_speaker_a_query_may_mean(real: Catalog) -> None:
    ids = [s.id for s in real.candidates("speaker", "yang")]
    assert {"yangzhilin", "yangqiang"} <= set(ids)
    assert sorted(ids[:2]) == ["yangqiang", "yangzhilin"]
    assert real.candidates("term", "RLVF")[0].id == "rlvr"
