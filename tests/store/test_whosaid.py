""" "Who said it?" storage: rounds, one answer per person and round, scores and streaks."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.store import OUTSIDE_GUILDS, Store


async def test_a_daily_round_is_created_once_per_guild_and_date(store: Store) -> None:
    day = date(2026, 1, 15)
    first = await store.create_round(guild_id=7, channel_id=8, quote_id="q1", local_date=day)
    again = await store.create_round(guild_id=7, channel_id=8, quote_id="q2", local_date=day)
    assert again == first, "a retried post reuses its round (and its quote)"
    other = await store.create_round(guild_id=9, channel_id=8, quote_id="q1", local_date=day)
    assert other.id != first.id
    played = await store.create_round(guild_id=None, channel_id=None, quote_id="q1")
    assert played.guild_id == OUTSIDE_GUILDS
    assert played.local_date is None


async def test_the_previous_daily_round_is_the_latest_posted_one(store: Store) -> None:
    days = [date(2026, 1, d) for d in (10, 11, 12)]
    rounds = [
        await store.create_round(guild_id=7, channel_id=8, quote_id=f"q{n}", local_date=d)
        for n, d in enumerate(days)
    ]
    assert await store.daily_round_before(7, days[2]) is None, "none was posted yet"
    await store.set_round_message(rounds[0].id, channel_id=8, message_id=100)
    await store.set_round_message(rounds[1].id, channel_id=8, message_id=101)
    previous = await store.daily_round_before(7, days[2])
    assert previous is not None
    assert (previous.id, previous.message_id) == (rounds[1].id, 101)


async def test_each_person_answers_a_round_once(store: Store) -> None:
    round_ = await store.create_round(guild_id=7, channel_id=8, quote_id="q")
    first = await store.record_answer(round_, 1, "tangjie", correct=True)
    assert (first.first, first.correct, first.answers) == (True, True, 1)
    assert (first.score.answers, first.score.correct, first.score.streak) == (1, 1, 1)
    second = await store.record_answer(round_, 1, "yangqiang", correct=False)
    assert (second.first, second.correct, second.speaker_id) == (False, True, "tangjie")
    assert second.score == first.score
    other = await store.record_answer(round_, 2, "yangqiang", correct=False)
    assert (other.first, other.answers, other.score.correct) == (True, 2, 0)


async def test_racing_presses_by_one_person_count_once(store: Store) -> None:
    round_ = await store.create_round(guild_id=7, channel_id=8, quote_id="q")
    outcomes = await asyncio.gather(
        *(store.record_answer(round_, 1, "tangjie", correct=True) for _ in range(10))
    )
    assert sum(o.first for o in outcomes) == 1
    score = await store.score(7, 1)
    assert (score.answers, score.correct) == (1, 1)


async def test_streaks_and_best_streak(store: Store) -> None:
    results = [True, True, False, True, True, True, False]
    for n, right in enumerate(results):
        round_ = await store.create_round(guild_id=7, channel_id=8, quote_id=f"q{n}")
        await store.record_answer(round_, 1, "x", correct=right)
    score = await store.score(7, 1)
    assert (score.answers, score.correct, score.streak, score.best_streak) == (7, 5, 0, 3)


async def test_scores_are_per_guild_with_a_personal_total_outside_guilds(store: Store) -> None:
    in_guild = await store.create_round(guild_id=7, channel_id=8, quote_id="q")
    outside = await store.create_round(guild_id=None, channel_id=None, quote_id="q")
    await store.record_answer(in_guild, 1, "x", correct=True)
    await store.record_answer(outside, 1, "x", correct=False)
    assert (await store.score(7, 1)).correct == 1
    assert (await store.score(OUTSIDE_GUILDS, 1)).answers == 1
    assert (await store.score(8, 1)).answers == 0


async def test_top_scores_rank_by_right_answers_then_best_streak(store: Store) -> None:
    for user, rights in ((1, [True, False]), (2, [True, True]), (3, [False, True, True])):
        for n, right in enumerate(rights):
            round_ = await store.create_round(guild_id=7, channel_id=8, quote_id=f"q{n}")
            await store.record_answer(round_, user, "x", correct=right)
    top = await store.top_scores(7, limit=10)
    assert [s.user_id for s in top] == [2, 3, 1]
    assert [s.user_id for s in await store.top_scores(7, limit=1)] == [2]
    assert await store.top_scores(99) == []


async def test_an_unposted_daily_round_takes_the_new_pick_a_posted_one_keeps_its_quote(
    store: Store,
) -> None:
    day = date(2026, 1, 15)
    round_ = await store.create_round(guild_id=7, channel_id=8, quote_id="q1", local_date=day)
    repicked = await store.repick_round(round_.id, "q2")
    assert repicked is not None
    assert repicked.quote_id == "q2"
    await store.set_round_message(round_.id, channel_id=8, message_id=100)
    kept = await store.repick_round(round_.id, "q3")
    assert kept is not None
    assert kept.quote_id == "q2"
