"""bot/exts/options.py without Discord: each transformer's hit, miss (the `answer`) and
autocomplete, against the real content pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import discord
import pytest
from discord import app_commands

from bot.app import SummitBot
from bot.catalog import Catalog, load_catalog
from bot.exts.options import (
    OptionMiss,
    SearchTransformer,
    SpeakerTransformer,
    TermTransformer,
    TopicTransformer,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT)


def interaction(catalog: Catalog, locale: str = "en-US") -> Any:
    """A stand-in spec'd on the real Interaction and bot (a misspelt attribute fails)."""
    bot = mock.NonCallableMagicMock(spec=SummitBot)
    bot.catalog = catalog
    fake = mock.NonCallableMagicMock(spec=discord.Interaction)
    fake.client = bot
    fake.locale = discord.Locale(locale)
    return fake


@pytest.mark.parametrize(
    ("transformer", "typed", "expected"),
    [
        (SpeakerTransformer(), "tangjie", "tangjie"),
        (SpeakerTransformer(), "唐杰", "tangjie"),
        (SpeakerTransformer(), "Tang Jie", "tangjie"),
        (TopicTransformer(), "agents", "agents"),
        (TopicTransformer(), "强化学习", "reinforcement-learning"),
        (TermTransformer(), "RLVR", "rlvr"),
        (TermTransformer(), "可验证奖励强化学习", "rlvr"),
    ],
)
async def test_a_hit_is_the_catalog_entry(
    catalog: Catalog, transformer: app_commands.Transformer[Any], typed: str, expected: str
) -> None:
    found = await transformer.transform(interaction(catalog), typed)
    assert found.id == expected


@pytest.mark.parametrize(
    ("transformer", "typed", "locale", "answer"),
    [
        (
            SpeakerTransformer(),
            "tangjei",
            "en-US",
            "No speaker matches 'tangjei'.\nDid you mean: `唐杰 · Tang Jie`, `杨强 · Yang Qiang`?",
        ),
        (
            TopicTransformer(),
            "agnet",
            "zh-CN",
            "没有与“agnet”匹配的话题。\n你是不是要找：`智能体（Agent） · Agents`？",
        ),
        (TermTransformer(), "zzzzzz", "en-US", "No term matches 'zzzzzz'."),
        (
            TermTransformer(),
            "RLVF",
            "zh-TW",
            "没有与“RLVF”匹配的术语。\n你是不是要找：`RLVR · 可验证奖励强化学习`, "
            "`RLHF · 基于人类反馈的强化学习`, `Reinforcement learning · 强化学习`？",
        ),
    ],
)
async def test_a_miss_raises_with_the_localized_answer(
    catalog: Catalog,
    transformer: app_commands.Transformer[Any],
    typed: str,
    locale: str,
    answer: str,
) -> None:
    with pytest.raises(OptionMiss) as raised:
        await transformer.transform(interaction(catalog, locale), typed)
    error = raised.value
    # The tree's handler knows it only as a TransformerError with an answer.
    assert isinstance(error, app_commands.TransformerError)
    assert error.answer == answer
    assert error.value == typed
    assert error.transformer is transformer


async def test_a_blank_value_is_a_miss(catalog: Catalog) -> None:
    with pytest.raises(OptionMiss):
        await SpeakerTransformer().transform(interaction(catalog), "")


@pytest.mark.parametrize(
    ("transformer", "typed", "first"),
    [
        (SpeakerTransformer(), "yao", "yaoshunyu"),
        (SpeakerTransformer(), "杨", None),
        (TopicTransformer(), "agent", "agents"),
        (TermTransformer(), "rlv", "rlvr"),
        (TermTransformer(), "ＲＬＶＲ", "rlvr"),
    ],
)
async def test_autocomplete_offers_ranked_catalog_choices(
    catalog: Catalog, transformer: app_commands.Transformer[Any], typed: str, first: str | None
) -> None:
    choices = await transformer.autocomplete(interaction(catalog), typed)
    kind = type(transformer).kind  # type: ignore[attr-defined]
    assert choices == [
        app_commands.Choice(name=s.label, value=s.id) for s in catalog.suggest(kind, typed)
    ]
    assert 0 < len(choices) <= 25
    if first is not None:
        assert choices[0].value == first


async def test_autocomplete_with_nothing_typed_lists_entries(catalog: Catalog) -> None:
    choices = await SpeakerTransformer().autocomplete(interaction(catalog), "")
    assert 0 < len(choices) <= 25
    assert all(choice.value in catalog.speakers for choice in choices)


async def test_search_is_trimmed_and_suggests_quotes(catalog: Catalog) -> None:
    search = SearchTransformer()
    assert await search.transform(interaction(catalog), "  GDP ") == "GDP"
    assert await search.autocomplete(interaction(catalog), "   ") == []
    choices = await search.autocomplete(interaction(catalog), "GDP")
    assert choices
    assert all(choice.value in catalog.quotes for choice in choices)
