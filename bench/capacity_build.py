"""The digest's startup build and its periodic sweep, in this process, at any guild count.

``python -m bench.capacity_build --guilds 100000``: a store with that many enabled digests
(the seeded spread of ``bench/spread.py``), then, with a 10 ms timer on the loop:

- **startup build**: read every enabled setting and build the slot jobs, as
  ``DigestService.start`` does now (``Store.list_enabled_settings`` in pages,
  ``DigestScheduler.load`` in batches) and as it did before (one read of every row, one
  synchronous ``rebuild``);
- **sweep**: what the claim keeper reads every third of the lease when nothing is abandoned,
  now (``DigestPoster.abandoned``: the claims only) and before (every enabled setting).

The real bot's figures (READY, memory, the worst minute) are ``bench/capacity.py``'s; this is
the part of its startup that grows with guilds, measured without 100 shards to connect.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import summary
from bench.capacity_scheduler import LagTimer
from bench.spread import spread

UNPAGED = 10**9  # a page size no store reaches: one read of every row, as before


async def _fill(db: Path, guilds: int) -> None:
    from bot.store import Store

    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store = await Store.open(db, clock=lambda: stamp)
    try:
        await store.migrate()
        async with store.transaction() as conn:
            for index, (zone, post_time) in enumerate(spread(guilds)):
                guild_id = (index + 1) << 22
                await store.upsert_settings(
                    guild_id,
                    channel_id=guild_id + 1,
                    post_time=post_time,
                    timezone=zone,
                    language="en",
                    conn=conn,
                )
    finally:
        await store.close()


async def _noop(_guild_id: int) -> None:
    return None


async def _timed(lag: LagTimer, work: Any) -> dict[str, Any]:
    start = time.perf_counter()
    value = await work
    end = time.perf_counter()
    return {"s": end - start, "lag_ms": summary(lag.between(start, end)), "value": value}


async def measure(guilds: int) -> dict[str, Any]:
    from bot.digest.poster import DigestPoster
    from bot.digest.scheduler import DigestScheduler
    from bot.digest.throttle import Throttle
    from bot.store import Store

    out: dict[str, Any] = {"guilds": guilds}
    with tempfile.TemporaryDirectory(prefix="summitbot-build-") as name:
        db = Path(name) / "build.db"
        started = time.perf_counter()
        await _fill(db, guilds)
        out["fill_s"] = time.perf_counter() - started
        store = await Store.open(db)
        try:
            for label, paged in (("before", False), ("now", True)):
                sched = DigestScheduler(_noop)
                sched.start()
                async with LagTimer() as lag:
                    start = time.perf_counter()
                    if paged:
                        rows = await store.list_enabled_settings()
                        read = time.perf_counter()
                        await sched.load(rows)
                    else:
                        rows = await store.list_enabled_settings(page_size=UNPAGED)
                        read = time.perf_counter()
                        sched.rebuild(rows)
                    end = time.perf_counter()
                out[f"build_{label}"] = {
                    "read_s": read - start,
                    "schedule_s": end - read,
                    "total_s": end - start,
                    "slots": sched.slot_count(),
                    "lag_ms": summary(lag.between(start, end)),
                }
                await sched.shutdown()
            poster = DigestPoster(
                store, lambda: None, None, throttle=Throttle(50), grace=dt.timedelta(hours=6)
            )  # type: ignore[arg-type]  # only its claim queries run
            async with LagTimer() as lag:
                before = await _timed(lag, store.list_enabled_settings())
                now = await _timed(lag, poster.abandoned())
            out["sweep_before"] = {"s": before["s"], "lag_ms": before["lag_ms"]}
            out["sweep_now"] = {"s": now["s"], "lag_ms": now["lag_ms"], "claims": len(now["value"])}
        finally:
            await store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity_build", description=__doc__)
    parser.add_argument("--guilds", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.guilds)), indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
