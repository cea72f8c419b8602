"""Term scanning: leftmost-longest, Latin word boundaries, original offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.catalog._scan import scan_fold
from tests.catalog import factories as f
from tests.catalog.conftest import MINI


def found(catalog: Catalog, message: str) -> list[tuple[str, str]]:
    return [(match.term.id, match.text) for match in catalog.scan_terms(message)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "RLVR和Muon都提到了Token Efficiency",
            [("rlvr", "RLVR"), ("muon", "Muon"), ("token-efficiency", "Token Efficiency")],
        ),
        ("he said it was fine", []),  # no AI inside "said"
        ("AI来了", [("ai", "AI")]),
        ("(AI)", [("ai", "AI")]),
        ("AI-first", [("ai", "AI")]),
        ("AIs and MAIL", []),
        ("ＲＬＶＲ is loud", [("rlvr", "ＲＬＶＲ")]),  # full width
        ("Token\n   Efficiency", [("token-efficiency", "Token\n   Efficiency")]),
        ("AI for Science and AI", [("ai-for-science", "AI for Science"), ("ai", "AI")]),
        (
            "Token Efficiency, then Token",
            [("token-efficiency", "Token Efficiency"), ("token", "Token")],
        ),
        ("muon muon MUON", [("muon", "muon")]),  # each term once
        ("可验证奖励强化学习很重要", [("rlvr", "可验证奖励强化学习")]),
        ("智能體的自我認知", [("agent", "智能體"), ("self-cognition", "自我認知")]),  # Traditional
        ("Muon优化器", [("muon", "Muon优化器")]),  # the longer zh surface wins
        ("an AI Agent appears", [("agent", "AI Agent")]),  # alias longer than "AI"
        ("", []),
    ],
)
def test_scan_terms(mini: Catalog, message: str, expected: list[tuple[str, str]]) -> None:
    assert found(mini, message) == expected


def test_offsets_point_into_the_original_message(mini: Catalog) -> None:
    message = "ß ＲＬＶＲ and Token  Efficiency"
    matches = mini.scan_terms(message)
    assert [(m.start, m.end) for m in matches] == [(2, 6), (11, 28)]
    assert [message[m.start : m.end] for m in matches] == ["ＲＬＶＲ", "Token  Efficiency"]


def test_overlap_prefers_the_leftmost_then_the_longest() -> None:
    catalog = f.catalog(
        terms=[
            f.term("large-model", "Large Model", "大模型"),
            f.term("model", "Model", "模型"),
            f.term("model-training", "Model Training", "模型训练"),
        ]
    )
    # 大模型 starts first, so 模型训练 (overlapping it) is not taken.
    assert found(catalog, "大模型训练") == [("large-model", "大模型")]
    assert found(catalog, "模型训练和大模型") == [
        ("model-training", "模型训练"),
        ("large-model", "大模型"),
    ]
    assert found(catalog, "Large Model Training") == [("large-model", "Large Model")]


def test_a_lone_surrogate_does_not_break_scanning(mini: Catalog) -> None:
    # JSON lets a Discord message carry "\ud800"; it must not crash the scanner.
    message = "\ud800 RLVR \udfff 智能体"
    assert found(mini, message) == [("rlvr", "RLVR"), ("agent", "智能体")]


def test_a_catalog_without_terms_finds_nothing() -> None:
    assert f.catalog().scan_terms("RLVR AI") == []


SURFACES = [
    "RLVR",
    "AI",
    "Muon",
    "Token Efficiency",
    "可验证奖励强化学习",
    "智能体",
    "AI for Science",
]
_catalog_for_property = None


def _mini() -> Catalog:
    global _catalog_for_property
    if _catalog_for_property is None:
        from bot.catalog import load_catalog

        _catalog_for_property = load_catalog(MINI)
    return _catalog_for_property


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(SURFACES),
            st.text(max_size=8),
            st.sampled_from(
                [" ", "s", "ß", "ＡＩ", "\u0301", "ﬁ", "İ", "\n", "㎏", "\ud800", "智能體"]
            ),
        ),
        max_size=12,
    ).map("".join)
)
def test_scan_never_raises_and_offsets_slice_back(message: str) -> None:
    catalog = _mini()
    matches = catalog.scan_terms(message)
    previous_end = 0
    seen: set[str] = set()
    for match in matches:
        assert 0 <= match.start < match.end <= len(message)
        assert match.start >= previous_end  # in order, never overlapping
        previous_end = match.end
        assert message[match.start : match.end] == match.text
        assert match.term.id not in seen
        seen.add(match.term.id)
        surfaces = {
            scan_fold(s) for s in (match.term.term.zh, match.term.term.en, *match.term.aliases)
        }
        assert any(surface in scan_fold(match.text) for surface in surfaces)
