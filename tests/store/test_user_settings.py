"""Personal digest settings (migration 0004): saved, paused with a reason and resumed, the DM
channel remembered; the personal post log is apart from the guilds'."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.store import DisableReason, PostStatus, RecipientKind, Store

USER = 80351110224678912
DAY = date(2026, 1, 15)
DUE = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


async def test_saving_enables_and_keeps_the_dm_channel(store: Store) -> None:
    first = await store.upsert_user_settings(
        USER, post_time="08:30", timezone="Asia/Shanghai", language="zh"
    )
    assert (first.enabled, first.channel_id, first.recipient_id) == (True, None, USER)
    assert await store.set_user_channel(USER, 777)
    assert await store.disable_user_settings(USER, DisableReason.CANNOT_DM)
    again = await store.upsert_user_settings(
        USER, post_time="21:00", timezone="Europe/Paris", language="en"
    )
    assert (again.enabled, again.disabled_reason, again.channel_id) == (True, None, 777)
    assert again.post_time.strftime("%H:%M") == "21:00"
    assert [s.user_id for s in await store.list_enabled_user_settings()] == [USER]


async def test_a_pause_keeps_its_first_reason_unless_the_user_turns_it_off(store: Store) -> None:
    await store.upsert_user_settings(USER, post_time="08:30", timezone="UTC", language="en")
    assert await store.disable_user_settings(USER, DisableReason.CANNOT_DM)
    assert await store.disable_user_settings(USER, DisableReason.USER)
    paused = await store.get_user_settings(USER)
    assert paused is not None
    assert paused.disabled_reason is DisableReason.CANNOT_DM
    assert await store.disable_user_settings(USER, DisableReason.USER, replace=True)
    stopped = await store.get_user_settings(USER)
    assert stopped is not None
    assert stopped.disabled_reason is DisableReason.USER
    assert await store.list_enabled_user_settings() == []
    resumed = await store.enable_user_settings(USER)
    assert resumed is not None
    assert (resumed.enabled, resumed.disabled_reason) == (True, None)
    assert await store.enable_user_settings(USER + 1) is None
    assert not await store.disable_user_settings(USER + 1, DisableReason.USER)


async def test_bad_values_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone"):
        await store.upsert_user_settings(
            USER, post_time="08:30", timezone="Mars/Olympus", language="en"
        )
    with pytest.raises(ValueError, match="HH:MM"):
        await store.upsert_user_settings(USER, post_time="8:30", timezone="UTC", language="en")


async def test_the_personal_post_log_is_apart_from_the_guilds(store: Store) -> None:
    assert await store.claim_post(USER, DAY, DUE, "q1", owner="me", kind=RecipientKind.USER)
    assert await store.post_for(USER, DAY) is None
    assert await store.claim_post(USER, DAY, DUE, "q2", owner="me")
    assert not await store.claim_post(USER, DAY, DUE, "q3", owner="me", kind=RecipientKind.USER)
    assert await store.mark_posted(USER, DAY, 99, channel_id=5, kind=RecipientKind.USER)
    personal = await store.post_for(USER, DAY, kind=RecipientKind.USER)
    guild = await store.post_for(USER, DAY)
    assert personal is not None
    assert guild is not None
    assert (personal.status, personal.quote_id, personal.guild_id) == (
        PostStatus.POSTED,
        "q1",
        USER,
    )
    assert (guild.status, guild.quote_id) == (PostStatus.CLAIMED, "q2")


async def test_the_table_refuses_what_the_store_never_writes(store: Store, db_path: Path) -> None:
    await store.upsert_user_settings(USER, post_time="08:30", timezone="UTC", language="en")
    await store.close()
    raw = sqlite3.connect(db_path)
    try:
        for statement in (
            "UPDATE user_digest_settings SET language = 'fr'",
            "UPDATE user_digest_settings SET enabled = 0",  # off needs a reason and a time
            "UPDATE user_digest_settings SET post_time = '24:00'",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(statement)
    finally:
        raw.close()
