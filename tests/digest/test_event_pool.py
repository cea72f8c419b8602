"""The daily post's pool by summit (`/digest set event:`), and cycles across content reloads
that add or remove a summit: no repeats until every quote is used, none lost."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog
from bot.digest.picker import Pick, cycle_seed, pick_next_in
from bot.digest.posting import post_pool
from bot.store import DigestMode, GuildSettings, Store, UserSettings
from tests.summits import AGI_NEXT_ID, XINGHE_ID, copy_content, two_summits

GUILD = 4242


def settings(event_id: str | None = None, mode: DigestMode = DigestMode.QUOTE) -> GuildSettings:
    now = datetime(2026, 4, 1, tzinfo=UTC)
    return GuildSettings(
        guild_id=GUILD,
        channel_id=1,
        post_time=time(9),
        timezone="Asia/Shanghai",
        language="en",
        enabled=True,
        disabled_reason=None,
        disabled_at=None,
        created_at=now,
        updated_at=now,
        mode=mode,
        event_id=event_id,
    )


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(two_summits(tmp_path_factory.mktemp("both") / "content"))


@pytest.fixture(scope="module")
def agi_only(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(copy_content(tmp_path_factory.mktemp("one") / "content"))


def test_pool_is_one_summit_or_the_union(both: Catalog) -> None:
    xinghe = {q.id for q in both.quotes_of_event(XINGHE_ID)}
    assert len(xinghe) == 8
    assert set(post_pool(both, settings(XINGHE_ID))) == xinghe
    assert set(post_pool(both, settings(AGI_NEXT_ID))) == set(both.quotes) - xinghe
    assert set(post_pool(both, settings())) == set(both.quotes)
    # A summit a reload removed: nothing to post (status says so), not another summit's quotes.
    assert post_pool(both, settings("gone-2025")) == []
    # "Who said it?" mode narrows the summit's pool further, never widens it.
    assert set(post_pool(both, settings(XINGHE_ID, DigestMode.WHOSAID))) <= xinghe
    # A personal digest has no summit setting: every quote.
    assert set(post_pool(both, None)) == set(both.quotes)


class Walk:
    """A guild's cycle as the store keeps it: cycle number, seed, posted ids."""

    def __init__(self) -> None:
        self.cycle = 1
        self.posted: list[str] = []
        self.avoid_first: str | None = None
        self.history: list[Pick] = []

    def post(self, pool: list[str]) -> Pick:
        pick = pick_next_in(
            GUILD,
            self.cycle,
            cycle_seed(GUILD, self.cycle),
            pool,
            self.posted,
            avoid_first=self.avoid_first,
            last_posted=self.posted[-1] if self.posted else None,
        )
        assert pick is not None
        if pick.cycle != self.cycle:
            self.avoid_first = self.posted[-1] if self.posted else None
            self.cycle, self.posted = pick.cycle, []
        self.posted.append(pick.quote_id)
        self.history.append(pick)
        return pick


def test_a_summit_added_by_a_reload_joins_the_cycle(agi_only: Catalog, both: Catalog) -> None:
    walk = Walk()
    for _ in range(10):
        walk.post(post_pool(agi_only, settings()))
    pool = post_pool(both, settings())  # the reload: Xinghe's quotes join
    while walk.post(pool).cycle == 1:
        pass
    first_cycle = [p.quote_id for p in walk.history if p.cycle == 1]
    assert len(first_cycle) == len(set(first_cycle)) == 53
    assert set(first_cycle) == set(both.quotes)


def test_a_summit_removed_by_a_reload_leaves_the_cycle(agi_only: Catalog, both: Catalog) -> None:
    walk = Walk()
    for _ in range(20):
        walk.post(post_pool(both, settings()))
    pool = post_pool(agi_only, settings())  # the reload: Xinghe is gone
    while walk.post(pool).cycle == 1:
        pass
    first_cycle = [p.quote_id for p in walk.history if p.cycle == 1]
    assert len(first_cycle) == len(set(first_cycle))
    # Every AGI-Next quote was posted once; Xinghe's only those posted before it left.
    assert set(agi_only.quotes) <= set(first_cycle)
    assert set(first_cycle) <= set(both.quotes)
    # The next cycle is AGI-Next's alone.
    second = [walk.post(pool).quote_id for _ in range(44)]
    assert set(second) | {walk.history[-45].quote_id} == set(agi_only.quotes)


def test_narrowing_to_one_summit_mid_cycle_repeats_nothing(both: Catalog) -> None:
    walk = Walk()
    for _ in range(20):
        walk.post(post_pool(both, settings()))
    pool = post_pool(both, settings(XINGHE_ID))  # `/digest set event:xinghe-2026`
    picks = []
    while (pick := walk.post(pool)).cycle == 1:
        picks.append(pick.quote_id)
    first_cycle = [p.quote_id for p in walk.history if p.cycle == 1]
    assert len(first_cycle) == len(set(first_cycle))
    xinghe = {q.id for q in both.quotes_of_event(XINGHE_ID)}
    assert set(picks) <= xinghe
    assert xinghe <= set(first_cycle)  # the cycle ends when the summit's quotes are all used


async def test_event_setting_is_stored(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        await store.migrate()
        saved = await store.upsert_settings(
            GUILD,
            channel_id=1,
            post_time="09:00",
            timezone="Asia/Shanghai",
            language="en",
            event_id=XINGHE_ID,
        )
        assert saved.event_id == XINGHE_ID
        assert (await store.get_settings(GUILD)) == saved
        again = await store.upsert_settings(
            GUILD, channel_id=1, post_time="09:00", timezone="Asia/Shanghai", language="en"
        )
        assert again.event_id is None
    finally:
        await store.close()


def test_a_personal_digest_may_choose_a_summit_too(both: Catalog) -> None:
    now = datetime(2026, 4, 1, tzinfo=UTC)
    user = UserSettings(
        user_id=7,
        channel_id=None,
        post_time=time(9),
        timezone="UTC",
        language="zh",
        enabled=True,
        disabled_reason=None,
        disabled_at=None,
        created_at=now,
        updated_at=now,
        event_id=XINGHE_ID,
    )
    assert set(post_pool(both, user)) == {q.id for q in both.quotes_of_event(XINGHE_ID)}


async def test_a_personal_event_setting_is_stored(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        await store.migrate()
        saved = await store.upsert_user_settings(
            7, post_time="09:00", timezone="UTC", language="zh", event_id=AGI_NEXT_ID
        )
        assert saved.event_id == AGI_NEXT_ID
        again = await store.upsert_user_settings(
            7, post_time="09:00", timezone="UTC", language="zh"
        )
        assert again.event_id is None
    finally:
        await store.close()


async def test_a_cycle_stored_with_bare_ids_repeats_nothing_once_ids_are_shared(
    tmp_path: Path, agi_only: Catalog
) -> None:
    """A database written by the AGI-Next-only bot holds bare quote ids. A second summit then
    reuses two of those ids (ids are per pack): the stored ids resolve at read, as AGI-Next's,
    and the cycle over the union posts every quote once."""
    from bot.digest.picker import next_quote, record_posted

    store = await Store.open(tmp_path / "db.sqlite")
    await store.migrate()
    try:
        pool = post_pool(agi_only, None)
        posted: list[str] = []
        for _ in range(5):
            pick = await next_quote(store, GUILD, pool, canonical=agi_only.quotes.canonical)
            assert pick is not None
            await record_posted(store, GUILD, pick)
            posted.append(pick.quote_id)
        assert all("/" not in quote_id for quote_id in posted)  # bare, as stored before
        unposted = next(q for q in pool if q not in posted)
        content = two_summits(tmp_path / "content")
        quotes = content / XINGHE_ID / "quotes.yaml"
        text = quotes.read_text(encoding="utf-8")
        text = text.replace("id: xinghe-tangjie-go-deep", f"id: {posted[0]}")
        text = text.replace("id: xinghe-chensiqi-rerun-evals", f"id: {unposted}")
        quotes.write_text(text, encoding="utf-8")
        shared = load_catalog(content)
        assert shared.quotes[posted[0]].id == f"{AGI_NEXT_ID}/{posted[0]}"
        union = post_pool(shared, None)
        assert len(union) == len(pool) + 8
        cycle: list[str] = []
        for _ in range(len(union) - len(posted)):
            pick = await next_quote(store, GUILD, union, canonical=shared.quotes.canonical)
            assert pick is not None
            assert pick.cycle == 1
            await record_posted(store, GUILD, pick)
            cycle.append(pick.quote_id)
        # Every quote of the union once: the five posted under bare ids are not repeated.
        resolved = {shared.quotes.canonical(quote_id) for quote_id in posted}
        assert len(cycle) == len(set(cycle))
        assert resolved.isdisjoint(cycle)
        assert resolved | set(cycle) == set(union)
        after = await next_quote(store, GUILD, union, canonical=shared.quotes.canonical)
        assert after is not None
        assert after.cycle == 2
    finally:
        await store.close()
