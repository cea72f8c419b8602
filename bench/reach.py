"""Server and personal digests due in the same minute: 1,000 guild posts and 1,000 DMs.

As ``bench/digest.py``, through the real bot as a process against the fake Discord (50
requests/s globally, per-route buckets), plus 1,000 users with a personal digest
(``/mydigest``) due at the same minute. Half of the users already have their DM channel in the
store (a later day: one request each, the send); the other half need ``POST
/users/@me/channels`` first (their first day: two requests). Every request of both fan-outs
takes a slot of the one throttle, so together they keep to the global limit.

The floor is the number of requests the fan-out made ÷ 50 per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bench._util import REPO, spawn, summary
from bench.digest import GLOBAL_RATE, LEAD_SECONDS, _busiest_second, _due_minute

GUILDS = 1_000
USERS = 1_000


async def _write_settings(
    db: Path, guilds: list[Any], users: list[Any], stored: dict[int, int], due: dt.datetime
) -> None:
    from bot.store import Store

    store = await Store.open(db)
    try:
        await store.migrate()
        hhmm = due.strftime("%H:%M")
        for number, guild in enumerate(guilds):
            await store.upsert_settings(
                guild.id,
                channel_id=guild.channel("daily").id,
                post_time=hhmm,
                timezone="UTC",
                language="zh" if number % 2 else "en",
            )
        for number, user in enumerate(users):
            await store.upsert_user_settings(
                user.id, post_time=hhmm, timezone="UTC", language="en" if number % 2 else "zh"
            )
            if user.id in stored:
                await store.set_user_channel(user.id, stored[user.id])
    finally:
        await store.close()


async def _statuses(db: Path, guilds: list[Any], users: list[Any]) -> dict[str, dict[str, int]]:
    from bot.store import RecipientKind, Store

    store = await Store.open(db)
    try:
        out: dict[str, dict[str, int]] = {}
        for kind, ids in ((RecipientKind.GUILD, guilds), (RecipientKind.USER, users)):
            counts: Counter[str] = Counter()
            for item in ids:
                record = await store.last_post(item.id, kind=kind)
                counts[record.status.value if record is not None else "none"] += 1
            out[kind.value] = dict(counts)
        return out
    finally:
        await store.close()


async def measure(guilds_count: int = GUILDS, users_count: int = USERS) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    with tempfile.TemporaryDirectory(prefix="summitbot-reach-") as tmp:
        db = Path(tmp) / "bot.db"
        async with FakeDiscord(global_rate=GLOBAL_RATE) as fake:
            guilds = [
                fake.add_guild(f"Guild {n:04d}", channels=["general", "daily"])
                for n in range(guilds_count)
            ]
            users = [fake.add_user(f"reader{n:04d}") for n in range(users_count)]
            # Every other user was sent a DM before: their channel is already stored.
            stored = {u.id: fake.dm_channel(u).id for u in users[::2]}
            due = _due_minute(LEAD_SECONDS)
            await _write_settings(db, guilds, users, stored, due)
            config = Path(tmp) / "config.yaml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url},
                        "database": {"path": str(db)},
                        "content": {"path": str(REPO / "content")},
                        "digest": {"global_rate_per_second": GLOBAL_RATE},
                    }
                ),
                encoding="utf-8",
            )
            proc = await spawn(["-m", "bot.cli", "--config", str(config), "run"], fake.token)
            channels = {guild.channel("daily").id for guild in guilds}
            user_ids = {u.id for u in users}

            def guild_posts() -> list[Any]:
                return [
                    m
                    for m in fake.messages.values()
                    if m.channel_id in channels and m.author.id == fake.bot_user.id
                ]

            def dms() -> list[Any]:
                out = []
                for message in fake.messages.values():
                    channel = fake.channels.get(message.channel_id)
                    recipient = getattr(channel, "recipient", None)
                    if recipient is not None and recipient.id in user_ids:
                        out.append(message)
                return out

            expected = guilds_count + users_count
            try:
                await fake.wait_ready(timeout=LEAD_SECONDS)
                ready_at = dt.datetime.now(dt.UTC)
                before = len(fake.requests)
                deadline = due + dt.timedelta(seconds=expected * 1.5 / GLOBAL_RATE * 3 + 30)
                while dt.datetime.now(dt.UTC) < deadline:
                    if len(guild_posts()) + len(dms()) >= expected:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(3.0)  # anything late (a duplicate) shows up too
                during = fake.requests[before:]
            finally:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
            posts, sent = guild_posts(), dms()
            per_channel = Counter(m.channel_id for m in [*posts, *sent])
            stamps = sorted(m.timestamp for m in [*posts, *sent])
            opens = [r for r in during if r.template == "/users/@me/channels"]
            creates = [
                r
                for r in during
                if r.method == "POST" and r.template == "/channels/{channel_id}/messages"
            ]
            statuses = await _statuses(db, guilds, users)
            violations = [str(v) for v in fake.take_violations()]
            limited = fake.stats.rate_limited

    requests = len(opens) + len(creates)
    floor = requests / GLOBAL_RATE
    gaps = [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(stamps)]
    total = (stamps[-1] - due).total_seconds() if stamps else float("nan")
    return {
        "guilds": guilds_count,
        "users": users_count,
        "users_with_stored_channel": len(stored),
        "global_rate": GLOBAL_RATE,
        "dm_channel_opens": len(opens),
        "message_creates": len(creates),
        "requests": requests,
        "floor_s": floor,
        "due": due.isoformat(),
        "ready_before_due_s": (due - ready_at).total_seconds(),
        "first_after_due_s": (stamps[0] - due).total_seconds() if stamps else None,
        "total_s": total,
        "ratio": total / floor,
        "guild_posts": len({m.channel_id for m in posts}),
        "dms": len({m.channel_id for m in sent}),
        "duplicates": sum(count - 1 for count in per_channel.values() if count > 1),
        "lost": expected - len(per_channel),
        "429_global": limited.get("global", 0),
        "429_route": limited.get("user", 0),
        "gap_ms": summary(gaps),
        "busiest_second": _busiest_second(stamps),
        "db_statuses": statuses,
        "violations": violations,
        "exit_code": proc.returncode,
    }


def run(guilds_count: int = GUILDS, users_count: int = USERS) -> dict[str, Any]:
    started = time.perf_counter()
    result = asyncio.run(measure(guilds_count, users_count))
    result["bench_seconds"] = time.perf_counter() - started
    return result


if __name__ == "__main__":
    import json

    guilds_arg = int(sys.argv[1]) if len(sys.argv) > 1 else GUILDS
    users_arg = int(sys.argv[2]) if len(sys.argv) > 2 else USERS
    print(json.dumps(run(guilds_arg, users_arg), indent=1, default=str))
