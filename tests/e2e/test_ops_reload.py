"""Reloading the content without a restart: `/admin reload` and `SummitBot.reload_content`."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import t
from bot.ops import reload as reload_module
from bot.ops.reload import BuiltCatalog
from tests.e2e.conftest import Summit, running_summit
from tests.fakediscord import FakeDiscord

#: discord.py / Discord interaction callback type: update the component's message.
UPDATE_MESSAGE = 7

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "mini"

NEW_QUOTE = """
  - id: tangjie-after-reload
    speaker: tangjie
    section: outlook
    topics: []
    text:
      zh: 重新加载之后才出现的一条语录。
      en: A quote that only appears after the content was reloaded.
    context:
      zh: 测试用。
      en: For the tests.
"""

BAD_QUOTES = """
  - id: nobody-speaks
    speaker: nobody
    section: outlook
    topics: []
    text:
      zh: 没有这位嘉宾。
      en: There is no such speaker.
    context: {zh: 测试用。, en: For the tests.}
  - id: nowhere-said
    speaker: tangjie
    section: nowhere
    topics: []
    text:
      zh: 没有这个环节。
      en: There is no such section.
    context: {zh: 测试用。, en: For the tests.}
"""


@pytest.fixture
async def summit(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Summit]:
    """The bot serving a writable copy of the mini pack."""
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    overrides = {"content": {"path": str(content)}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as running:
        running.extra["quotes_file"] = content / "mini-summit" / "quotes.yaml"
        yield running


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


async def test_owner_reload_swaps_in_new_content(
    summit: Summit, caplog: pytest.LogCaptureFixture
) -> None:
    before = summit.bot.catalog
    assert before.find_quote("tangjie-after-reload") is None
    append(summit.extra["quotes_file"], NEW_QUOTE)

    with caplog.at_level(logging.INFO, logger="bot.ops.reload"):
        result = await summit.slash("admin reload", user=summit.fake.owner)
        await result.wait_followups(1)
    assert result.deferred
    assert result.ephemeral
    assert result.content.startswith("Content reloaded in ")
    assert "quotes: 7 ·" in result.content

    assert summit.bot.catalog is not before
    assert summit.bot.catalog.find_quote("tangjie-after-reload") is not None
    # Built in a worker process, not on the bot's interpreter.
    built_by = [r for r in caplog.records if r.getMessage().startswith("content reloaded from")]
    assert len(built_by) == 1
    assert f"(built in process {os.getpid()})" not in built_by[0].getMessage()
    assert "(built in process " in built_by[0].getMessage()
    choices = await summit.autocomplete("quote", {"search": "only appears after"}, "search")
    assert "tangjie-after-reload" in [c["value"] for c in choices]


async def test_invalid_content_keeps_the_running_content_and_reports_every_problem(
    summit: Summit, caplog: pytest.LogCaptureFixture
) -> None:
    before = summit.bot.catalog
    append(summit.extra["quotes_file"], BAD_QUOTES)

    with caplog.at_level(logging.ERROR, logger="bot.ops.reload"):
        result = await summit.slash("admin reload", user=summit.fake.owner, locale="zh-CN")
        await result.wait_followups(1)

    assert summit.bot.catalog is before  # nothing swapped
    problems = [r.getMessage() for r in caplog.records if "content reload: " in r.getMessage()]
    assert len(problems) >= 2
    assert any("nobody" in p for p in problems)
    assert any("nowhere" in p for p in problems)
    reply = result.content
    assert reply.startswith(f"重新加载失败，正在使用的内容保持不变。发现的问题：{len(problems)} 个")
    assert "\nmini-summit/quotes.yaml:" in reply  # relative to the content folder
    assert "nobody" in reply
    assert "nowhere" in reply
    assert len(reply) <= 2000
    # The running content still answers.
    assert (await summit.slash("quote", {"search": "tangjie-gap"})).responded


async def test_only_owners_may_reload(summit: Summit) -> None:
    result = await summit.slash("admin reload", user=summit.admin)
    assert result.ephemeral
    assert not result.deferred
    assert result.content == "Only the bot's owners can use this command."


async def test_configured_owner_ids_replace_the_application_owner(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    overrides = {"discord": {"owner_ids": [fake_discord.owner.id + 1]}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as running:
        result = await running.slash("admin reload", user=fake_discord.owner)
        assert result.content == "Only the bot's owners can use this command."


async def test_autocomplete_keeps_answering_during_a_slow_reload(
    summit: Summit, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading, release = asyncio.Event(), asyncio.Event()
    real_build = reload_module.build_catalog_in_worker

    async def slow_build(path: Path) -> BuiltCatalog:
        built = await real_build(path)  # the real worker process
        loading.set()
        await release.wait()
        return built

    monkeypatch.setattr(reload_module, "build_catalog_in_worker", slow_build)
    append(summit.extra["quotes_file"], NEW_QUOTE)
    reload = asyncio.create_task(summit.bot.reload_content())
    try:
        await loading.wait()
        for _ in range(3):
            choices = await summit.autocomplete("speaker", {"name": "tang"}, "name")
            assert [c["value"] for c in choices][:1] == ["tangjie"]
        assert (await summit.slash("quote", {"speaker": "tangjie"})).responded
        assert not reload.done()
        assert summit.bot.catalog.find_quote("tangjie-after-reload") is None
    finally:
        release.set()
    result = await reload
    assert result.ok
    assert result.quotes == 7
    assert summit.bot.catalog.find_quote("tangjie-after-reload") is not None


def remove_quotes(path: Path, *ids: str) -> None:
    """Cut the YAML entries of `ids` out of a quotes file."""
    blocks = path.read_text(encoding="utf-8").split("\n  - id: ")
    kept = [blocks[0]] + [b for b in blocks[1:] if b.split("\n", 1)[0].strip() not in ids]
    assert len(kept) == len(blocks) - len(ids)
    path.write_text("\n  - id: ".join(kept), encoding="utf-8")


def next_button(message: Any) -> dict[str, Any]:
    buttons = [c for row in message.components for c in row["components"]]
    return next(b for b in buttons if b.get("label") in ("Next", "下一页"))


async def test_a_pager_opened_before_a_reload_turns_and_says_its_list_changed(
    summit: Summit,
) -> None:
    english = await summit.slash("quotes", locale="en-US")
    chinese = await summit.slash("quotes", locale="zh-CN")
    assert "Page 1 of 2 · 6 quotes" in english.embeds[0]["footer"]["text"]
    remove_quotes(summit.extra["quotes_file"], "tangjie-gap", "yangzhilin-prior")
    reloaded = await summit.bot.reload_content()
    assert reloaded.ok
    assert reloaded.quotes == 4

    turned = await summit.fake.click(
        english.message, next_button(english.message)["custom_id"], summit.member
    )
    assert turned.response_type == UPDATE_MESSAGE
    message = english.message
    # The buttons carry the filters, not the list: they say that it changed, and how big it is.
    assert message.content == t("quotes.changed", "en", count=4)
    page = message.embeds[0]
    assert "Page 1 of 1 · 4 quotes" in page["footer"]["text"]
    shown = " ".join(field["value"] for field in page["fields"])
    assert "tangjie-gap" not in shown
    assert "yangzhilin-muon" in shown
    assert next_button(message)["disabled"] is True

    turned = await summit.fake.click(
        chinese.message, next_button(chinese.message)["custom_id"], summit.member, locale="zh-CN"
    )
    assert turned.response_type == UPDATE_MESSAGE
    assert chinese.message.content == "打开此列表后，内容更新改动了它；现在共有 4 条语录。"
    assert "第 1/1 页 · 共 4 条语录" in chinese.message.embeds[0]["footer"]["text"]


def profile_button(message: Any) -> dict[str, Any]:
    buttons = [c for row in message.components for c in row["components"]]
    return next(b for b in buttons if b.get("label") in ("Speaker profile", "嘉宾简介"))


async def test_a_profile_button_whose_speaker_a_reload_removed_says_so(summit: Summit) -> None:
    shown = await summit.slash("quote", {"speaker": "yangzhilin"}, locale="en-US")
    pack = summit.extra["quotes_file"].parent
    remove_quotes(pack / "quotes.yaml", "yangzhilin-muon", "yangzhilin-prior")
    remove_quotes(pack / "speakers.yaml", "yangzhilin")
    glossary = pack / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    text = text.replace("[tangjie, yangzhilin]", "[tangjie]").replace("[yangzhilin]", "[]")
    glossary.write_text(text, encoding="utf-8")
    reloaded = await summit.bot.reload_content()
    assert reloaded.ok, reloaded

    clicked = await summit.fake.click(
        shown.message, profile_button(shown.message)["custom_id"], summit.member
    )
    assert clicked.ephemeral
    assert clicked.content == t("speaker.removed", "en")
    # "Another" kept the speaker filter, which no longer resolves: a clear private answer.
    another = next(b for b in shown.message.components[0]["components"] if b["label"] == "Another")
    clicked = await summit.fake.click(shown.message, another["custom_id"], summit.member)
    assert clicked.ephemeral
    assert clicked.content == t("errors.button_stale", "en")
    assert summit.fake.violations == []


async def test_another_on_a_quote_a_reload_removed_still_finds_another(summit: Summit) -> None:
    shown = await summit.slash("quote", {"search": "tangjie-gap"}, locale="en-US")
    assert "tangjie-gap" in shown.embeds[0]["footer"]["text"]
    remove_quotes(summit.extra["quotes_file"], "tangjie-gap")
    reloaded = await summit.bot.reload_content()
    assert reloaded.ok, reloaded
    another = next(b for b in shown.message.components[0]["components"] if b["label"] == "Another")
    clicked = await summit.fake.click(shown.message, another["custom_id"], summit.member)
    assert clicked.response_type == UPDATE_MESSAGE
    assert "tangjie-gap" not in shown.message.embeds[0]["footer"]["text"]
