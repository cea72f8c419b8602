"""Lookups, autocomplete ranking, did-you-mean and quote search over the mini pack."""

from __future__ import annotations

import operator
import pickle
from pathlib import Path

import pytest

from bot.catalog import Catalog, ContentError, ContentIssue, Suggestion
from bot.catalog.models import Quote, Topic
from tests.catalog import factories as f


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("唐杰", "tangjie"),
        ("Tang Jie", "tangjie"),
        ("tangjie", "tangjie"),
        ("TangJie", "tangjie"),
        ("tj", "tangjie"),
        ("唐傑", "tangjie"),  # Traditional
        ("ＴＡＮＧ　ＪＩＥ", "tangjie"),  # full width, ideographic space
        ("  tang-jie ", "tangjie"),
        ("Jie Tang", "tangjie"),  # alias
        ("杨植麟", "yangzhilin"),
        ("yzl", "yangzhilin"),
        ("Shunyu Yao", "yaoshunyu"),
        ("姚顺雨", "yaoshunyu"),
    ],
)
def test_find_speaker(mini: Catalog, query: str, expected: str) -> None:
    found = mini.find_speaker(query)
    assert found is not None
    assert found.id == expected
    assert mini.suggest("speaker", query)[0].id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("RLVR", "rlvr"),
        ("rlvr", "rlvr"),
        ("ＲＬＶＲ", "rlvr"),
        ("可验证奖励强化学习", "rlvr"),
        ("可驗證獎勵強化學習", "rlvr"),  # Traditional
        ("reinforcement learning with verifiable rewards", "rlvr"),
        ("muon", "muon"),
        ("MUON", "muon"),
        ("Muon优化器", "muon"),
        ("token efficiency", "token-efficiency"),
        ("Token效率", "token-efficiency"),
        ("token-efficiency", "token-efficiency"),
        ("Token", "token"),
        ("词元", "token"),
        ("AI", "ai"),
        ("自我认知", "self-cognition"),
        ("zwrz", "self-cognition"),  # pinyin initials of 自我认知
        ("ziworenzhi", "self-cognition"),
    ],
)
def test_find_term(mini: Catalog, query: str, expected: str) -> None:
    found = mini.find_term(query)
    assert found is not None
    assert found.id == expected
    assert mini.suggest("term", query)[0].id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("强化学习", "reinforcement-learning"), ("Efficiency", "efficiency"), ("agents", "agents")],
)
def test_find_topic(mini: Catalog, query: str, expected: str) -> None:
    found = mini.find_topic(query)
    assert found is not None
    assert found.id == expected


@pytest.mark.parametrize("query", ["tangjei", "", "   ", "nobody", "唐"])
def test_find_speaker_misses(mini: Catalog, query: str) -> None:
    assert mini.find_speaker(query) is None


def test_find_term_misses(mini: Catalog) -> None:
    assert mini.find_term("RLVF") is None
    assert mini.find_term("said") is None


def test_find_quote_by_id(mini: Catalog) -> None:
    found = mini.find_quote(" Tangjie-RLVR-Year ")
    assert found is not None
    assert found.id == "tangjie-rlvr-year"
    assert mini.find_quote("tangjie") is None


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("speaker", "tangjei", "tangjie"),
        ("speaker", "Tang Jei", "tangjie"),
        ("speaker", "yangzhiln", "yangzhilin"),
        ("term", "RLVF", "rlvr"),
        ("term", "muno", "muon"),
        ("term", "token efficency", "token-efficiency"),
        ("topic", "efficency", "efficiency"),
    ],
)
def test_did_you_mean(mini: Catalog, kind: str, query: str, expected: str) -> None:
    suggestions = mini.did_you_mean(kind, query)  # type: ignore[arg-type]
    assert suggestions[0].id == expected
    assert len(suggestions) <= 5


def test_did_you_mean_finds_nothing_for_nonsense(mini: Catalog) -> None:
    assert mini.did_you_mean("term", "qqqqqqqq") == []
    assert mini.did_you_mean("speaker", "") == []


def test_suggest_labels(mini: Catalog) -> None:
    assert mini.suggest("speaker", "tangjie") == [
        Suggestion("speaker", "tangjie", "唐杰 · Tang Jie")
    ]
    assert mini.suggest("term", "rlvr")[0] == Suggestion(
        "term", "rlvr", "RLVR · 可验证奖励强化学习"
    )
    assert mini.suggest("topic", "强化")[0] == Suggestion(
        "topic", "reinforcement-learning", "强化学习 · Reinforcement learning"
    )


def test_empty_query_lists_entries_in_natural_order(mini: Catalog) -> None:
    assert [s.id for s in mini.suggest("speaker", "")] == ["tangjie", "yangzhilin", "yaoshunyu"]
    assert [s.id for s in mini.suggest("term", "", limit=3)] == ["rlvr", "muon", "token-efficiency"]
    assert [s.id for s in mini.suggest("quote", " ", limit=2)] == [
        "tangjie-ai-for-science",
        "tangjie-rlvr-year",
    ]


def test_prefix_and_contains(mini: Catalog) -> None:
    # "token" is Token exactly, then Token Efficiency by prefix.
    assert [s.id for s in mini.suggest("term", "token")] == ["token", "token-efficiency"]
    # 效率 is inside Token效率: the "contains" tier.
    assert [s.id for s in mini.suggest("term", "效率")] == ["token-efficiency"]
    # A Chinese prefix.
    assert [s.id for s in mini.suggest("speaker", "杨")] == ["yangzhilin"]
    # Pinyin prefix.
    assert [s.id for s in mini.suggest("speaker", "yao")] == ["yaoshunyu"]


def test_ranking_exact_then_prefix_then_alias_then_contains_then_fuzzy() -> None:
    catalog = f.catalog(
        terms=[
            f.term("agnet", "Agnet", "错拼"),  # fuzzy only
            f.term("secret-agent", "Secret Service", "特工", aliases=["Agentur"]),  # alias prefix
            f.term("agentic", "Agentic Workflow", "智能体工作流"),  # prefix
            f.term("multiagent", "Multiagent", "多智能体"),  # contains
            f.term("agent", "Agent", "智能体"),  # exact
        ]
    )
    assert [s.id for s in catalog.suggest("term", "agent")] == [
        "agent",
        "agentic",
        "secret-agent",
        "multiagent",
        "agnet",
    ]


def test_pinyin_ranks_after_name_prefix() -> None:
    catalog = f.catalog(
        speakers=[
            f.speaker("zhang-san", "张三", "Zhang San"),
            f.speaker("zhangjie", "Jay Zhang", "Zhangjie Jay"),  # name prefix "zhangj"
            f.speaker("zhang-jie", "章杰", "Jay Chang"),  # pinyin zhangjie
        ]
    )
    # Name prefix, then pinyin prefix, then a fuzzy match on the whole name (zhangsan).
    assert [s.id for s in catalog.suggest("speaker", "zhangj")] == [
        "zhangjie",
        "zhang-jie",
        "zhang-san",
    ]


def test_polyphonic_characters_resolve_under_every_reading() -> None:
    catalog = f.catalog(
        terms=[
            f.term("long-term-memory", "Long-term memory", "长期记忆"),
            f.term("leaderboard", "Leaderboard", "排行榜"),
        ],
        speakers=[f.speaker("zeng-li", "曾丽", "Zeng Li")],  # surname 曾 reads zeng, not ceng
    )
    for query in ("changqijiyi", "zhangqijiyi", "cqjy", "chang qi ji yi"):
        found = catalog.find_term(query)
        assert found is not None, query
        assert found.id == "long-term-memory", query
    found = catalog.find_term("paihangbang")
    assert found is not None
    assert found.id == "leaderboard"
    assert [s.id for s in catalog.suggest("term", "paihang")] == ["leaderboard"]
    speaker = catalog.find_speaker("zengli")
    assert speaker is not None
    assert speaker.id == "zeng-li"


def test_at_most_25_one_per_entry_labels_fit() -> None:
    long_zh = "长" * 120
    terms = [
        f.term(f"model-{n:02}", f"Model {n:02}", f"模型{n:02}", aliases=[f"Model Number {n}"])
        for n in range(40)
    ]
    terms.append(f.term("model-long", "Model " + "x" * 120, long_zh))
    catalog = f.catalog(terms=terms)
    for query in ["model", "mo", "", "模型", "modle 05"]:
        suggestions = catalog.suggest("term", query, limit=100)
        assert 0 < len(suggestions) <= 25
        ids = [s.id for s in suggestions]
        assert len(ids) == len(set(ids))
        assert all(1 <= len(s.label) <= 100 for s in suggestions)
    label = catalog.suggest("term", "model-long")[0].label
    assert len(label) == 100
    assert label.endswith("…")
    assert catalog.suggest("term", "model", limit=0) == []
    assert len(catalog.suggest("term", "model", limit=3)) == 3


def test_quote_suggest_substring_then_fuzzy(mini: Catalog) -> None:
    suggestions = mini.suggest("quote", "可验证")
    assert [s.id for s in suggestions] == ["tangjie-rlvr-year", "tangjie-verifiable-env"]
    assert suggestions[0].label == "唐杰: 今年是RLVR(可验证奖励强化学习)爆发年。"
    english = mini.suggest("quote", "verifiable environment")
    assert english[0].id == "tangjie-verifiable-env"
    assert english[0].label.startswith("Tang Jie: But if we have a verifiable environment")
    assert english[0].label.endswith("…")
    assert len(english[0].label) == 100
    # A typo: no substring, the fuzzy tier finds it.
    assert mini.suggest("quote", "verifable environment")[0].id == "tangjie-verifiable-env"
    # An id works too.
    assert mini.suggest("quote", "yangzhilin-prior")[0].id == "yangzhilin-prior"


def ids(quotes: list[Quote]) -> list[str]:
    return [quote.id for quote in quotes]


def test_search_quotes(mini: Catalog) -> None:
    assert ids(mini.search_quotes("可验证")) == ["tangjie-rlvr-year", "tangjie-verifiable-env"]
    assert ids(mini.search_quotes("ＭＵＯＮ")) == ["yangzhilin-muon"]
    assert ids(mini.search_quotes("opening of the summit")) == ["tangjie-ai-for-science"]  # context
    assert ids(mini.search_quotes(speaker="yangzhilin")) == ["yangzhilin-muon", "yangzhilin-prior"]
    assert ids(mini.search_quotes(speaker="杨植麟", topic="agents")) == ["yangzhilin-prior"]
    assert ids(mini.search_quotes("AGI", topic="efficiency")) == ["yangzhilin-prior"]
    assert ids(mini.search_quotes("muon", speaker="tangjie")) == []
    assert ids(mini.search_quotes(speaker="nobody")) == []
    assert ids(mini.search_quotes(topic="reinforcement-learning")) == [
        "tangjie-rlvr-year",
        "tangjie-verifiable-env",
    ]
    assert len(mini.search_quotes()) == 6
    assert len(mini.search_quotes("")) == 6
    assert mini.every_quote == tuple(mini.search_quotes())


def test_relations(mini: Catalog) -> None:
    quote = mini.quotes["yangzhilin-muon"]
    assert mini.pack_of(quote).id == "mini-summit"
    assert mini.event_for(mini.speakers["tangjie"]).id == "mini-summit"
    assert mini.section_of(quote).id == "training"
    assert [q.id for q in mini.quotes_by("yangzhilin")] == ["yangzhilin-muon", "yangzhilin-prior"]
    assert mini.quotes_by("nobody") == ()
    assert mini.pack_of(mini.topics["agents"]).id == "mini-summit"
    with pytest.raises(KeyError):
        mini.pack_of(Topic(id="elsewhere", name=f.text("别处", "Elsewhere")))


def test_best_quote_mentioning_sees_mentions_as_scan_terms_does(mini: Catalog) -> None:
    def by_id(quote: Quote) -> str:
        return quote.id

    best = {
        term_id: getattr(mini.best_quote_mentioning(mini.terms[term_id], by_id), "id", None)
        for term_id in mini.terms
    }
    assert best == {
        "rlvr": "tangjie-rlvr-year",
        "muon": "yangzhilin-muon",
        "token-efficiency": "yangzhilin-muon",
        "token": None,  # only ever inside "Token Efficiency", the longer term
        "ai": None,  # "AI for Science" is the longer term; AGI is not AI
        "ai-for-science": "tangjie-ai-for-science",
        "agent": None,
        "self-cognition": None,
    }


def test_best_quote_mentioning_is_the_minimum_of_the_mentions() -> None:
    quotes = [
        f.quote(
            "long",
            "ada",
            "我们在讨论 RLVR 的奖励设计以及它的很多细节。",
            "RLVR rewards, at length.",
        ),
        f.quote("token-only", "bo", "Token Efficiency 很重要。", "Token efficiency matters."),
        f.quote("short", "bo", "RLVR 很强。", "RLVR is strong."),
        f.quote("also-short", "cy", "RLVR 真强。", "RLVR rules."),
    ]
    catalog = f.catalog(
        terms=[
            f.term("rlvr", "RLVR", "可验证奖励强化学习"),
            f.term("token", "Token", "词元"),
            f.term("token-efficiency", "Token Efficiency", "Token效率"),
        ],
        speakers=[f.speaker(s, s, s.title()) for s in ("ada", "bo", "cy")],
        quotes=quotes,
    )

    def by_length(quote: Quote) -> int:
        return len(quote.text.zh)

    def prefer_ada(quote: Quote) -> tuple[bool, int]:
        return quote.speaker != "ada", len(quote.text.zh)

    rlvr, token = catalog.terms["rlvr"], catalog.terms["token"]
    assert catalog.best_quote_mentioning(rlvr, by_length).id == "short"  # first of equals
    assert catalog.best_quote_mentioning(rlvr, prefer_ada).id == "long"
    assert catalog.best_quote_mentioning(token, by_length) is None  # only inside a longer term


def test_duplicate_ids_are_refused_by_the_constructor() -> None:
    with pytest.raises(ValueError, match="used twice"):
        f.catalog(terms=[f.term("ai", "AI", "人工智能"), f.term("ai", "AI2", "人工智能2")])


def test_a_catalog_survives_pickling_with_its_indexes(mini: Catalog) -> None:
    # A content reload builds the catalog in a worker process and pickles it back.
    term = next(iter(mini.terms.values()))
    mini.suggest("quote", "AGI")  # memoised answers are not sent along
    copy = pickle.loads(pickle.dumps(mini, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy.quotes == mini.quotes
    assert copy.suggest("speaker", "yang") == mini.suggest("speaker", "yang")
    assert copy.search_quotes("AGI") == mini.search_quotes("AGI")
    assert copy.scan_terms(term.term.en) == mini.scan_terms(term.term.en)
    assert copy.suggest("quote", "AGI") == mini.suggest("quote", "AGI")
    by_id = operator.attrgetter("id")
    assert copy.best_quote_mentioning(term, by_id) == mini.best_quote_mentioning(term, by_id)
    with pytest.raises(TypeError):
        copy.terms["new"] = term  # type: ignore[index]


def test_a_content_error_survives_pickling_with_every_issue() -> None:
    issues = [ContentIssue(Path("p/quotes.yaml"), 12, "unknown speaker 'x'")]
    copy = pickle.loads(pickle.dumps(ContentError(issues)))
    assert isinstance(copy, ContentError)
    assert copy.issues == tuple(issues)
    assert str(copy) == str(ContentError(issues))
