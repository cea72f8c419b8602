"""`/whosaid play` and `/whosaid stats` end to end: a round hides its speaker, each person
answers once, scores persist across restarts, and a burst of presses is answered in time with
a correct counter and no 429s on the counter's edits."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from bot.i18n import t
from bot.store import OUTSIDE_GUILDS
from tests.e2e.conftest import Summit
from tests.e2e.test_digest import start_again, summit
from tests.fakediscord.interactions import InteractionResult

__all__ = ["summit"]  # the fixture, shared with test_digest

ANSWER = re.compile(r"^ws:(?P<round>\d+):(?P<speaker>[a-z0-9-]+)$")


def answers(result: InteractionResult) -> list[tuple[int, str]]:
    out = []
    for custom_id in result.custom_ids():
        match = ANSWER.match(custom_id)
        assert match is not None, custom_id
        out.append((int(match["round"]), match["speaker"]))
    return out


async def play(summit: Summit, **kw: Any) -> tuple[InteractionResult, int, str]:
    """Start a round; return it, its id and the right speaker's id (from the store)."""
    result = await summit.slash("whosaid play", **kw)
    assert result.responded
    assert not result.ephemeral
    round_id = answers(result)[0][0]
    round_ = await summit.bot.store.get_round(round_id)
    assert round_ is not None
    return result, round_id, summit.bot.catalog.quotes[round_.quote_id].speaker


def text_of(result: InteractionResult) -> str:
    """Every string the round's message shows: embeds and components."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            parts.append(node)

    walk(result.embeds)
    return "\n".join(parts)


def counter(message: Any) -> str:
    return str(message.embeds[0]["fields"][0]["value"])


async def test_a_round_hides_its_speaker_and_offers_every_speaker_in_a_stable_order(
    summit: Summit,
) -> None:
    catalog = summit.bot.catalog
    for _ in range(8):
        result, round_id, right = await play(summit)
        speaker = catalog.speakers[right]
        shown = text_of(result)
        for form in (speaker.name.zh, speaker.name.en, *speaker.aliases, speaker.id):
            assert form.casefold() not in shown.casefold(), (form, round_id)
        round_ = await summit.bot.store.get_round(round_id)
        assert round_ is not None
        assert round_.quote_id not in shown, "the quote id names the speaker"
        labels = [c["label"] for row in result.components for c in row["components"]]
        pack = catalog.pack_of(catalog.quotes[round_.quote_id])
        assert labels == [s.name.en for s in pack.speakers]
        # Every button has the same shape: nothing marks the right one.
        assert [s for _, s in answers(result)] == [s.id for s in pack.speakers]
        assert round_.message_id == result.message.id


async def test_right_answer_scores_once_and_another_person_counts_separately(
    summit: Summit,
) -> None:
    result, round_id, right = await play(summit)
    wrong = next(s for _, s in answers(result) if s != right)
    store = summit.bot.store
    first = await summit.fake.click(result.message, f"ws:{round_id}:{right}", summit.member)
    assert first.ephemeral
    speaker = summit.bot.catalog.speakers[right]
    assert first.content.startswith(t("whosaid.right", "en", speaker=speaker.name.en))
    assert first.custom_ids() == [f"ws-profile:{right}"]
    score = await store.score(summit.guild.id, summit.member.id)
    assert (score.answers, score.correct, score.streak, score.best_streak) == (1, 1, 1, 1)

    again = await summit.fake.click(result.message, f"ws:{round_id}:{wrong}", summit.member)
    assert again.ephemeral
    assert again.content.startswith(t("whosaid.already", "en", speaker=speaker.name.en))
    assert await store.score(summit.guild.id, summit.member.id) == score, "unchanged"

    other = await summit.fake.click(result.message, f"ws:{round_id}:{wrong}", summit.admin)
    assert other.content.startswith("❌")
    theirs = await store.score(summit.guild.id, summit.admin.id)
    assert (theirs.answers, theirs.correct, theirs.streak) == (1, 0, 0)
    assert await store.round_answer_count(round_id) == 2

    profile = await summit.fake.click(first.message, f"ws-profile:{right}", summit.member)
    assert profile.ephemeral
    assert profile.embeds[0]["title"].startswith(speaker.name.en)


async def test_scores_and_rounds_survive_a_restart(summit: Summit) -> None:
    result, round_id, right = await play(summit)
    await summit.fake.click(result.message, f"ws:{round_id}:{right}", summit.member)
    async with await start_again(summit) as bot:
        score = await bot.store.score(summit.guild.id, summit.member.id)
        assert (score.answers, score.correct) == (1, 1)
        # The old round still answers (its buttons carry the round id).
        late = await summit.fake.click(result.message, f"ws:{round_id}:{right}", summit.admin)
        assert late.content.startswith("✅")
        stats = await summit.fake.slash(
            summit.guild, summit.channel, summit.member, "whosaid stats"
        )
        assert stats.ephemeral
        (embed,) = stats.embeds
        assert "1/1" in embed["description"]
        top = embed["fields"][0]["value"].splitlines()
        assert len(top) == 2
        assert all("1/1" in line for line in top)
        assert {f"<@{summit.member.id}>", f"<@{summit.admin.id}>"} == {
            re.search(r"<@\d+>", line).group(0)
            for line in top  # type: ignore[union-attr]
        }


async def test_stats_before_playing_and_outside_guilds(summit: Summit) -> None:
    stats = await summit.slash("whosaid stats")
    assert t("whosaid.stats_none", "en") in stats.embeds[0]["description"]
    assert stats.embeds[0]["fields"][0]["value"] == t("whosaid.stats_top_none", "en")
    personal = await summit.bot.store.score(OUTSIDE_GUILDS, summit.member.id)
    assert personal.answers == 0


async def test_topic_narrows_the_pool(summit: Summit) -> None:
    catalog = summit.bot.catalog
    for _ in range(5):
        _, round_id, _ = await play(summit, options={"topic": "coding"})
        round_ = await summit.bot.store.get_round(round_id)
        assert round_ is not None
        assert "coding" in catalog.quotes[round_.quote_id].topics


async def test_200_presses_in_a_burst_are_all_answered_and_counted_without_429s(
    summit: Summit,
) -> None:
    result, round_id, right = await play(summit)
    message = result.message
    choices = [s for _, s in answers(result)]
    users = [summit.fake.add_user(f"player-{n}") for n in range(200)]
    for user in users:
        summit.fake.add_member(summit.guild, user, dispatch=False)
    limited_before = dict(summit.fake.stats.rate_limited)
    presses = [
        await summit.fake.click(
            message, f"ws:{round_id}:{choices[n % len(choices)]}", user, wait=False
        )
        for n, user in enumerate(users)
    ]
    await asyncio.gather(*(press.wait_response(timeout=10) for press in presses))
    # Every press answered (the fake records a violation for any answer after 3 s).
    assert all(p.responded and p.ephemeral for p in presses)
    assert not summit.fake.violations
    cog: Any = summit.bot.get_cog("WhoSaid")
    await asyncio.wait_for(cog.counter.idle(), 30)
    assert counter(message) == "200"
    assert await summit.bot.store.round_answer_count(round_id) == 200
    right_count = sum(1 for n in range(200) if choices[n % len(choices)] == right)
    for press, n in zip(presses, range(200), strict=True):
        assert press.content.startswith("✅" if choices[n % len(choices)] == right else "❌")
    assert right_count == 40
    # Few edits, and none of them met a 429 (no retry loop).
    edits = [r for r in summit.fake.requests if r.method == "PATCH" and "/messages/" in r.path]
    assert 1 <= len(edits) <= 12
    assert all(r.status == 200 for r in edits)
    assert dict(summit.fake.stats.rate_limited) == limited_before
