"""Digest fan-out: 1,000 guilds due in the same minute, through the real scheduler and poster.

The fake Discord (in this process) enforces Discord's limits: 50 requests/s globally and the
per-route buckets (message create: 5 per 5 s per channel). Guild settings are written to the
database with the store's own API, all due at the same minute; then `summitbot run` starts
as a real process and its scheduler fires every job at that minute. The posts the fake
receives are the result: when each arrived, how many per channel, how many 429s were answered.

The floor is guilds ÷ 50 requests/s: one message per guild, no other request in the window.
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

GUILDS = 1_000
GLOBAL_RATE = 50
#: The bot must be up (READY and every GUILD_CREATE) before the due minute.
LEAD_SECONDS = 25.0


def _due_minute(lead: float) -> dt.datetime:
    """The first whole UTC minute at least `lead` seconds from now."""
    earliest = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)
    minute = earliest.replace(second=0, microsecond=0)
    return minute if minute >= earliest else minute + dt.timedelta(minutes=1)


async def _write_settings(db: Path, guilds: list[Any], due: dt.datetime) -> None:
    from bot.store import Store

    store = await Store.open(db)
    try:
        await store.migrate()
        for number, guild in enumerate(guilds):
            await store.upsert_settings(
                guild.id,
                channel_id=guild.channel("daily").id,
                post_time=due.strftime("%H:%M"),
                timezone="UTC",
                language="zh" if number % 2 else "en",
            )
    finally:
        await store.close()


async def _posts_in_db(db: Path) -> Counter[str]:
    from bot.store import Store

    store = await Store.open(db)
    try:
        statuses: Counter[str] = Counter()
        for settings in await store.list_settings():
            record = await store.last_post(settings.guild_id)
            statuses[record.status.value if record is not None else "none"] += 1
        return statuses
    finally:
        await store.close()


async def measure(guilds_count: int = GUILDS) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    with tempfile.TemporaryDirectory(prefix="summitbot-digest-") as tmp:
        db = Path(tmp) / "bot.db"
        async with FakeDiscord(global_rate=GLOBAL_RATE) as fake:
            guilds = [
                fake.add_guild(f"Guild {n:04d}", channels=["general", "daily"])
                for n in range(guilds_count)
            ]
            due = _due_minute(LEAD_SECONDS)
            await _write_settings(db, guilds, due)
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

            def posts() -> list[Any]:
                return [
                    m
                    for m in fake.messages.values()
                    if m.channel_id in channels and m.author.id == fake.bot_user.id
                ]

            try:
                await fake.wait_ready(timeout=LEAD_SECONDS)
                ready_at = dt.datetime.now(dt.UTC)
                before = fake.stats.requests
                # Wait for the due minute, then until every guild has its post (or it stalls).
                deadline = due + dt.timedelta(seconds=guilds_count / GLOBAL_RATE * 3 + 30)
                while dt.datetime.now(dt.UTC) < deadline:
                    if len(posts()) >= guilds_count:
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(3.0)  # anything late (a duplicate) shows up too
                requests_during = fake.stats.requests - before
            finally:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
            made = posts()
            per_channel = Counter(m.channel_id for m in made)
            stamps = sorted(m.timestamp for m in made)
            statuses = await _posts_in_db(db)
            violations = [str(v) for v in fake.take_violations()]
            limited = fake.stats.rate_limited

    floor = guilds_count / GLOBAL_RATE
    gaps = [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(stamps)]
    busiest = _busiest_second(stamps)
    total = (stamps[-1] - due).total_seconds() if stamps else float("nan")
    spread = (stamps[-1] - stamps[0]).total_seconds() if stamps else float("nan")
    return {
        "guilds": guilds_count,
        "global_rate": GLOBAL_RATE,
        "floor_s": floor,
        "due": due.isoformat(),
        "ready_before_due_s": (due - ready_at).total_seconds(),
        "first_post_after_due_s": (stamps[0] - due).total_seconds() if stamps else None,
        "total_s": total,
        "first_to_last_s": spread,
        "ratio": total / floor,
        "posted": len(per_channel),
        "duplicates": sum(count - 1 for count in per_channel.values() if count > 1),
        "lost": guilds_count - len(per_channel),
        "429_global": limited.get("global", 0),
        "429_route": limited.get("user", 0),
        "requests_during": requests_during,
        "gap_ms": summary(gaps),
        "busiest_second": busiest,
        "db_statuses": dict(statuses),
        "violations": violations,
        "exit_code": proc.returncode,
    }


def _busiest_second(stamps: list[dt.datetime]) -> int:
    """Most posts that arrived within any one second (a sliding window over arrivals)."""
    most, start = 0, 0
    for end, stamp in enumerate(stamps):
        while (stamp - stamps[start]).total_seconds() >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def run(guilds_count: int = GUILDS) -> dict[str, Any]:
    started = time.perf_counter()
    result = asyncio.run(measure(guilds_count))
    result["bench_seconds"] = time.perf_counter() - started
    return result


if __name__ == "__main__":
    import json

    count = int(sys.argv[1]) if len(sys.argv) > 1 else GUILDS
    print(json.dumps(run(count), indent=1, default=str))
