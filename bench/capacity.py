"""Capacity: how the bot's cost grows with guilds, up to 100,000 on one host (issue 13).

    python -m bench.capacity --guilds 10000            # sizes 1,000 and 10,000; a few minutes
    python -m bench --only capacity --guilds 100000    # every size, written to the doc

Every guild has the digest enabled. Zones and local times are drawn (seeded) from a realistic
spread (``bench/spread.py``); the worst case puts every guild's post in the same minute
(each guild keeps its zone; its local time is that minute there).

- **Scheduler** (``bench/capacity_scheduler.py``, in this process, the real
  ``DigestScheduler``): time and traced memory to build every digest job from the settings,
  and the lag of a 10 ms timer on the same loop while they are built and while every job of
  the worst-case minute fires (a callback that only yields). The same figures for one
  APScheduler job per guild (``PerGuildJobs``, the design before this issue, kept there to
  show why it went) up to ``PER_GUILD_MAX`` guilds.
- **Startup** (the real bot, ``summitbot run`` in its own process through ``bench._probe``):
  against the fake Discord in this process serving generated guilds over the shard count
  ``GET /gateway/bot`` recommends, enforcing Discord's identify rate (one IDENTIFY per 5 s per
  ``max_concurrency`` bucket). Time to every shard READY against the identify floor, resident
  memory after READY (and per 1,000 guilds over an idle bot in one guild), the digest jobs'
  build inside the process and the loop lag while they are built.
- **Fan-out** (the real bot): every guild due in the same minute, ``FANOUT_GUILDS`` guilds,
  against the floor of one post per guild at 50 requests/s: ratio, duplicates, losses, 429s,
  loop lag while the minute fires.
- **Catch-up** (the real bot): ``CATCHUP_GUILDS`` guilds whose post fell due 10 minutes to
  2 hours before the bot started (inside the 6-hour grace), posted at startup.

Raw figures go to bench/results.json (``capacity``); ``python -m bench`` writes the tables and
the plots (``docs/capacity-*.svg``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from bench._util import REPO, rss_mb, summary
from bench.capacity_scheduler import scheduler_figures
from bench.spread import missed, same_instant, spread

SIZES = (1_000, 10_000, 100_000)
FANOUT_GUILDS = 10_000
CATCHUP_GUILDS = 10_000
GLOBAL_RATE = 50


# ---------------------------------------------------------------------------- the real bot


class BotRun:
    """One `summitbot run` (through ``bench._probe``) against a fake Discord in this process."""

    def __init__(self, fake: Any, tmp: Path, label: str) -> None:
        self.fake = fake
        self.tmp = tmp
        self.label = label
        self.db = tmp / f"{label}.db"
        self.probe_file = tmp / f"{label}.probe.jsonl"
        self.proc: asyncio.subprocess.Process | None = None
        self.spawned_wall = 0.0
        self.spawned = 0.0
        self.log: list[tuple[float, str]] = []
        self._reader: asyncio.Task[None] | None = None

    async def write_settings(
        self, guilds: Any, pairs: Sequence[tuple[str, dt.time]], *, updated: dt.datetime
    ) -> None:
        """The guilds' digest settings through the store's API, stamped ``updated``."""
        from bot.store import Store

        store = await Store.open(self.db, clock=lambda: updated)
        try:
            await store.migrate()
            async with store.transaction() as conn:
                for index, (zone, post_time) in enumerate(pairs):
                    await store.upsert_settings(
                        guilds.guild_id(index),
                        channel_id=guilds.channel_id(index, "daily"),
                        post_time=post_time,
                        timezone=zone,
                        language="zh" if index % 2 else "en",
                        conn=conn,
                    )
        finally:
            await store.close()

    async def start(self, shard_count: int | None) -> None:
        discord: dict[str, Any] = {
            "api_base": self.fake.api_base,
            "gateway_url": self.fake.gateway_url,
        }
        if shard_count is not None and shard_count > 1:
            discord["shard_count"] = shard_count
        config = self.tmp / f"{self.label}.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "discord": discord,
                    "database": {"path": str(self.db)},
                    "content": {"path": str(REPO / "content")},
                    "digest": {"global_rate_per_second": GLOBAL_RATE},
                }
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "DISCORD_TOKEN": self.fake.token}
        env["SUMMITBOT_PROBE"] = str(self.probe_file)
        env.pop("SUMMITBOT_CONFIG", None)
        self.spawned_wall = time.time()
        self.spawned = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench._probe",
            "--config",
            str(config),
            "run",
            cwd=str(REPO),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read_log())

    async def _read_log(self) -> None:
        assert self.proc is not None
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.log.append((time.perf_counter(), raw.decode(errors="replace").rstrip()))

    def logged(self, text: str) -> float | None:
        return next((t for t, line in self.log if text in line), None)

    def tail(self, count: int = 25) -> str:
        return "\n".join(line for _t, line in self.log[-count:])

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def wait_ready(self, timeout: float) -> float:  # noqa: ASYNC109
        """perf_counter when every shard is READY with its GUILD_CREATEs processed."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"the bot exited ({self.proc.returncode}):\n{self.tail()}")
            sessions = list(self.fake.gateway.shards.values())
            if sessions and all(
                self.fake.gateway.shard_ready(i) for i in range(sessions[0].shard_count)
            ):
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"not every shard READY within {timeout:.0f} s:\n{self.tail()}")
        sent = time.perf_counter()
        await self.fake.settle(timeout=120)
        return sent

    async def wait_log(self, text: str, timeout: float) -> float | None:  # noqa: ASYNC109
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            found = self.logged(text)
            if found is not None:
                return found
            await asyncio.sleep(0.1)
        return None

    async def stop(self) -> int | None:
        if self.proc is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        return self.proc.returncode

    def probe(self) -> tuple[dict[str, dict[str, Any]], list[tuple[float, float]]]:
        """The probe's marks (by name, first of each) and lag samples (wall time, ms)."""
        marks: dict[str, dict[str, Any]] = {}
        lags: list[tuple[float, float]] = []
        if not self.probe_file.is_file():
            return marks, lags
        for line in self.probe_file.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if "mark" in item:
                marks.setdefault(item["mark"], item)
            else:
                lags.append((item["t"], item["lag"]))
        return marks, lags


def _lag_between(lags: list[tuple[float, float]], start: float, end: float) -> list[float]:
    inside = [lag for at, lag in lags if start <= at <= end]
    after = [lag for at, lag in lags if at > end]
    return inside + after[:1]


def identify_floor(shards: int, max_concurrency: int, interval: float) -> float:
    """The earliest the last IDENTIFY can be sent: one per ``interval`` per bucket."""
    return (math.ceil(shards / max_concurrency) - 1) * interval


def _posts(fake: Any, guilds: Any, count: int) -> tuple[Counter[int], list[dt.datetime]]:
    channels: Counter[int] = Counter()
    stamps: list[dt.datetime] = []
    for message in fake.messages.values():
        if message.author.id != fake.bot_user.id:
            continue
        index = guilds.index_of(message.channel_id)
        if index is None or index >= count:
            continue
        channels[message.channel_id] += 1
        stamps.append(message.timestamp)
    stamps.sort()
    return channels, stamps


async def _db_statuses(db: Path) -> dict[str, int]:
    from bot.store import Store

    store = await Store.open(db)
    try:
        statuses: Counter[str] = Counter()
        for settings in await store.list_settings():
            record = await store.last_post(settings.guild_id)
            statuses[record.status.value if record is not None else "none"] += 1
        return dict(statuses)
    finally:
        await store.close()


async def bot_run(
    count: int,
    scenario: str,
    tmp: Path,
    *,
    max_concurrency: int = 1,
    identify_interval: float = 5.0,
) -> dict[str, Any]:
    """``scenario``: "idle" (one guild, no digest), "spread", "minute" (every guild due in
    the same minute, after READY) or "catch-up" (every guild's post missed inside grace)."""
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    async with FakeDiscord(
        global_rate=GLOBAL_RATE,
        heartbeat_interval=41_250,
        identify_interval=identify_interval,
        max_concurrency=max_concurrency,
    ) as fake:
        guilds = fake.add_generated_guilds(count, channels=("general", "daily"))
        shards = fake.recommended_shard_count()
        floor = identify_floor(shards, max_concurrency, identify_interval)
        run = BotRun(fake, tmp, f"{scenario}-{count}")
        now = dt.datetime.now(dt.UTC)
        due: dt.datetime | None = None
        if scenario == "spread":
            await run.write_settings(guilds, spread(count), updated=now)
        elif scenario == "minute":
            # The first whole minute after READY is expected (the floor, plus startup).
            earliest = now + dt.timedelta(seconds=floor + 25 + count / 2_000)
            due = earliest.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
            pairs = same_instant(count, due)
            # Set up an hour ago: yesterday's post at that time was never owed (no catch-up).
            await run.write_settings(guilds, pairs, updated=now - dt.timedelta(hours=1))
        elif scenario == "catch-up":
            pairs = missed(count, now)
            # Set up before the missed due times, which are then owed and inside the grace.
            await run.write_settings(guilds, pairs, updated=now - dt.timedelta(hours=3))
        elif scenario != "idle":
            raise ValueError(scenario)
        before = fake.stats.requests
        await run.start(shards)
        result: dict[str, Any] = {"scenario": scenario, "guilds": count, "shards": shards}
        try:
            ready = await run.wait_ready(timeout=floor + 300)
            processed = time.perf_counter()
            ready_wall = time.time() - (processed - ready)
            on_ready = await run.wait_log("ready as", 60)
            caught_up = await run.wait_log(
                "digest catch-up:", 600 if scenario == "catch-up" else 300
            )
            await asyncio.sleep(2.0)
            rss_ready = rss_mb(run.pid)
            result |= {
                "max_concurrency": max_concurrency,
                "identify_floor_s": floor,
                "ready_s": ready - run.spawned,
                "processed_s": processed - run.spawned,
                "on_ready_s": None if on_ready is None else on_ready - run.spawned,
                "catch_up_logged_s": None if caught_up is None else caught_up - run.spawned,
                "ready_ratio": (ready - run.spawned) / floor if floor > 0 else None,
                "identify_refusals": len(fake.gateway.identify_refusals),
                "rss_ready_mb": rss_ready,
                "materialized_guilds": dict.__len__(fake.guilds),
            }
            if scenario == "minute":
                assert due is not None
                result |= await _watch_posts(fake, guilds, count, due)
            elif scenario == "catch-up":
                result |= await _watch_posts(fake, guilds, count, None, ready_wall)
            result["requests"] = fake.stats.requests - before
        finally:
            result["exit_code"] = await run.stop()
        marks, lags = run.probe()
        result["violations"] = [str(v) for v in fake.take_violations()]
        result["429_global"] = fake.stats.rate_limited.get("global", 0)
        result["429_route"] = fake.stats.rate_limited.get("user", 0)
    result["marks"] = {k: {"t": v["t"] - run.spawned_wall, **v} for k, v in marks.items()}
    if "fetch_start" in marks and "rebuild_end" in marks:
        begin, end = marks["fetch_start"]["t"], marks["rebuild_end"]["t"]
        result["build"] = {
            "fetch_s": marks["fetch_end"]["t"] - begin,
            "rebuild_s": end - marks["rebuild_start"]["t"],
            "total_s": end - begin,
            "slots": marks["rebuild_end"].get("slots"),
            "rss_delta_mb": marks["rebuild_end"]["rss_mb"] - marks["fetch_start"]["rss_mb"],
            "lag_ms": summary(_lag_between(lags, begin, end)),
        }
    if "window" in result:
        start, end = result.pop("window")
        result["lag_ms"] = summary(_lag_between(lags, start, end))
    if scenario in ("minute", "catch-up"):
        result["db_statuses"] = await _db_statuses(run.db)
    return result


async def _watch_posts(
    fake: Any, guilds: Any, count: int, due: dt.datetime | None, ready_wall: float = 0.0
) -> dict[str, Any]:
    """Wait until every guild has its post (or posting stalls); the figures of that, from the
    due minute (fan-out) or from every shard READY (catch-up)."""
    start_wall = time.time()
    if due is not None:
        wait = (due - dt.datetime.now(dt.UTC)).total_seconds()
        if wait < 0:
            raise RuntimeError(f"READY came {-wait:.0f} s after the due minute; raise the lead")
        start_wall = due.timestamp()
    floor = count / GLOBAL_RATE
    deadline = time.perf_counter() + max(0.0, start_wall - time.time()) + floor * 2 + 120
    last_count, last_change = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        made = len(fake.messages)
        if made >= count:
            break
        if made != last_count:
            last_count, last_change = made, time.perf_counter()
        elif made > 0 and time.perf_counter() - last_change > 60:
            break  # stalled
        await asyncio.sleep(0.2)
    await asyncio.sleep(3.0)  # a late duplicate shows up too
    channels, stamps = _posts(fake, guilds, count)
    if due is None:
        start = ready_wall
        reference = dt.datetime.fromtimestamp(ready_wall, dt.UTC)
    else:
        start = due.timestamp()
        reference = due
    total = (stamps[-1] - reference).total_seconds() if stamps else float("nan")
    first = (stamps[0] - reference).total_seconds() if stamps else float("nan")
    spread_s = (stamps[-1] - stamps[0]).total_seconds() if stamps else float("nan")
    gaps = [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(stamps)]
    end = stamps[-1].timestamp() if stamps else time.time()
    step = max(1, len(stamps) // 200)
    progress = [
        (round((stamp - reference).total_seconds(), 3), n + 1)
        for n, stamp in enumerate(stamps)
        if n % step == 0 or n == len(stamps) - 1
    ]
    return {
        "progress": progress,
        "floor_s": floor,
        "due": None if due is None else due.isoformat(),
        "first_post_s": first,
        "first_to_last_s": spread_s,
        "total_s": total,
        "ratio": total / floor,
        "posted": len(channels),
        "duplicates": sum(n - 1 for n in channels.values() if n > 1),
        "lost": count - len(channels),
        "gap_ms": summary(gaps),
        "window": (start, end),
    }


def _attempt(count: int, scenario: str, tmp: Path) -> dict[str, Any]:
    """One bot run; a failure is recorded (with the bot's last log lines), not raised, so the
    other runs' figures survive."""
    try:
        return asyncio.run(bot_run(count, scenario, tmp))
    except Exception as exc:
        print(f"  capacity: {scenario} {count:,} failed: {exc}", file=sys.stderr, flush=True)
        return {"scenario": scenario, "guilds": count, "error": str(exc)}


def bot_figures(sizes: Sequence[int], fanout: int | None, catchup: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="summitbot-capacity-") as name:
        tmp = Path(name)
        print("  capacity: idle bot, 1 guild", file=sys.stderr, flush=True)
        out: dict[str, Any] = {"idle": _attempt(1, "idle", tmp)}
        out["startup"] = []
        if fanout:
            print(f"  capacity: worst minute, {fanout:,} guilds", file=sys.stderr, flush=True)
            out["fanout"] = _attempt(fanout, "minute", tmp)
        if catchup:
            print(f"  capacity: catch-up, {catchup:,} guilds", file=sys.stderr, flush=True)
            out["catchup"] = _attempt(catchup, "catch-up", tmp)
        for count in sizes:
            if count == fanout and "error" not in out["fanout"]:
                # The fan-out run started the same bot: its startup figures are used.
                out["startup"].append(out["fanout"])
                continue
            print(f"  capacity: startup, {count:,} guilds", file=sys.stderr, flush=True)
            out["startup"].append(_attempt(count, "spread", tmp))
    idle = out["idle"].get("rss_ready_mb", float("nan"))
    for row in out["startup"]:
        if "error" in row:
            continue
        extra_kb = (row["rss_ready_mb"] - idle) * 1024
        row["rss_over_idle_mb"] = row["rss_ready_mb"] - idle
        row["kb_per_guild"] = extra_kb / row["guilds"]
        row["mb_per_1000"] = row["kb_per_guild"] * 1000 / 1024
    return out


def sizes_up_to(guilds: int) -> list[int]:
    return [s for s in SIZES if s < guilds] + [guilds]


def run(guilds: int = SIZES[-1]) -> dict[str, Any]:
    """Every figure for sizes up to ``guilds`` (fan-out and catch-up at up to 10,000)."""
    started = time.perf_counter()
    sizes = sizes_up_to(guilds)
    result: dict[str, Any] = {"sizes": sizes, "global_rate": GLOBAL_RATE}
    result["scheduler"] = scheduler_figures(sizes)
    result |= bot_figures(sizes, min(FANOUT_GUILDS, guilds), min(CATCHUP_GUILDS, guilds))
    result["run"] = {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": os.getloadavg()[0],
    }
    result["bench_seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__)
    parser.add_argument("--guilds", type=int, default=10_000, help="the largest size")
    parser.add_argument(
        "--only", choices=("scheduler", "bot", "fanout"), help="one half, or the worst minute"
    )
    args = parser.parse_args(argv)
    if args.only == "scheduler":
        result: dict[str, Any] = {"scheduler": scheduler_figures(sizes_up_to(args.guilds))}
    elif args.only == "fanout":
        with tempfile.TemporaryDirectory(prefix="summitbot-capacity-") as name:
            result = _attempt(min(FANOUT_GUILDS, args.guilds), "minute", Path(name))
    elif args.only == "bot":
        n = args.guilds
        result = bot_figures(sizes_up_to(n), min(FANOUT_GUILDS, n), min(CATCHUP_GUILDS, n))
    else:
        result = run(args.guilds)
    print(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
