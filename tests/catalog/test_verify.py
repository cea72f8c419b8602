"""verify_quotes: every quote's Chinese text must be in the source article."""

from __future__ import annotations

from bot.catalog import Catalog, verify_quotes
from tests.catalog import factories as f
from tests.paths import ARTICLE

SOURCE = "他说:“今年是RLVR(可验证奖励强化学习)爆发年。”然后,\n他又说“我们 能做 更多的事情”。"


def test_mini_pack_quotes_are_in_the_article(mini: Catalog) -> None:
    source = ARTICLE.read_text(encoding="utf-8") if ARTICLE.exists() else ""
    if source:
        assert verify_quotes(mini, source) == []
    assert [q.id for q in verify_quotes(mini, "nothing here")] == list(mini.quotes)


def test_whitespace_and_punctuation_width_are_tolerated() -> None:
    catalog = f.catalog(
        speakers=[f.speaker("tangjie", "唐杰", "Tang Jie")],
        quotes=[
            # Full-width brackets where the source has half-width ones.
            f.quote("a", "tangjie", "今年是RLVR（可验证奖励强化学习）爆发年。", "x"),
            # Spaces removed, full-width comma, and an elision.
            f.quote("b", "tangjie", "我们能做……更多的事情", "x"),
            f.quote("c", "tangjie", "然后，他又说", "x"),
            # Not said: a changed word.
            f.quote("d", "tangjie", "今年是RLHF爆发年。", "x"),
            # Fragments in the wrong order.
            f.quote("e", "tangjie", "更多的事情…我们能做", "x"),
        ],
    )
    assert [q.id for q in verify_quotes(catalog, SOURCE)] == ["d", "e"]
