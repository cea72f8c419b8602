"""Tables and plots of the capacity figures (bench/capacity.py) for docs/performance.md.

Blocks: ``capacity-scheduler``, ``capacity-startup``, ``capacity-fanout``; the goals go into
the common ``goals`` block (:func:`goal_rows`). Plots: ``docs/capacity-*.svg``, one per figure
against guild count (the fan-out plot: posts over time against the floor).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench._util import REPO
from bench.report import _f, _met, table
from bench.svg import line_chart

DOCS = REPO / "docs"

#: Goals of issue 13.
KB_PER_GUILD_GOAL = 10.0
BUILD_GOAL_S = 5.0
LAG_GOAL_MS = 50.0
FANOUT_GOAL = 1.10
READY_GOAL = 1.2
HANDFUL_429 = 5


def _ok(row: dict[str, Any] | None) -> bool:
    return row is not None and "error" not in row


def _rss_at_ready(row: dict[str, Any]) -> float:
    """Resident MB when discord.py fired on_ready (every shard READY, before the startup
    catch-up): the probe's mark; the bench's own reading after the catch-up otherwise."""
    mark = row.get("marks", {}).get("ready")
    return float(mark["rss_mb"]) if mark else float(row["rss_ready_mb"])


def memory(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per size: RSS at READY and after the startup catch-up, over the idle bot (KB/guild)."""
    idle_row = result.get("idle", {})
    if not _ok(idle_row):
        return []
    idle_ready, idle_after = _rss_at_ready(idle_row), idle_row["rss_ready_mb"]
    out = []
    for r in result.get("startup", []):
        if not _ok(r):
            continue
        ready, after = _rss_at_ready(r), r["rss_ready_mb"]
        out.append(
            {
                "guilds": r["guilds"],
                "ready_mb": ready,
                "after_mb": after,
                "kb_per_guild": (ready - idle_ready) * 1024 / r["guilds"],
                "kb_per_guild_after": (after - idle_after) * 1024 / r["guilds"],
            }
        )
    return out


def _largest(result: dict[str, Any]) -> dict[str, Any] | None:
    rows = [r for r in result.get("startup", []) if _ok(r)]
    return max(rows, key=lambda r: r["guilds"]) if rows else None


def _lag(row: dict[str, Any] | None, key: str = "lag_ms") -> float:
    if not _ok(row) or row is None or key not in row:
        return float("nan")
    return float(row[key]["p99"])


def goal_rows(result: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    big = _largest(result)
    if big is not None:
        n = f"{big['guilds']:,}"
        mem = next((m for m in memory(result) if m["guilds"] == big["guilds"]), None)
        kb = mem["kb_per_guild"] if mem else float("nan")
        after = mem["kb_per_guild_after"] if mem else float("nan")
        rows.append(
            [
                f"resident memory per guild over the idle bot at READY, {n} guilds "
                f"(after the startup catch-up: {_f(after, 1)} KB)",
                f"{_f(kb, 1)} KB",
                f"≤ {KB_PER_GUILD_GOAL:g} KB",
                _met(kb <= KB_PER_GUILD_GOAL and after <= KB_PER_GUILD_GOAL),
            ]
        )
        build = big.get("build", {})
        total = build.get("total_s", float("nan"))
        rows.append(
            [
                f"building every digest job at startup, {n} guilds (read + schedule)",
                f"{_f(total, 2)} s",
                f"≤ {BUILD_GOAL_S:g} s",
                _met(total <= BUILD_GOAL_S),
            ]
        )
        lag = build.get("lag_ms", {}).get("p99", float("nan"))
        rows.append(
            [
                f"event-loop lag p99 while those jobs are built, {n} guilds",
                f"{_f(lag, 1)} ms",
                f"≤ {LAG_GOAL_MS:g} ms",
                _met(lag <= LAG_GOAL_MS),
            ]
        )
        if big.get("ready_ratio") is not None:
            rows.append(
                [
                    f"READY vs the identify floor, {n} guilds on {big['shards']} shards "
                    f"({_f(big['identify_floor_s'], 0)} s)",
                    f"{_f(big['ready_ratio'])}× ({_f(big['ready_s'], 1)} s)",
                    f"≤ {READY_GOAL}×",
                    _met(big["ready_ratio"] <= READY_GOAL),
                ]
            )
    fan = result.get("fanout")
    if _ok(fan):
        assert fan is not None
        n = f"{fan['guilds']:,}"
        rows.append(
            [
                f"worst-case minute, {n} guilds, vs the {_f(fan['floor_s'], 0)} s floor",
                f"{_f(fan['ratio'])}× ({_f(fan['total_s'], 1)} s)",
                f"≤ {FANOUT_GOAL}×",
                _met(fan["ratio"] <= FANOUT_GOAL),
            ]
        )
        rows.append(
            [
                "worst-case minute: duplicates / lost posts",
                f"{fan['duplicates']} / {fan['lost']}",
                "0 / 0",
                _met(fan["duplicates"] == 0 and fan["lost"] == 0),
            ]
        )
        answered = fan["429_global"] + fan["429_route"]
        rows.append(
            [
                "worst-case minute: 429 answers",
                str(answered),
                f"≤ {HANDFUL_429}",
                _met(answered <= HANDFUL_429),
            ]
        )
        rows.append(
            [
                "event-loop lag p99 while that minute fires",
                f"{_f(_lag(fan), 1)} ms",
                f"≤ {LAG_GOAL_MS:g} ms",
                _met(_lag(fan) <= LAG_GOAL_MS),
            ]
        )
    catch = result.get("catchup")
    if _ok(catch):
        assert catch is not None
        rows.append(
            [
                f"startup catch-up, {catch['guilds']:,} missed posts: duplicates / lost / 429s",
                f"{catch['duplicates']} / {catch['lost']} / "
                f"{catch['429_global'] + catch['429_route']}",
                f"0 / 0 / ≤ {HANDFUL_429}",
                _met(
                    catch["duplicates"] == 0
                    and catch["lost"] == 0
                    and catch["429_global"] + catch["429_route"] <= HANDFUL_429
                ),
            ]
        )
        rows.append(
            [
                "event-loop lag p99 during that catch-up",
                f"{_f(_lag(catch), 1)} ms",
                f"≤ {LAG_GOAL_MS:g} ms",
                _met(_lag(catch) <= LAG_GOAL_MS),
            ]
        )
    return rows


def scheduler_block(result: dict[str, Any]) -> str:
    header = [
        "design",
        "guilds",
        "APScheduler jobs",
        "build s",
        "bytes / guild",
        "lag p99 while building ms",
        "worst minute: jobs due",
        "all started and run s",
        "lag p99 ms",
    ]
    rows = [
        [
            "slot jobs (now)" if r["design"] == "slots" else "one job per guild (before)",
            f"{r['guilds']:,}",
            f"{r['jobs']:,}",
            _f(r["build_s"], 3),
            _f(r["bytes_per_guild"], 0),
            _f(r["build_lag_ms"]["p99"], 1),
            f"{r['minute_jobs']:,}",
            _f(r["minute_s"], 3),
            _f(r["minute_lag_ms"]["p99"], 1),
        ]
        for r in sorted(result.get("scheduler", []), key=lambda r: (r["design"], r["guilds"]))
    ]
    return table(header, rows)


def startup_block(result: dict[str, Any]) -> str:
    header = [
        "guilds",
        "shards",
        "identify floor s",
        "READY s",
        "vs floor",
        "on_ready s",
        "RSS at READY MB",
        "KB / guild over idle",
        "RSS after catch-up MB",
        "KB / guild",
        "jobs built s (read + schedule)",
        "slots",
        "lag p99 while building ms",
    ]
    rows: list[list[str]] = []
    idle = result.get("idle", {})
    if _ok(idle):
        rows.append(
            [
                "1 (idle)",
                "1",
                "0",
                _f(idle["ready_s"], 1),
                "—",
                _f(idle.get("on_ready_s"), 1),
                _f(_rss_at_ready(idle), 1),
                "—",
                _f(idle["rss_ready_mb"], 1),
                "—",
                "—",
                "—",
                "—",
            ]
        )
    mem = {m["guilds"]: m for m in memory(result)}
    for r in result.get("startup", []):
        if not _ok(r):
            rows.append([f"{r['guilds']:,}", "failed: " + r.get("error", "?")[:80]] + [""] * 11)
            continue
        build = r.get("build", {})
        m = mem.get(r["guilds"], {})
        rows.append(
            [
                f"{r['guilds']:,}",
                str(r["shards"]),
                _f(r["identify_floor_s"], 0),
                _f(r["ready_s"], 1),
                "—" if r.get("ready_ratio") is None else f"{_f(r['ready_ratio'])}×",
                _f(r.get("on_ready_s"), 1),
                _f(m.get("ready_mb"), 1),
                _f(m.get("kb_per_guild"), 2),
                _f(m.get("after_mb"), 1),
                _f(m.get("kb_per_guild_after"), 2),
                f"{_f(build.get('total_s'), 2)} ({_f(build.get('fetch_s'), 2)} + "
                f"{_f(build.get('rebuild_s'), 2)})",
                f"{build.get('slots') or 0:,}",
                _f(build.get("lag_ms", {}).get("p99"), 1),
            ]
        )
    note = ""
    if result.get("run"):
        note = f"\n\nMeasured {result['run']['at']}, load {result['run']['load']:.2f} at start."
    return table(header, rows) + note


def fanout_block(result: dict[str, Any]) -> str:
    header = ["", "worst-case minute", "startup catch-up"]
    runs = [result.get("fanout"), result.get("catchup")]

    def cell(row: dict[str, Any] | None, fn: Any) -> str:
        if not _ok(row):
            return "failed: " + (row or {}).get("error", "not run")[:60]
        try:
            return str(fn(row))
        except (KeyError, TypeError):
            return "—"

    lines: list[tuple[str, Any]] = [
        ("guilds", lambda r: f"{r['guilds']:,} on {r['shards']} shard(s)"),
        ("measured from", lambda r: "the due minute" if r.get("due") else "every shard READY"),
        ("floor (posts ÷ 50 requests/s)", lambda r: f"{_f(r['floor_s'], 0)} s"),
        ("first post after that", lambda r: f"{_f(r['first_post_s'], 2)} s"),
        ("first post to last", lambda r: f"{_f(r['first_to_last_s'], 1)} s"),
        ("**total to the last post**", lambda r: f"{_f(r['total_s'], 1)} s"),
        ("ratio to the floor", lambda r: f"{_f(r['ratio'])}×"),
        ("posts made / expected", lambda r: f"{r['posted']:,} / {r['guilds']:,}"),
        ("duplicates / lost", lambda r: f"{r['duplicates']} / {r['lost']}"),
        ("429 answers (global / per route)", lambda r: f"{r['429_global']} / {r['429_route']}"),
        (
            "gap between posts p50 / p99 / max",
            lambda r: (
                f"{_f(r['gap_ms']['p50'], 1)} / {_f(r['gap_ms']['p99'], 1)} / "
                f"{_f(r['gap_ms']['max'], 0)} ms"
            ),
        ),
        (
            "event-loop lag p50 / p99 / max",
            lambda r: (
                f"{_f(r['lag_ms']['p50'], 1)} / {_f(r['lag_ms']['p99'], 1)} / "
                f"{_f(r['lag_ms']['max'], 0)} ms"
            ),
        ),
        (
            "post log (store)",
            lambda r: ", ".join(f"{k} {v:,}" for k, v in r["db_statuses"].items()),
        ),
        ("fake-Discord violations", lambda r: str(len(r["violations"]))),
    ]
    rows = [[label, cell(runs[0], fn), cell(runs[1], fn)] for label, fn in lines]
    return table(header, rows)


def _statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {count:,}" for status, count in counts.items())


def blocks(result: dict[str, Any]) -> dict[str, str]:
    return {
        "capacity-scheduler": scheduler_block(result),
        "capacity-startup": startup_block(result),
        "capacity-fanout": fanout_block(result),
    }


def _series(rows: list[dict[str, Any]], key: Any) -> list[tuple[float, float]]:
    out = []
    for r in rows:
        try:
            value = key(r)
        except (KeyError, TypeError):
            continue
        if value is not None and math.isfinite(value):
            out.append((float(r["guilds"]), float(value)))
    return out


def plots(result: dict[str, Any], where: Path = DOCS) -> list[Path]:
    """One SVG per figure against guild count; returns the files written."""
    written: list[Path] = []
    startup = [r for r in result.get("startup", []) if _ok(r)]
    sched = result.get("scheduler", [])
    slots = [r for r in sched if r["design"] == "slots"]
    per_guild = [r for r in sched if r["design"] != "slots"]

    def chart(name: str, *args: Any, **kwargs: Any) -> None:
        path = where / f"capacity-{name}.svg"
        line_chart(path, *args, **kwargs)
        written.append(path)

    if startup:
        chart(
            "ready",
            "Startup: every shard READY (the real bot)",
            "guilds",
            "seconds from `summitbot run`",
            [
                ("READY", _series(startup, lambda r: r["ready_s"])),
                ("identify floor", _series(startup, lambda r: r["identify_floor_s"])),
            ],
        )
        mem = memory(result)
        chart(
            "memory",
            "Resident memory per guild over an idle bot",
            "guilds",
            "KB per guild",
            [
                ("at READY", _series(mem, lambda m: m["kb_per_guild"])),
                ("after catch-up", _series(mem, lambda m: m["kb_per_guild_after"])),
            ],
            goal=(KB_PER_GUILD_GOAL, "goal 10 KB"),
        )
        chart(
            "rss",
            "Resident memory of the bot process",
            "guilds",
            "MB",
            [
                ("at READY", _series(mem, lambda m: m["ready_mb"])),
                ("after catch-up", _series(mem, lambda m: m["after_mb"])),
            ],
        )
    if sched:
        chart(
            "build",
            "Building every digest job",
            "guilds",
            "seconds (log)",
            [
                ("slot jobs (now)", _series(slots, lambda r: r["build_s"])),
                ("one job per guild (before)", _series(per_guild, lambda r: r["build_s"])),
                ("real bot: read + schedule", _series(startup, lambda r: r["build"]["total_s"])),
            ],
            log_y=True,
            goal=(BUILD_GOAL_S, "goal 5 s"),
        )
        chart(
            "lag",
            "Event-loop lag p99 (10 ms timer)",
            "guilds",
            "ms (log)",
            [
                ("building, slots", _series(slots, lambda r: r["build_lag_ms"]["p99"])),
                ("building, per guild", _series(per_guild, lambda r: r["build_lag_ms"]["p99"])),
                ("worst minute, slots", _series(slots, lambda r: r["minute_lag_ms"]["p99"])),
                (
                    "worst minute, per guild",
                    _series(per_guild, lambda r: r["minute_lag_ms"]["p99"]),
                ),
            ],
            log_y=True,
            goal=(LAG_GOAL_MS, "goal 50 ms"),
        )
        chart(
            "jobs-memory",
            "Traced memory of the digest jobs",
            "guilds",
            "bytes per guild",
            [
                ("slot jobs (now)", _series(slots, lambda r: r["bytes_per_guild"])),
                ("one job per guild (before)", _series(per_guild, lambda r: r["bytes_per_guild"])),
            ],
        )
    series = []
    for key, name in (("fanout", "worst-case minute"), ("catchup", "startup catch-up")):
        row = result.get(key)
        if _ok(row) and row is not None and row.get("progress"):
            series.append((name, [(float(t), float(n)) for t, n in row["progress"]]))
    if series:
        fan = result.get("fanout") or result.get("catchup") or {}
        floor_posts = fan.get("guilds", 0)
        rate = result.get("global_rate", 50)
        series.append(("floor: 50 posts/s", [(0.0, 0.0), (floor_posts / rate, float(floor_posts))]))
        chart(
            "fanout",
            f"{floor_posts:,} posts: the worst minute and the catch-up",
            "seconds after the due minute / after READY",
            "posts made",
            series,
            log_x=False,
        )
    return written
