"""Quote picking: a stable per-guild order, no repeats within a cycle, preview == next post."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.picker import (
    FIRST_CYCLE,
    Pick,
    cycle_order,
    cycle_seed,
    next_quote,
    pick_next,
    record_posted,
)
from bot.store import Store

QUOTES = tuple(f"quote-{i:02d}" for i in range(12))
GUILDS = (81384788765712384, 175928847299117063, 1, 2, 3)


def simulate(guild_id: int, quote_ids: tuple[str, ...], posts: int) -> list[Pick]:
    """Post ``posts`` times using only the pure picker, tracking state like the store does."""
    cycle, posted, avoid_first, last = FIRST_CYCLE, [], None, None
    picks: list[Pick] = []
    for _ in range(posts):
        pick = pick_next(
            guild_id, cycle, quote_ids, posted, avoid_first=avoid_first, last_posted=last
        )
        assert pick is not None
        if pick.cycle != cycle:
            cycle, posted, avoid_first = pick.cycle, [], last
        posted.append(pick.quote_id)
        last = pick.quote_id
        picks.append(pick)
    return picks


@pytest.mark.parametrize("guild_id", GUILDS)
def test_every_quote_exactly_once_per_cycle(guild_id: int) -> None:
    picks = simulate(guild_id, QUOTES, len(QUOTES) * 3)
    for n in range(3):
        chunk = picks[n * len(QUOTES) : (n + 1) * len(QUOTES)]
        assert {p.cycle for p in chunk} == {FIRST_CYCLE + n}
        assert sorted(p.quote_id for p in chunk) == list(QUOTES)


@pytest.mark.parametrize("guild_id", GUILDS)
def test_new_cycle_does_not_open_with_the_last_quote(guild_id: int) -> None:
    for size in (2, 3, 5, 12):
        quotes = QUOTES[:size]
        picks = simulate(guild_id, quotes, size * 6)
        for i in range(size, len(picks), size):
            assert picks[i].quote_id != picks[i - 1].quote_id


def test_new_cycle_reshuffles() -> None:
    picks = simulate(GUILDS[0], QUOTES, len(QUOTES) * 2)
    first = [p.quote_id for p in picks[: len(QUOTES)]]
    second = [p.quote_id for p in picks[len(QUOTES) :]]
    assert first != second


def test_different_guilds_get_different_orders() -> None:
    orders = {cycle_order(cycle_seed(g, 1), QUOTES) for g in GUILDS}
    assert len(orders) == len(GUILDS)


def test_order_is_stable_and_independent_of_input_order() -> None:
    seed = cycle_seed(GUILDS[0], 1)
    order = cycle_order(seed, QUOTES)
    assert cycle_order(seed, reversed(QUOTES)) == order
    assert cycle_order(seed, list(QUOTES) + list(QUOTES)) == order
    assert sorted(order) == list(QUOTES)
    assert cycle_order(seed, QUOTES) != tuple(QUOTES)  # actually shuffled


def test_order_is_stable_across_processes() -> None:
    seed = cycle_seed(GUILDS[1], 7)
    here = cycle_order(seed, QUOTES)
    code = (
        "from bot.digest.picker import cycle_order;"
        f"print(','.join(cycle_order({seed!r}, {QUOTES!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert tuple(out.stdout.strip().split(",")) == here


def test_pinned_order() -> None:
    # Changing the ordering function would reshuffle every guild's running cycle: don't.
    assert cycle_order("42:1", ("a", "b", "c", "d", "e")) == ("e", "b", "a", "d", "c")


def test_avoid_first_moves_the_opener_to_the_end() -> None:
    order = cycle_order("9:2", QUOTES)
    moved = cycle_order("9:2", QUOTES, avoid_first=order[0])
    assert moved == (*order[1:], order[0])
    assert cycle_order("9:2", ("only",), avoid_first="only") == ("only",)
    assert cycle_order("9:2", QUOTES, avoid_first="not-in-pack") == order


def test_empty_pack_has_no_pick() -> None:
    assert pick_next(1, FIRST_CYCLE, (), ()) is None


def test_removed_quotes_are_ignored_and_new_ones_join() -> None:
    guild = GUILDS[2]
    order = cycle_order(cycle_seed(guild, 1), QUOTES)
    posted = list(order[:4])
    # Remove an unposted quote and a posted one; add two new quotes.
    removed_unposted, removed_posted = order[5], order[1]
    kept = (q for q in QUOTES if q not in {removed_unposted, removed_posted})
    pack = (*kept, "new-a", "new-b")
    seen = list(posted)
    cycle = FIRST_CYCLE
    while True:
        pick = pick_next(guild, cycle, pack, seen, last_posted=seen[-1])
        assert pick is not None
        if pick.cycle != cycle:
            break
        assert pick.quote_id not in seen
        seen.append(pick.quote_id)
    assert removed_unposted not in seen
    assert {"new-a", "new-b"} <= set(seen)
    assert set(pack) <= set(seen)


def test_adding_a_quote_keeps_the_relative_order_of_the_others() -> None:
    seed = cycle_seed(GUILDS[3], 1)
    before = cycle_order(seed, QUOTES)
    after = cycle_order(seed, (*QUOTES, "added"))
    assert tuple(q for q in after if q != "added") == before


@given(
    guild_id=st.integers(min_value=1, max_value=2**63 - 1),
    size=st.integers(min_value=1, max_value=30),
    cycles=st.integers(min_value=1, max_value=4),
)
@settings(max_examples=100, deadline=None)
def test_property_cycles_are_permutations(guild_id: int, size: int, cycles: int) -> None:
    quotes = tuple(f"q{i}" for i in range(size))
    picks = simulate(guild_id, quotes, size * cycles)
    for n in range(cycles):
        chunk = picks[n * size : (n + 1) * size]
        assert sorted(p.quote_id for p in chunk) == sorted(quotes)
        if n and size > 1:
            assert chunk[0].quote_id != picks[n * size - 1].quote_id


# ------------------------------------------------------------------------------- with the store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    db = await Store.open(tmp_path / "summitbot.sqlite3")
    await db.migrate()
    yield db
    await db.close()


async def test_preview_equals_next_post_and_store_matches_pure_picker(store: Store) -> None:
    guild = GUILDS[0]
    expected = simulate(guild, QUOTES, len(QUOTES) * 2 + 3)
    for want in expected:
        preview = await next_quote(store, guild, QUOTES)
        assert preview == await next_quote(store, guild, QUOTES)  # reading changes nothing
        assert preview == want
        await record_posted(store, guild, preview)
    state = await store.cycle_state(guild)
    assert state is not None
    assert state.cycle == FIRST_CYCLE + 2
    assert state.posted == frozenset(p.quote_id for p in expected[-3:])
    assert state.last_quote_id == expected[-1].quote_id


async def test_guilds_are_independent_in_the_store(store: Store) -> None:
    for guild in GUILDS[:3]:
        for _ in range(len(QUOTES)):
            await record_posted(store, guild, await _pick(store, guild))
    for guild in GUILDS[:3]:
        state = await store.cycle_state(guild)
        assert state is not None
        assert (state.cycle, state.posted) == (FIRST_CYCLE, frozenset(QUOTES))
    assert await store.cycle_state(GUILDS[4]) is None
    assert await next_quote(store, GUILDS[4], QUOTES) == Pick(
        cycle_order(cycle_seed(GUILDS[4], 1), QUOTES)[0], FIRST_CYCLE
    )


async def test_record_posted_in_a_caller_transaction(store: Store) -> None:
    guild = GUILDS[1]
    pick = await _pick(store, guild)

    async def record_then_fail() -> None:
        async with store.transaction() as conn:
            await record_posted(store, guild, pick, conn=conn)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await record_then_fail()
    assert await store.cycle_state(guild) is None  # rolled back with the caller's transaction
    async with store.transaction() as conn:
        await record_posted(store, guild, pick, conn=conn)
    state = await store.cycle_state(guild)
    assert state is not None
    assert state.posted == {pick.quote_id}


async def test_record_posted_rejects_a_stale_cycle(store: Store) -> None:
    guild = GUILDS[2]
    quotes = QUOTES[:2]
    for _ in range(3):
        await record_posted(store, guild, await _pick(store, guild, quotes))
    with pytest.raises(ValueError, match="already in cycle 2"):
        await record_posted(store, guild, Pick(quotes[0], 1))


async def test_empty_pack_with_the_store(store: Store) -> None:
    assert await next_quote(store, 1, ()) is None


async def _pick(store: Store, guild: int, quotes: tuple[str, ...] = QUOTES) -> Pick:
    pick = await next_quote(store, guild, quotes)
    assert pick is not None
    return pick
