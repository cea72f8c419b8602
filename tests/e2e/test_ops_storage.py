"""A read-only or full database (issue 15, finding 8): `/healthz` says so, users get a clear
answer instead of "Something went wrong", and a scheduled post the database refused is tried
again, within its grace period, once the database takes writes again.

The faults are SQLite's own (`tests/store/faults.py`): the tests run as root, where a chmod'ed
file stays writable.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.digest.due import next_due
from bot.i18n import t
from bot.store import PostStatus
from tests.e2e.conftest import Summit, VirtualClock, bot_posts, running_summit, service
from tests.e2e.test_digest import (
    SHANGHAI,
    await_catch_up,
    daily,
    fire,
    posted_row,
    set_digest,
)
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import free_port, get_json
from tests.store import faults


class Gate:
    """Stands in for the digest cog's sleep: each wait is handed to the test to release."""

    def __init__(self) -> None:
        self.waits: asyncio.Queue[tuple[float, asyncio.Future[None]]] = asyncio.Queue()

    async def sleep(self, delay: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.waits.put((delay, wake))
        await wake


@pytest.fixture
async def summit(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> AsyncIterator[Summit]:
    overrides = {"health": {"enabled": True, "port": free_port()}}
    async with running_summit(fake_discord, tmp_path, overrides=overrides) as running:
        await await_catch_up(running.bot)
        yield running


def healthz(summit: Summit) -> str:
    server = summit.bot.health_server
    assert server is not None
    return f"{server.url}/healthz"


async def test_healthz_fails_the_database_when_it_refuses_writes(summit: Summit) -> None:
    url = healthz(summit)
    await summit.bot.wait_until_ready()
    status, body = await get_json(url)
    assert status == 200, body
    assert body["checks"]["database"] == {"ok": True, "detail": "answers and takes writes"}

    store = summit.bot.store
    async with faults.read_only(store):
        assert await store.ping()  # `SELECT 1` alone still says "fine"
        status, body = await get_json(url)
        assert (status, body["failing"]) == (503, ["database"])
        assert body["checks"]["database"]["detail"].startswith("refuses writes: ")
        assert "read-only" in body["checks"]["database"]["detail"]
    async with faults.full(store):
        status, body = await get_json(url)
        assert (status, body["failing"]) == (503, ["database"])
        assert "is full" in body["checks"]["database"]["detail"]
    status, body = await get_json(url)
    assert status == 200, body


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
async def test_digest_set_and_now_say_storage_is_unavailable(summit: Summit, locale: str) -> None:
    lang = "zh" if locale == "zh-CN" else "en"
    expected = t("errors.storage_unavailable", lang)
    assert await set_digest(summit)  # configured while the database still works

    async with faults.read_only(summit.bot.store):
        refused = await set_digest(summit, time_text="10:30", locale=locale)
        assert refused.ephemeral
        assert refused.content == expected

        now = await summit.slash("digest now", user=summit.admin, locale=locale)
        await now.wait_followups(1)
        assert now.ephemeral
        assert now.content == expected
    assert bot_posts(summit.fake, daily(summit)) == []
    stored = await summit.bot.store.get_settings(summit.guild.id)
    assert stored is not None
    assert stored.post_time == time(9, 0)  # the refused change did not half-apply


async def test_a_post_the_database_refused_is_made_once_storage_is_back(
    summit: Summit, clock: VirtualClock
) -> None:
    await set_digest(summit)
    digest = service(summit.bot)
    gate = Gate()
    digest.sleep = gate.sleep
    due = next_due(clock.now, time(9), SHANGHAI)
    clock.now = due.instant

    async with faults.read_only(summit.bot.store):
        await fire(summit)
        assert bot_posts(summit.fake, daily(summit)) == []
        assert summit.guild.id in digest.storage_retries
        delay, wake = await gate.waits.get()
        assert delay == 30.0
        clock.now += timedelta(seconds=30)
        wake.set_result(None)
        delay, wake = await gate.waits.get()  # refused again: a longer wait
        assert delay == 60.0
        assert bot_posts(summit.fake, daily(summit)) == []

    clock.now += timedelta(seconds=60)
    wake.set_result(None)
    row = await posted_row(summit.bot, summit.guild.id, due.local_date)
    assert row.status is PostStatus.POSTED
    assert len(bot_posts(summit.fake, daily(summit))) == 1
    for task in list(digest.storage_retries.values()):
        await asyncio.wait_for(task, 5)
    assert digest.storage_retries == {}


async def test_retries_stop_after_the_grace_period(summit: Summit, clock: VirtualClock) -> None:
    await set_digest(summit)
    digest = service(summit.bot)
    gate = Gate()
    digest.sleep = gate.sleep
    due = next_due(clock.now, time(9), SHANGHAI)
    clock.now = due.instant
    grace = digest.poster.grace

    async with faults.read_only(summit.bot.store):
        await fire(summit)
        task = digest.storage_retries[summit.guild.id]
        _delay, wake = await gate.waits.get()
        clock.now = due.instant + grace + timedelta(minutes=1)
        wake.set_result(None)
        await asyncio.wait_for(task, 5)
    assert summit.guild.id not in digest.storage_retries
    assert bot_posts(summit.fake, daily(summit)) == []
    assert gate.waits.empty()
