"""Several summits side by side, end to end: the real AGI-Next pack and the fictional Xinghe
pack (tests/fixtures/summits), one shared speaker registry, through the fake Discord.

唐杰 speaks at both; Xinghe (2026-03-21) is the newer summit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import SummitBot
from bot.digest.picker import pick_next_in
from bot.digest.posting import post_pool
from tests.e2e.conftest import Summit, VirtualClock, bot_posts, running_summit
from tests.e2e.test_commands import button_by_label, embed_text
from tests.e2e.test_digest import (
    await_catch_up,
    daily,
    fire,
    next_due_after,
    posted_row,
    set_digest,
)
from tests.fakediscord import FakeDiscord
from tests.fakediscord.ratelimit import BucketRule
from tests.summits import AGI_NEXT_ID, XINGHE_ID, add_xinghe, copy_content

AGI_NEXT_EN = "AGI-Next Frontier Summit"
XINGHE_EN = "Xinghe AI Developers Summit 2026"
XINGHE_ZH = "2026星河AI开发者峰会"


@pytest.fixture
async def summits(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> AsyncIterator[Summit]:
    """The bot serving both summits (content: a copy of content/ plus the Xinghe pack)."""
    content = add_xinghe(copy_content(tmp_path / "content"))
    overrides = {"content": {"path": str(content)}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as running:
        await await_catch_up(running.bot)
        running.extra["content"] = content
        yield running


@pytest.fixture
async def one_summit(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> AsyncIterator[Summit]:
    """The bot serving AGI-Next only, from a content folder a test may add the Xinghe pack to."""
    content = copy_content(tmp_path / "content")
    overrides = {"content": {"path": str(content)}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as running:
        await await_catch_up(running.bot)
        running.extra["content"] = content
        yield running


def event_of(bot: SummitBot, embed: dict[str, Any]) -> str:
    """The pack id of a quote embed, from its footer's quote id."""
    quote_id = embed["footer"]["text"].rsplit(" ", 1)[-1]
    quote = bot.catalog.quotes[quote_id]
    return bot.catalog.pack_of(quote).id


# --- /summit ------------------------------------------------------------------------------


async def test_summit_without_option_shows_the_newest_and_lists_the_other(
    summits: Summit,
) -> None:
    result = await summits.slash("summit", locale="en-US")
    (embed,) = result.embeds
    assert embed["title"] == XINGHE_EN
    others = next(f for f in embed["fields"] if f["name"] == "Other summits")
    assert AGI_NEXT_EN in others["value"]
    assert AGI_NEXT_ID in others["value"]
    assert XINGHE_EN not in others["value"]
    # The one source button is the newest summit's.
    assert button_by_label(result, "Source")["url"] == "https://example.org/xinghe-2026"
    zh = await summits.slash("summit", locale="zh-CN")
    assert zh.embeds[0]["title"] == XINGHE_ZH
    assert any(f["name"] == "其他峰会" for f in zh.embeds[0]["fields"])


async def test_summit_with_an_event_shows_that_summit_alone(summits: Summit) -> None:
    result = await summits.slash("summit", {"event": AGI_NEXT_ID}, locale="en-US")
    (embed,) = result.embeds
    assert embed["title"] == AGI_NEXT_EN
    assert all(f["name"] != "Other summits" for f in embed["fields"])
    by_name = await summits.slash("summit", {"event": "xinghe ai developers summit 2026"})
    assert by_name.embeds[0]["title"] == XINGHE_EN


async def test_event_autocomplete_lists_summits_newest_first(summits: Summit) -> None:
    choices = await summits.autocomplete("summit", {"event": ""}, "event")
    assert [c["value"] for c in choices] == [XINGHE_ID, AGI_NEXT_ID]
    narrowed = await summits.autocomplete("quote", {"event": "agi"}, "event")
    assert [c["value"] for c in narrowed] == [AGI_NEXT_ID]


async def test_an_unknown_event_is_answered_privately_with_the_summits(summits: Summit) -> None:
    result = await summits.slash("quote", {"event": "davos"}, locale="en-US")
    assert result.ephemeral
    assert "No summit matches 'davos'" in result.content
    assert XINGHE_ID in result.content
    assert AGI_NEXT_ID in result.content


# --- /quote and /quotes -------------------------------------------------------------------


async def test_quote_with_an_event_returns_only_that_summits_quotes(summits: Summit) -> None:
    bot = summits.bot
    for _ in range(12):
        result = await summits.slash("quote", {"event": XINGHE_ID}, locale="en-US")
        (embed,) = result.embeds
        assert event_of(bot, embed) == XINGHE_ID
        # The embed names its summit and credits its own source.
        assert XINGHE_EN in embed["footer"]["text"]
        source = next(f for f in embed["fields"] if f["name"] == "Source")
        assert "https://example.org/xinghe-2026" in source["value"]
        assert "tmtpost" not in source["value"]
        assert button_by_label(result, "Source")["url"] == "https://example.org/xinghe-2026"
    other = await summits.slash("quote", {"event": AGI_NEXT_ID}, locale="en-US")
    assert event_of(bot, other.embeds[0]) == AGI_NEXT_ID
    assert AGI_NEXT_EN in other.embeds[0]["footer"]["text"]


async def test_another_keeps_the_event_filter(summits: Summit) -> None:
    first = await summits.slash("quote", {"event": XINGHE_ID, "speaker": "唐杰"}, locale="en-US")
    assert event_of(summits.bot, first.embeds[0]) == XINGHE_ID
    for _ in range(5):
        # Each edit carries the new quote in its buttons: read them from the message.
        (another,) = (
            b
            for row in first.message.components
            for b in row["components"]
            if b.get("label") == "Another"
        )
        assert "@" in another["custom_id"]  # the summit travels in the button
        await summits.fake.click(first.message, another["custom_id"], summits.member)
        assert event_of(summits.bot, first.message.embeds[0]) == XINGHE_ID


async def test_a_quote_shows_the_role_of_its_own_summit(summits: Summit) -> None:
    result = await summits.slash(
        "quote", {"search": "xinghe-zhoumingyuan-moat", "event": XINGHE_ID}, locale="en-US"
    )
    author = result.embeds[0]["author"]["name"]
    assert author == "Zhou Mingyuan (周明远) · CTO of Xinghe Intelligence"


async def test_quotes_with_an_event_lists_only_that_summit(summits: Summit) -> None:
    result = await summits.slash("quotes", {"event": XINGHE_ID}, locale="en-US")
    (embed,) = result.embeds
    assert "8 quotes" in embed["footer"]["text"]
    assert XINGHE_EN in embed["description"]
    assert all(XINGHE_EN in f["value"] for f in embed["fields"] if f["name"] != "Source")
    # A person of both summits: every quote of his, each naming its own summit.
    both = await summits.slash("quotes", {"speaker": "tangjie"}, locale="en-US")
    catalog = summits.bot.catalog
    assert {catalog.pack_of(q).id for q in catalog.quotes_by("tangjie")} == {
        XINGHE_ID,
        AGI_NEXT_ID,
    }
    assert f"{len(catalog.quotes_by('tangjie'))} quotes" in both.embeds[0]["footer"]["text"]
    assert AGI_NEXT_EN in embed_text(both.embeds[0])


async def test_a_speaker_and_event_that_never_met_find_nothing(summits: Summit) -> None:
    result = await summits.slash(
        "quote", {"speaker": "周明远", "event": AGI_NEXT_ID}, locale="en-US"
    )
    assert result.ephemeral
    assert "Zhou Mingyuan" in result.content
    assert AGI_NEXT_EN in result.content


# --- /speaker -----------------------------------------------------------------------------


async def test_speaker_in_both_summits_shows_both(summits: Summit) -> None:
    result = await summits.slash("speaker", {"name": "唐杰"}, locale="en-US")
    (embed,) = result.embeds
    assert embed["title"].startswith("Tang Jie")
    summits_field = next(f for f in embed["fields"] if f["name"] == "Summits")
    lines = summits_field["value"].splitlines()
    assert len(lines) == 2
    assert XINGHE_EN in lines[0]
    assert "3 quotes" in lines[0]
    assert AGI_NEXT_EN in lines[1]
    source = next(f for f in embed["fields"] if f["name"] == "Source")
    assert "example.org/xinghe-2026" in source["value"]
    assert "tmtpost.com" in source["value"]
    # His quotes button opens every quote of his, from both summits.
    count = len(summits.bot.catalog.quotes_by("tangjie"))
    button = button_by_label(result, f"Quotes ({count})")
    opened = await summits.fake.click(result.message, button["custom_id"], summits.member)
    text = embed_text(opened.embeds[0])
    assert f"{count} quotes" in text
    zh = await summits.slash("speaker", {"name": "Tang Jie"}, locale="zh-CN")
    assert any(f["name"] == "参加的峰会" for f in zh.embeds[0]["fields"])


async def test_speaker_of_one_summit_has_no_summits_list(summits: Summit) -> None:
    result = await summits.slash("speaker", {"name": "杨植麟"}, locale="en-US")
    assert all(f["name"] != "Summits" for f in result.embeds[0]["fields"])


# --- /whosaid -----------------------------------------------------------------------------


async def test_whosaid_play_with_an_event_asks_only_that_summits_quotes(summits: Summit) -> None:
    bot = summits.bot
    for _ in range(4):
        result = await summits.slash("whosaid play", {"event": XINGHE_ID}, locale="en-US")
        custom_id = result.components[0]["components"][0]["custom_id"]
        round_ = await bot.store.get_round(int(custom_id.split(":")[1]))
        assert round_ is not None
        assert bot.catalog.pack_of(bot.catalog.quotes[round_.quote_id]).id == XINGHE_ID


# --- /digest ------------------------------------------------------------------------------


def many_days_in_one_channel(summit: Summit) -> None:
    """These tests post a cycle of days into one channel within a second of real time: lift the
    channel's message bucket (5 per 5 s, which they do not test) so the fake does not pace them
    to one post a second."""
    rule = BucketRule("POST", "/channels/{channel_id}/messages", 1000, 5.0, ("channel_id",))
    summit.fake.ratelimiter.set_rule(rule)


async def test_digest_set_event_restricts_the_daily_post(
    summits: Summit, clock: VirtualClock
) -> None:
    bot = summits.bot
    many_days_in_one_channel(summits)
    result = await set_digest(summits, language="en", event=XINGHE_ID)
    assert "Quotes from: Xinghe AI Developers Summit 2026 only" in result.content
    status = await summits.slash("digest status", user=summits.admin, locale="en-US")
    assert "Quotes from: Xinghe AI Developers Summit 2026 only" in status.content
    posted: list[str] = []
    for _ in range(10):  # more days than the summit has quotes: a second cycle begins
        clock.now = next_due_after(clock.now + timedelta(minutes=1))
        await fire(summits)
        row = await posted_row(bot, summits.guild.id, _local_day(clock))
        assert row.quote_id is not None
        posted.append(row.quote_id)
    assert all(bot.catalog.pack_of(bot.catalog.quotes[q]).id == XINGHE_ID for q in posted)
    assert len(set(posted[:8])) == 8, "one cycle over the summit's 8 quotes, no repeats"
    # Back to every summit: the next posts come from either.
    again = await set_digest(summits, language="en")
    assert "every summit (2)" in again.content


def _local_day(clock: VirtualClock) -> date:
    from zoneinfo import ZoneInfo

    return clock.now.astimezone(ZoneInfo("Asia/Shanghai")).date()


async def test_a_reload_that_adds_a_summit_serves_it_everywhere_and_joins_the_cycle(
    one_summit: Summit, clock: VirtualClock
) -> None:
    summit = one_summit
    bot = summit.bot
    many_days_in_one_channel(summit)
    await set_digest(summit, language="en")
    posted: list[str] = []

    async def post_days(days: int) -> None:
        for _ in range(days):
            clock.now = next_due_after(clock.now + timedelta(minutes=1))
            await fire(summit)
            row = await posted_row(bot, summit.guild.id, _local_day(clock))
            assert row.quote_id is not None
            posted.append(row.quote_id)

    await post_days(5)
    before = await summit.slash("summit", locale="en-US")
    assert before.embeds[0]["title"] == AGI_NEXT_EN
    missing = await summit.slash("quote", {"event": XINGHE_ID}, locale="en-US")
    assert missing.ephemeral

    add_xinghe(summit.extra["content"])
    result = await bot.reload_content()
    assert result.ok, result

    # Every command sees the new summit without a restart.
    after = await summit.slash("summit", locale="en-US")
    assert after.embeds[0]["title"] == XINGHE_EN
    quote = await summit.slash("quote", {"event": XINGHE_ID}, locale="en-US")
    assert event_of(bot, quote.embeds[0]) == XINGHE_ID
    choices = await summit.autocomplete("quote", {"event": ""}, "event")
    assert [c["value"] for c in choices] == [XINGHE_ID, AGI_NEXT_ID]
    speaker = await summit.slash("speaker", {"name": "唐杰"}, locale="en-US")
    assert any(f["name"] == "Summits" for f in speaker.embeds[0]["fields"])
    assert await summit.slash("speaker", {"name": "陈思琪"}, locale="en-US")

    # The digest cycle goes on over the union: the next posts repeat nothing ...
    await post_days(10)
    assert len(set(posted)) == len(posted) == 15, "no repeats within the cycle"
    assert len(bot_posts(summit.fake, daily(summit))) == 15
    # ... and the rest of the cycle (what the next posts will be, as `/digest preview` reads
    # it) is exactly every quote not yet posted, the new summit's 8 included: none lost.
    state = await bot.store.cycle_state(summit.guild.id)
    assert state is not None
    assert set(state.posted) == set(posted)
    rest: list[str] = []
    done = list(state.posted)
    pool = post_pool(bot.catalog, await bot.store.get_settings(summit.guild.id))

    def pick() -> Any:
        return pick_next_in(
            summit.guild.id, state.cycle, state.seed, pool, done, avoid_first=state.avoid_first
        )

    while (chosen := pick()) is not None and chosen.cycle == state.cycle:
        rest.append(chosen.quote_id)
        done.append(chosen.quote_id)
    assert len(rest) == 53 - 15
    assert set(rest) | set(posted) == set(bot.catalog.quotes)
    assert set(bot.catalog.quotes_of_event(XINGHE_ID)) <= {
        bot.catalog.quotes[q] for q in (*rest, *posted)
    }
    preview = await summit.slash("digest preview", user=summit.admin, locale="en-US")
    assert rest[0] in preview.embeds[0]["footer"]["text"]


async def test_mydigest_set_event_restricts_the_personal_dm(summits: Summit) -> None:
    bot, user = summits.bot, summits.member
    options = {"time": "09:00", "timezone": "UTC", "event": XINGHE_ID}
    result = await summits.slash("mydigest set", options, locale="en-US")
    assert "Quotes from: Xinghe AI Developers Summit 2026 only" in result.content
    status = await summits.slash("mydigest status", locale="en-US")
    assert "Quotes from: Xinghe AI Developers Summit 2026 only" in status.content
    settings = await bot.store.get_user_settings(user.id)
    assert settings is not None
    assert settings.event_id == XINGHE_ID
    now = await summits.slash("mydigest now", locale="en-US")
    await now.wait_followups(1)
    channel = summits.fake.dm_channel(user)
    (dm,) = [m for m in summits.fake.channel_messages(channel) if m.author.id != user.id]
    assert event_of(bot, dm.embeds[0]) == XINGHE_ID


async def test_speakers_are_grouped_by_summit_newest_first(summits: Summit) -> None:
    result = await summits.slash("speakers", locale="en-US")
    text = result.embeds[0]["description"]
    assert text.index(XINGHE_EN) < text.index(AGI_NEXT_EN)
    assert text.count("Tang Jie") == 2  # once under each summit, with the role there
    assert "8 speakers" in result.embeds[0]["footer"]["text"]  # people, counted once


# --- ids per pack: a term, a topic and quote ids two summits share -----------------------------


async def test_glossary_of_a_term_both_summits_define(summits: Summit) -> None:
    result = await summits.slash("glossary", {"term": "RLVR"}, locale="en-US")
    (embed,) = result.embeds
    # The newest summit's entry, in its own words, with the other summit's listed.
    assert embed["footer"]["text"] == f"{XINGHE_EN} · term {XINGHE_ID}/rlvr"
    assert "passes its tests" in embed["description"]
    elsewhere = next(f for f in embed["fields"] if f["name"] == "Also defined by other summits")
    assert AGI_NEXT_EN in elsewhere["value"]
    assert f"`{AGI_NEXT_ID}/rlvr`" in elsewhere["value"]
    # An explicit reference to AGI-Next's entry: a related term of Xinghe's RLVR.
    related = next(f for f in embed["fields"] if f["name"] == "Related terms")
    assert "Reward function" in related["value"]
    assert "Long-horizon task" in related["value"]
    # The other summit's entry, by its qualified key.
    agi = await summits.slash("glossary", {"term": f"{AGI_NEXT_ID}/rlvr"}, locale="en-US")
    assert agi.embeds[0]["footer"]["text"] == f"{AGI_NEXT_EN} · term {AGI_NEXT_ID}/rlvr"
    assert XINGHE_EN in embed_text(agi.embeds[0])  # listed as the other
    # Autocomplete: both, each naming its summit.
    choices = await summits.autocomplete("glossary", {"term": "rlvr"}, "term", locale="en-US")
    assert [c["value"] for c in choices[:2]] == [f"{XINGHE_ID}/rlvr", f"{AGI_NEXT_ID}/rlvr"]
    assert choices[0]["name"] == f"RLVR · {XINGHE_EN}"
    assert choices[1]["name"] == f"RLVR · {AGI_NEXT_EN}"
    picked = await summits.slash("glossary", {"term": choices[1]["value"]}, locale="en-US")
    assert picked.embeds[0]["footer"]["text"].endswith(f"{AGI_NEXT_ID}/rlvr")


async def test_explain_terms_gives_a_shared_term_once(summits: Summit) -> None:
    message = "RLVR, i.e. 可验证奖励强化学习 with verifiable rewards, and Muon."
    result = await summits.fake.message_command(
        summits.guild, summits.channel, summits.member, "Explain terms", message, locale="en-US"
    )
    text = embed_text(result.embeds[0])
    assert text.count("RLVR") == 1
    assert "Muon" in text


async def test_quote_topic_of_a_shared_topic_id(summits: Summit) -> None:
    bot = summits.bot
    catalog = bot.catalog
    both = {catalog.pack_of(q).id for q in catalog.search_quotes(topic="agents")}
    assert both == {XINGHE_ID, AGI_NEXT_ID}
    listed = await summits.slash("quotes", {"topic": "agents"}, locale="en-US")
    count = len(catalog.search_quotes(topic="agents"))
    assert f"{count} quotes" in listed.embeds[0]["footer"]["text"]
    # With a summit: that summit's `agents` quotes.
    for event in (XINGHE_ID, AGI_NEXT_ID):
        for _ in range(3):
            result = await summits.slash(
                "quote", {"topic": "agents", "event": event}, locale="en-US"
            )
            assert event_of(bot, result.embeds[0]) == event
    only = await summits.slash("quotes", {"topic": f"{XINGHE_ID}/agents"}, locale="en-US")
    assert "1 quotes" in only.embeds[0]["footer"]["text"] or "1 quote" in embed_text(only.embeds[0])
    # The topic autocomplete names each summit's.
    choices = await summits.autocomplete("quote", {"topic": "agents"}, "topic", locale="en-US")
    names = [c["name"] for c in choices[:2]]
    assert any(XINGHE_EN in name for name in names)
    assert any(AGI_NEXT_EN in name for name in names)
    # An explicit reference across packs: a Xinghe quote tagged with AGI-Next's topic.
    innovation = await summits.slash(
        "quotes", {"topic": "innovation", "event": XINGHE_ID}, locale="en-US"
    )
    assert innovation.embeds[0]["footer"]["text"].endswith(" · 1 quotes")


async def test_a_digest_cycle_stored_with_bare_ids_runs_over_both_summits_without_repeats(
    one_summit: Summit, clock: VirtualClock
) -> None:
    """The AGI-Next-only bot stores bare quote ids; then a summit that reuses two of them is
    added: the cycle over the union posts every quote once."""
    summit = one_summit
    bot = summit.bot
    many_days_in_one_channel(summit)
    await set_digest(summit, language="en")
    posted: list[str] = []

    async def post_days(days: int) -> None:
        for _ in range(days):
            clock.now = next_due_after(clock.now + timedelta(minutes=1))
            await fire(summit)
            row = await posted_row(bot, summit.guild.id, _local_day(clock))
            assert row.quote_id is not None
            posted.append(row.quote_id)

    await post_days(3)
    assert all("/" not in q for q in posted)
    unposted = next(q for q in bot.catalog.quotes if q not in posted)
    add_xinghe(summit.extra["content"])
    quotes = summit.extra["content"] / XINGHE_ID / "quotes.yaml"
    text = quotes.read_text(encoding="utf-8")
    text = text.replace("id: xinghe-tangjie-go-deep", f"id: {posted[0]}")
    text = text.replace("id: xinghe-chensiqi-rerun-evals", f"id: {unposted}")
    quotes.write_text(text, encoding="utf-8")
    result = await bot.reload_content()
    assert result.ok, result
    catalog = bot.catalog
    assert len(catalog.quotes) == 53
    assert catalog.quotes[posted[0]].id == f"{AGI_NEXT_ID}/{posted[0]}"

    await post_days(53 - 3)
    resolved = [catalog.quotes.canonical(q) for q in posted]
    assert None not in resolved
    assert len(set(resolved)) == 53, "every quote of both summits once, none repeated"
    assert set(resolved) == set(catalog.quotes)
    state = await bot.store.cycle_state(summit.guild.id)
    assert state is not None
    assert state.cycle == 1
