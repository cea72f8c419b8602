"""Terminal layout for `summitbot preview`: what is never broken, what never starts a line."""

from __future__ import annotations

import discord
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.ui.terminal import NO_LINE_START, display_width, embed_to_text, wrap


def test_a_name_in_keep_is_never_broken() -> None:
    text = "这场峰会请到了唐杰和杨植麟两位嘉宾"
    # Without the vocabulary, width 16 (8 characters a line) cuts 唐杰 in two.
    assert wrap(text, 16) == ["这场峰会请到了唐", "杰和杨植麟两位嘉", "宾"]
    lines = wrap(text, 16, keep={"唐杰", "杨植麟"})
    assert lines == ["这场峰会请到了", "唐杰和杨植麟两位", "嘉宾"]
    assert all(display_width(line) <= 16 for line in lines)


def test_a_name_pair_in_keep_stays_together() -> None:
    text = "嘉宾：唐杰（Tang Jie） · 杨植麟（Yang Zhilin） · 姚顺雨（Yao Shunyu）"
    keep = {"唐杰（Tang Jie）", "杨植麟（Yang Zhilin）", "姚顺雨（Yao Shunyu）"}
    lines = wrap(text, 30, keep=keep)
    assert lines == ["嘉宾：唐杰（Tang Jie） ·", "杨植麟（Yang Zhilin） ·", "姚顺雨（Yao Shunyu）"]


def test_a_latin_word_is_never_broken() -> None:
    lines = wrap("把注意力放在提高Token效率上", 18)
    assert lines == ["把注意力放在提高", "Token效率上"]


def test_a_word_wider_than_the_line_is_still_cut() -> None:
    lines = wrap("x" * 50, 20)
    assert lines == ["x" * 20, "x" * 20, "x" * 10]


@pytest.mark.parametrize("width", range(20, 61))
def test_no_line_starts_with_a_separator_or_closing_punctuation(width: int) -> None:
    text = (
        "唐杰（Tang Jie） · 杨植麟（Yang Zhilin） · 姚顺雨（Yao Shunyu） · "
        "强化学习，可验证奖励。智能体、编程；搜索：优化器！评测？（括号里的话）结束 — 完"
    )
    for line in wrap(text, width):
        assert line[0] not in NO_LINE_START, (width, line)
        assert line[-1] not in "（「『“‘《〈【", (width, line)


def test_a_separator_ends_the_line_it_follows() -> None:
    assert wrap("alpha · beta · gamma", 14) == ["alpha · beta ·", "gamma"]


@pytest.mark.parametrize("width", [20, 40, 60])
def test_a_url_is_never_split(width: int) -> None:
    url = "<https://www.example.com/articles/2026/01/agi-next-frontier-summit/文章.html>"
    lines = wrap(f"来源：钛媒体 {url} · 字母AI · 钛媒体 (TMTPost)", width, "  ")
    assert sum(url in line for line in lines) == 1
    others = [line for line in lines if url not in line]
    assert all(display_width(line) <= width for line in others)


def test_a_natural_break_a_little_back_beats_one_inside_a_run() -> None:
    # Greedy filling would end the first line with a lone "把" after the comma.
    text = "这场峰会由实验室牵头举办，把唐杰请到现场"
    assert wrap(text, 28) == ["这场峰会由实验室牵头举办，", "把唐杰请到现场"]


def test_a_number_and_its_unit_stay_together() -> None:
    assert wrap("讲者们预计2026年迎来突破", 14) == ["讲者们预计", "2026年迎来突破"]


def _field_embed(*entries: str) -> discord.Embed:
    embed = discord.Embed(title="AGI-Next")
    embed.add_field(name="Sections", value="\n".join(entries), inline=False)
    return embed


def test_list_entries_that_wrap_are_separated_by_a_blank_line() -> None:
    long = [
        "**Divergence** — how models split between consumers and businesses, and why",
        "**Training** — from human labels to verifiable rewards, with more compute",
    ]
    lines = embed_to_text(_field_embed(*long), 50).splitlines()
    body = lines[lines.index("▌ Sections") + 1 : -1]
    assert body == [
        "  Divergence — how models split between consumers",
        "  and businesses, and why",
        "",
        "  Training — from human labels to verifiable",
        "  rewards, with more compute",
    ]
    short = embed_to_text(_field_embed("one", "two"), 50).splitlines()
    assert short[short.index("▌ Sections") + 1 : -1] == ["  one", "  two"]


def test_a_long_footer_hangs_under_one_dash() -> None:
    embed = discord.Embed(title="T")
    embed.set_footer(text="AGI-Next 前沿峰会 · 详情见 /speaker /glossary /quote /summit")
    lines = embed_to_text(embed, 40).splitlines()
    assert lines[-3:-1] == ["— AGI-Next 前沿峰会 · 详情见 /speaker", "  /glossary /quote /summit"]


_WORDS = "唐杰 杨植麟 强化学习 Token RLVR 2026 年 a verylongwordwithoutanyspacesatall"
_PIECES = st.sampled_from(
    [*_WORDS.split(), "，", "。", "（", "）", " · ", " ", "—", "、", "<https://example.com/a/b>"]
)


@example(pieces=["Token", "verylongwordwithoutanyspacesatall", "，", "，"], width=20)
@example(
    pieces=["Token", "<https://example.com/a/b>", "<https://example.com/a/b>", "—", "—"], width=28
)
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=40), width=st.integers(20, 80))
def test_wrap_keeps_every_character_and_the_width(pieces: list[str], width: int) -> None:
    text = "".join(pieces)
    lines = wrap(text, width, keep={"唐杰", "杨植麟", "强化学习"})
    assert "".join("".join(lines).split()) == "".join(text.split())
    for line in lines:
        assert display_width(line) <= width or "<https://example.com/a/b>" in line, line
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
