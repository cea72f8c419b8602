"""The store on real SQLite files: settings, the post log, quote cycles, errors, backup."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.store import (
    DisableReason,
    PostStatus,
    Reason,
    Store,
    StoreError,
    StoreLockedError,
    StoreUnwritableError,
)
from tests.store import faults
from tests.store.conftest import FakeClock

GUILD = 81384788765712384
CHANNEL = 81384788765712385
DAY = date(2026, 1, 15)
DUE = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


async def configure(store: Store, guild_id: int = GUILD, **changes: object) -> None:
    values: dict[str, object] = {
        "channel_id": CHANNEL,
        "post_time": time(9, 0),
        "timezone": "Asia/Shanghai",
        "language": "zh",
    }
    values.update(changes)
    await store.upsert_settings(guild_id, **values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ open / errors


async def test_corrupt_file_is_reported_clearly(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(StoreError, match="is not a valid SQLite database") as info:
        await Store.open(path)
    assert str(path) in str(info.value)
    assert not isinstance(info.value, StoreLockedError)


async def test_text_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.txt is not a valid SQLite database"):
        await Store.open(path)


@pytest.fixture
def exclusive_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the database's write lock."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS other (id INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


async def test_locked_database_at_open(db_path: Path, exclusive_lock: sqlite3.Connection) -> None:
    with pytest.raises(StoreLockedError, match="is locked by another connection") as info:
        await Store.open(db_path, busy_timeout_ms=50)
    assert str(db_path) in str(info.value)
    assert "50 ms" in str(info.value)


async def test_locked_database_while_running(store: Store) -> None:
    holder = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    store.busy_timeout_ms = 50
    async with store.transaction(write=False) as conn:
        await conn._execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(StoreLockedError, match="locked"):
            await configure(store)
        assert await store.get_settings(GUILD) is None  # readers are not blocked in WAL mode
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await configure(store)
    assert await store.get_settings(GUILD) is not None


async def test_closed_store(store: Store) -> None:
    assert await store.ping()
    await store.close()
    await store.close()  # idempotent
    assert not await store.ping()
    assert store.closed
    with pytest.raises(StoreError, match="is closed"):
        await store.get_settings(GUILD)


async def test_transaction_is_not_reentrant(store: Store) -> None:
    async with store.transaction() as conn:
        with pytest.raises(RuntimeError, match="pass conn="):
            await store.get_settings(GUILD)
        assert await store.get_settings(GUILD, conn=conn) is None


async def test_handle_expires_with_its_transaction(store: Store) -> None:
    async with store.transaction() as conn:
        pass
    with pytest.raises(RuntimeError, match="already ended"):
        await store.get_settings(GUILD, conn=conn)


async def test_handle_of_another_store_is_refused(store: Store, tmp_path: Path) -> None:
    other = await Store.open(tmp_path / "other.sqlite3")
    await other.migrate()
    try:
        async with other.transaction() as conn:
            with pytest.raises(RuntimeError, match="another store"):
                await store.get_settings(GUILD, conn=conn)
    finally:
        await other.close()


# ----------------------------------------------------------------------------------- settings


async def test_settings_round_trip(store: Store, clock: FakeClock) -> None:
    assert await store.get_settings(GUILD) is None
    created = await store.upsert_settings(
        GUILD, channel_id=CHANNEL, post_time="21:30", timezone="America/New_York", language="en"
    )
    assert (created.channel_id, created.post_time, created.timezone, created.language) == (
        CHANNEL,
        time(21, 30),
        "America/New_York",
        "en",
    )
    assert created.enabled
    assert created.created_at == created.updated_at == clock.now
    clock.advance(hours=1)
    updated = await store.upsert_settings(
        GUILD, channel_id=CHANNEL + 1, post_time=time(8, 5), timezone="Asia/Tokyo", language="zh"
    )
    assert updated.created_at == created.created_at
    assert updated.updated_at == clock.now
    assert await store.get_settings(GUILD) == updated


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("post_time", "24:00", "not HH:MM"),
        ("post_time", "9:00", "not HH:MM"),
        ("post_time", time(9, 0, 30), "has seconds"),
        ("timezone", "Mars/Olympus", "unknown timezone"),
        ("timezone", "../etc/passwd", "unknown timezone"),
        ("language", "fr", "unknown language"),
    ],
)
async def test_settings_validation(store: Store, field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await configure(store, **{field: value})
    assert await store.get_settings(GUILD) is None


async def test_disable_keeps_settings_and_reason(store: Store, clock: FakeClock) -> None:
    await configure(store)
    assert await store.disable_settings(GUILD, DisableReason.CHANNEL_MISSING)
    settings = await store.get_settings(GUILD)
    assert settings is not None
    assert not settings.enabled
    assert settings.disabled_reason is DisableReason.CHANNEL_MISSING
    assert settings.disabled_at == clock.now
    assert settings.channel_id == CHANNEL  # kept, not deleted
    # A second failure does not overwrite the first reason.
    clock.advance(minutes=5)
    assert await store.disable_settings(GUILD, DisableReason.MISSING_PERMISSIONS)
    again = await store.get_settings(GUILD)
    assert again is not None
    assert again.disabled_reason is DisableReason.CHANNEL_MISSING
    assert again.disabled_at == settings.disabled_at
    assert await store.list_enabled_settings() == []
    assert [s.guild_id for s in await store.list_settings()] == [GUILD]


async def test_upsert_reenables(store: Store) -> None:
    await configure(store)
    await store.disable_settings(GUILD, "missing_permissions")  # type: ignore[arg-type]
    await configure(store, channel_id=CHANNEL + 7)  # fixing the channel turns it back on
    fixed = await store.get_settings(GUILD)
    assert fixed is not None
    assert (fixed.enabled, fixed.disabled_reason, fixed.disabled_at) == (True, None, None)
    assert fixed.channel_id == CHANNEL + 7


async def test_unknown_reason_code_is_refused(store: Store) -> None:
    await configure(store)
    with pytest.raises(ValueError, match="not a valid DisableReason"):
        await store.disable_settings(GUILD, "bored")  # type: ignore[arg-type]


async def test_settings_of_missing_guild(store: Store) -> None:
    assert not await store.disable_settings(GUILD, DisableReason.ADMIN)


async def test_list_enabled_settings_with_shards(store: Store) -> None:
    guilds = [(shard << 22) | 1 for shard in range(6)]  # guild n lands on shard n % count
    for guild in guilds:
        await configure(store, guild)
    await store.disable_settings(guilds[2], DisableReason.ADMIN)
    everyone = await store.list_enabled_settings()
    assert [s.guild_id for s in everyone] == [g for g in guilds if g != guilds[2]]
    shard0 = await store.list_enabled_settings(shard_count=3, shard_ids=[0])
    assert [s.guild_id for s in shard0] == [guilds[0], guilds[3]]
    shards12 = await store.list_enabled_settings(shard_count=3, shard_ids=[1, 2])
    assert [s.guild_id for s in shards12] == [guilds[1], guilds[4], guilds[5]]
    assert await store.list_enabled_settings(shard_count=3, shard_ids=[]) == []
    with pytest.raises(ValueError, match="shard_count"):
        await store.list_enabled_settings(shard_count=0)


# ----------------------------------------------------------------------------------- post log


async def test_claim_then_post(store: Store, clock: FakeClock) -> None:
    assert await store.claim_post(GUILD, DAY, DUE, "q1", channel_id=CHANNEL)
    claimed = await store.post_for(GUILD, DAY)
    assert claimed is not None
    assert (claimed.status, claimed.quote_id, claimed.scheduled_for) == (
        PostStatus.CLAIMED,
        "q1",
        DUE,
    )
    clock.advance(seconds=2)
    assert await store.mark_posted(GUILD, DAY, 99, attempts=2)
    posted = await store.post_for(GUILD, DAY)
    assert posted is not None
    assert (posted.status, posted.message_id, posted.attempts, posted.channel_id) == (
        PostStatus.POSTED,
        99,
        2,
        CHANNEL,
    )
    assert posted.updated_at == clock.now
    assert posted.created_at < posted.updated_at
    # Every later claim or transition of that date is refused.
    assert not await store.claim_post(GUILD, DAY, DUE, "q2")
    assert not await store.mark_posted(GUILD, DAY, 100)
    assert not await store.mark_failed(GUILD, DAY, Reason.SERVER_ERROR, "http 500", 3)
    assert not await store.mark_skipped(GUILD, DAY, Reason.MISSED, "late", scheduled_for=DUE)
    assert not await store.retry_claim(GUILD, DAY)
    assert await store.post_for(GUILD, DAY) == posted


async def test_failed_post_is_reclaimed_only_by_retry(store: Store) -> None:
    assert await store.claim_post(GUILD, DAY, DUE, "q1")
    assert await store.mark_failed(GUILD, DAY, Reason.SERVER_ERROR, "HTTP 503 from Discord", 3)
    failed = await store.post_for(GUILD, DAY)
    assert failed is not None
    assert (failed.status, failed.reason, failed.detail, failed.attempts) == (
        PostStatus.FAILED,
        Reason.SERVER_ERROR,
        "HTTP 503 from Discord",
        3,
    )
    assert not await store.claim_post(GUILD, DAY, DUE, "q1")
    assert await store.retry_claim(GUILD, DAY)
    assert not await store.retry_claim(GUILD, DAY)  # already claimed again
    again = await store.post_for(GUILD, DAY)
    assert again is not None
    assert (again.status, again.reason, again.detail, again.attempts, again.quote_id) == (
        PostStatus.CLAIMED,
        None,
        None,
        3,
        "q1",
    )
    assert await store.mark_posted(GUILD, DAY, 5)
    done = await store.post_for(GUILD, DAY)
    assert done is not None
    assert done.attempts == 3


async def test_mark_skipped_inserts_or_converts_a_claim(store: Store) -> None:
    other_day = date(2026, 1, 16)
    assert await store.mark_skipped(
        GUILD, DAY, Reason.MISSED, "by 9 h (grace 6 h)", scheduled_for=DUE, channel_id=CHANNEL
    )
    skipped = await store.post_for(GUILD, DAY)
    assert skipped is not None
    assert (skipped.status, skipped.reason, skipped.detail) == (
        PostStatus.SKIPPED,
        Reason.MISSED,
        "by 9 h (grace 6 h)",
    )
    assert not await store.claim_post(GUILD, DAY, DUE, "q1")
    assert not await store.mark_skipped(GUILD, DAY, Reason.MISSED, "again", scheduled_for=DUE)
    # A claimed date can be turned into a skip (e.g. the channel vanished before sending).
    assert await store.claim_post(GUILD, other_day, DUE, "q2")
    assert await store.mark_skipped(GUILD, other_day, Reason.CHANNEL_MISSING, scheduled_for=DUE)
    converted = await store.post_for(GUILD, other_day)
    assert converted is not None
    assert (converted.status, converted.reason, converted.detail, converted.quote_id) == (
        PostStatus.SKIPPED,
        Reason.CHANNEL_MISSING,
        None,
        "q2",
    )


async def test_reasons_are_codes_and_details_are_bounded(store: Store) -> None:
    assert await store.claim_post(GUILD, DAY, DUE, "q1")
    with pytest.raises(ValueError, match="is not a valid Reason"):
        await store.mark_failed(GUILD, DAY, "missed: late", None, 1)  # type: ignore[arg-type]
    assert await store.mark_failed(GUILD, DAY, Reason.REJECTED, "x" * 5000, 1)
    failed = await store.post_for(GUILD, DAY)
    assert failed is not None
    assert failed.reason is Reason.REJECTED
    assert failed.detail is not None
    assert len(failed.detail) == 500


async def test_last_post_and_recent_posts(store: Store) -> None:
    assert await store.last_post(GUILD) is None
    for day in (date(2026, 1, 13), date(2026, 1, 15), date(2026, 1, 14)):
        assert await store.claim_post(GUILD, day, DUE, None)
    await store.claim_post(GUILD + 1, date(2026, 2, 1), DUE, None)
    last = await store.last_post(GUILD)
    assert last is not None
    assert last.local_date == date(2026, 1, 15)
    recent = await store.recent_posts(GUILD, limit=2)
    assert [p.local_date.day for p in recent] == [15, 14]
    assert await store.post_for(GUILD, date(2026, 1, 1)) is None


async def test_concurrent_claims_on_one_store_are_exactly_once(store: Store) -> None:
    results = await asyncio.gather(*(store.claim_post(GUILD, DAY, DUE, f"q{i}") for i in range(20)))
    assert sorted(results) == [False] * 19 + [True]
    winner = await store.post_for(GUILD, DAY)
    assert winner is not None
    assert winner.quote_id == f"q{results.index(True)}"


async def test_concurrent_claims_across_connections_are_exactly_once(
    store: Store, db_path: Path
) -> None:
    others = [await Store.open(db_path) for _ in range(3)]
    try:
        stores = [store, *others]
        for day in range(1, 6):
            target = date(2026, 3, day)
            claims = [
                s.claim_post(GUILD, target, DUE, f"{n}-{i}")
                for n, s in enumerate(stores)
                for i in range(4)
            ]
            results = await asyncio.gather(*claims)
            assert results.count(True) == 1, target
    finally:
        for other in others:
            await other.close()


# ------------------------------------------------------------------ claim owners and leases

OWNER_A = "instance-a"
OWNER_B = "instance-b"


async def test_a_claim_names_its_owner(store: Store) -> None:
    assert await store.claim_post(GUILD, DAY, DUE, "q1", owner=OWNER_A)
    row = await store.post_for(GUILD, DAY)
    assert row is not None
    assert row.claimed_by == OWNER_A
    await store.mark_failed(GUILD, DAY, Reason.SERVER_ERROR, "503", 4)
    assert await store.retry_claim(GUILD, DAY, owner=OWNER_B)
    row = await store.post_for(GUILD, DAY)
    assert row is not None
    assert (row.status, row.claimed_by) == (PostStatus.CLAIMED, OWNER_B)


async def test_a_live_owners_claim_is_never_abandoned_and_a_dead_ones_is(
    store: Store, clock: FakeClock
) -> None:
    now = clock.now
    lease = now + timedelta(seconds=60)
    await store.renew_instance(OWNER_A, now=now, lease_until=lease)
    await store.renew_instance(OWNER_B, now=now, lease_until=lease)
    assert await store.claim_post(GUILD, DAY, DUE, "q1", owner=OWNER_A)
    legacy = now - timedelta(minutes=15)

    # B sees A's claim as taken while A's lease lasts, and cannot take it over.
    assert await store.abandoned_claims(owner=OWNER_B, now=now, legacy_before=legacy) == []
    assert not await store.take_over_claim(GUILD, DAY, owner=OWNER_B, now=now, legacy_before=legacy)
    # A sees its own claim (it decides whether a post of its own is in progress).
    (own,) = await store.abandoned_claims(owner=OWNER_A, now=now, legacy_before=legacy)
    assert own.claimed_by == OWNER_A

    # A's lease runs out (it died): of several live processes exactly one takes it over.
    later = lease + timedelta(seconds=1)
    others = [f"instance-{n}" for n in range(5)]
    for other in others:
        await store.renew_instance(other, now=later, lease_until=later + timedelta(seconds=60))
    (dead,) = await store.abandoned_claims(owner=others[0], now=later, legacy_before=legacy)
    assert (dead.guild_id, dead.local_date, dead.claimed_by) == (GUILD, DAY, OWNER_A)
    results = await asyncio.gather(
        *(
            store.take_over_claim(GUILD, DAY, owner=other, now=later, legacy_before=legacy)
            for other in others
        )
    )
    assert results.count(True) == 1
    row = await store.post_for(GUILD, DAY)
    assert row is not None
    assert row.claimed_by == others[results.index(True)]
    # Now B holds it alive: A (were it back) may not take it.
    assert not await store.take_over_claim(
        GUILD, DAY, owner=OWNER_A, now=later, legacy_before=legacy
    )


async def test_a_released_instance_leaves_its_claims_abandoned_at_once(
    store: Store, clock: FakeClock
) -> None:
    now = clock.now
    await store.renew_instance(OWNER_A, now=now, lease_until=now + timedelta(hours=1))
    assert await store.claim_post(GUILD, DAY, DUE, "q1", owner=OWNER_A)
    await store.release_instance(OWNER_A)
    legacy = now - timedelta(minutes=15)
    (row,) = await store.abandoned_claims(owner=OWNER_B, now=now, legacy_before=legacy)
    assert row.claimed_by == OWNER_A


async def test_ownerless_claims_are_abandoned_only_after_the_legacy_age(
    store: Store, clock: FakeClock
) -> None:
    assert await store.claim_post(GUILD, DAY, DUE, "q1")  # as before migration 0002
    now = clock.now
    assert (
        await store.abandoned_claims(
            owner=OWNER_B, now=now, legacy_before=now - timedelta(minutes=15)
        )
        == []
    )
    later = now + timedelta(minutes=16)
    (row,) = await store.abandoned_claims(
        owner=OWNER_B, now=later, legacy_before=later - timedelta(minutes=15)
    )
    assert row.claimed_by is None
    assert await store.take_over_claim(
        GUILD, DAY, owner=OWNER_B, now=later, legacy_before=later - timedelta(minutes=15)
    )


async def test_settled_rows_are_never_abandoned_claims(store: Store, clock: FakeClock) -> None:
    now = clock.now
    for n, settle in enumerate(("posted", "failed", "skipped")):
        day = date(2026, 1, 10 + n)
        assert await store.claim_post(GUILD, day, DUE, "q1", owner=OWNER_A)
        if settle == "posted":
            await store.mark_posted(GUILD, day, 99)
        elif settle == "failed":
            await store.mark_failed(GUILD, day, Reason.REJECTED, "400", 1)
        else:
            await store.mark_skipped(GUILD, day, Reason.MISSED, "late", scheduled_for=DUE)
    later = now + timedelta(days=1)
    assert await store.abandoned_claims(owner=OWNER_B, now=later, legacy_before=later) == []


async def test_renew_extends_and_prune_forgets_expired_instances(
    store: Store, clock: FakeClock
) -> None:
    now = clock.now
    await store.renew_instance(OWNER_A, now=now, lease_until=now + timedelta(seconds=30))
    await store.renew_instance(OWNER_A, now=now, lease_until=now + timedelta(seconds=90))
    await store.renew_instance(OWNER_B, now=now, lease_until=now + timedelta(seconds=30))
    assert await store.prune_instances(now=now + timedelta(seconds=60)) == 1
    assert await store.claim_post(GUILD, DAY, DUE, "q1", owner=OWNER_A)
    at = now + timedelta(seconds=60)
    assert await store.abandoned_claims(owner=OWNER_B, now=at, legacy_before=at) == []


async def test_composed_transaction_rolls_back_together(store: Store) -> None:
    await configure(store)

    async def claim_post_and_fail() -> None:
        async with store.transaction() as conn:
            assert await store.claim_post(GUILD, DAY, DUE, "q1", conn=conn)
            assert await store.mark_posted(GUILD, DAY, 42, conn=conn)
            await store.disable_settings(GUILD, DisableReason.ADMIN, conn=conn)
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError, match="crash before commit"):
        await claim_post_and_fail()
    assert await store.post_for(GUILD, DAY) is None
    settings = await store.get_settings(GUILD)
    assert settings is not None
    assert settings.enabled
    async with store.transaction() as conn:
        assert await store.claim_post(GUILD, DAY, DUE, "q1", conn=conn)
        assert await store.mark_posted(GUILD, DAY, 42, conn=conn)
    posted = await store.post_for(GUILD, DAY)
    assert posted is not None
    assert posted.status is PostStatus.POSTED


# -------------------------------------------------------------------------------- quote cycle


async def test_cycle_state(store: Store, clock: FakeClock) -> None:
    assert await store.cycle_state(GUILD) is None
    with pytest.raises(ValueError, match="not guild"):
        await store.add_cycle_post(GUILD, 1, "q1")
    await store.start_cycle(GUILD, 1, f"{GUILD}:1", avoid_first=None)
    assert await store.add_cycle_post(GUILD, 1, "q2")
    assert await store.add_cycle_post(GUILD, 1, "q1")
    assert not await store.add_cycle_post(GUILD, 1, "q2")  # once per cycle
    state = await store.cycle_state(GUILD)
    assert state is not None
    assert (state.cycle, state.seed, state.posted, state.last_quote_id, state.started_at) == (
        1,
        f"{GUILD}:1",
        frozenset({"q1", "q2"}),
        "q1",
        clock.now,
    )
    with pytest.raises(ValueError, match="cannot start cycle 1"):
        await store.start_cycle(GUILD, 1, "again", avoid_first=None)
    await store.start_cycle(GUILD, 2, f"{GUILD}:2", avoid_first="q1")
    state = await store.cycle_state(GUILD)
    assert state is not None
    assert (state.cycle, state.avoid_first, state.posted, state.last_quote_id) == (
        2,
        "q1",
        frozenset(),
        None,
    )
    with pytest.raises(ValueError, match="not guild"):
        await store.add_cycle_post(GUILD, 1, "q3")


# --------------------------------------------------------------------------------------- backup


async def test_backup_while_writing_is_a_valid_database(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    writer = await Store.open(db_path)  # a second connection, as another process would be
    await configure(store)
    backups = [tmp_path / "backups" / f"copy-{i}.sqlite3" for i in range(3)]

    async def write(target: Store, offset: int) -> None:
        for i in range(60):
            guild = offset + i
            await configure(target, guild)
            await target.claim_post(guild, DAY, DUE, f"q{i}")

    async def back_up() -> None:
        for dest in backups:
            await store.backup(dest)
            await asyncio.sleep(0)

    try:
        await asyncio.gather(write(writer, 1_000), write(store, 2_000), back_up())
    finally:
        await writer.close()
    for dest in backups:
        with sqlite3.connect(dest) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            settings = raw.execute("SELECT count(*) FROM guild_digest_settings").fetchone()[0]
            posts = raw.execute("SELECT count(*) FROM digest_posts").fetchone()[0]
        assert 1 <= settings <= 121
        assert posts <= settings  # every claim in a copy has its settings row
        copy = await Store.open(dest)  # verifies migrations too
        assert await copy.get_settings(GUILD) is not None
        await copy.close()
    assert not list((tmp_path / "backups").glob("*.tmp"))
    # The final backup, taken now, has everything.
    await store.backup(backups[0])
    with sqlite3.connect(backups[0]) as raw:
        assert raw.execute("SELECT count(*) FROM guild_digest_settings").fetchone()[0] == 121


# --- writability (issue 15, finding 8) -----------------------------------------------------


async def test_probe_write_passes_and_leaves_nothing_behind(store: Store) -> None:
    assert await store.probe_write() is None
    assert await store.probe_write() is None  # the table was rolled back, not kept
    assert await store.ping()


async def test_a_read_only_database_answers_select_1_but_fails_the_write_probe(
    store: Store,
) -> None:
    async with faults.read_only(store):
        assert await store.ping()  # what /healthz used to rely on
        problem = await store.probe_write()
        assert isinstance(problem, StoreUnwritableError)
        assert "read-only" in str(problem)
        with pytest.raises(StoreUnwritableError):
            await store.upsert_settings(
                1, channel_id=2, post_time=time(9), timezone="UTC", language="en"
            )
    assert await store.probe_write() is None


async def test_a_full_database_fails_the_write_probe(store: Store) -> None:
    async with faults.full(store):
        assert await store.ping()
        problem = await store.probe_write()
        assert isinstance(problem, StoreUnwritableError)
        assert "full" in str(problem)
    assert await store.probe_write() is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (sqlite3.SQLITE_READONLY, "read-only"),
        (sqlite3.SQLITE_FULL, "full"),
        (sqlite3.SQLITE_IOERR, "cannot be written"),
        (sqlite3.SQLITE_PERM, "cannot be written"),
        (sqlite3.SQLITE_CANTOPEN, "cannot be written"),
        (sqlite3.SQLITE_READONLY | (3 << 8), "read-only"),  # an extended code: READONLY_DBMOVED
    ],
)
def test_sqlite_refusing_writes_maps_to_unwritable(store: Store, code: int, words: str) -> None:
    error = sqlite3.OperationalError("attempt to write")
    error.sqlite_errorcode = code
    mapped = store._translate(error)
    assert isinstance(mapped, StoreUnwritableError)
    assert words in str(mapped)
    assert str(store.path) in str(mapped)


def test_every_disable_reason_is_a_post_log_reason() -> None:
    """A failure that disables the digest records the DisableReason's code in the post log."""
    for reason in DisableReason:
        assert Reason.disabled(reason).value == reason.value


@pytest.mark.parametrize("page_size", [1, 2, 4])
async def test_list_enabled_settings_reads_in_pages(store: Store, page_size: int) -> None:
    """Pages of any size give the whole list in guild order, with or without shards."""
    guilds = [(shard << 22) | n for shard in range(6) for n in (1, 2)]
    for guild in guilds:
        await configure(store, guild)
    await store.disable_settings(guilds[3], DisableReason.ADMIN)
    whole = await store.list_enabled_settings()
    assert len(whole) == len(guilds) - 1
    assert await store.list_enabled_settings(page_size=page_size) == whole
    sharded = await store.list_enabled_settings(shard_count=3, shard_ids=[1, 2])
    paged = await store.list_enabled_settings(shard_count=3, shard_ids=[1, 2], page_size=page_size)
    assert paged == sharded
    assert [s.guild_id for s in paged] == [s.guild_id for s in whole if (s.guild_id >> 22) % 3]
    with pytest.raises(ValueError, match="page_size"):
        await store.list_enabled_settings(page_size=0)
