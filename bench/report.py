"""Turn bench results into the tables of docs/performance.md.

The document is hand-written prose around generated blocks; each block sits between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and is replaced whole on every run, so the
prose (what a figure is, how to reproduce it, what limits it) survives and the numbers always
come from one run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench._util import REPO

DOC = REPO / "docs" / "performance.md"

#: Goals of issue 5 (DESIGN.md §8).
AUTOCOMPLETE_GOAL_MS = 5.0
SCAN_GOAL_MS = 1.0
P50_RATIO_GOAL = 1.15
P99_RATIO_GOAL = 1.3
STARTUP_GOAL_MS = 1000.0
IDLE_RSS_GOAL_MB = 100.0
FANOUT_RATIO_GOAL = 1.15
#: "No more than a handful of 429s".
HANDFUL_429 = 5
#: Issue 15, finding 4: the event loop's lag during a reload of a 10,000-quote pack.
RELOAD_LAG_P99_GOAL_MS = 50.0


def _f(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_block(info: dict[str, Any]) -> str:
    libs = ", ".join(f"{name} {version}" for name, version in info["libraries"].items())
    load = info.get("load", {})
    parts = ", ".join(f"{part} {_f(value)}" for part, value in load.get("parts", {}).items())
    return "\n".join(
        [
            f"- **Run:** {info['date']}, command `{info['command']}`",
            f"- **Machine:** {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, "
            f"{info['os']}; shared with other workloads",
            f"- **Load average** (1 min) at start {_f(load.get('start'))}, "
            f"before each part: {parts}; "
            f"at end {_f(load.get('end'))}",
            f"- **Python:** {info['python']}",
            f"- **Libraries:** {libs}",
        ]
    )


def interactions_block(result: dict[str, Any]) -> str:
    rows = []
    for row in result["rows"]:
        s, b = row["summit"], row["bare"]
        rows.append(
            [
                row["interaction"],
                row["baseline"],
                _f(s["p50"]),
                _f(b["p50"]),
                f"{_f(row['p50_ratio'])}× ({_met(row['p50_ratio'] <= P50_RATIO_GOAL)})",
                _f(s["p99"]),
                _f(b["p99"]),
                f"{_f(row['p99_ratio'])}× ({_met(row['p99_ratio'] <= P99_RATIO_GOAL)})",
                f"{_f(row['summit_wall']['p50'])} / {_f(row['bare_wall']['p50'])}",
            ]
        )
    header = [
        "interaction",
        "bare bot does",
        "summitbot p50 ms",
        "bare p50 ms",
        "p50 ratio (goal ≤ 1.15×)",
        "summitbot p99 ms",
        "bare p99 ms",
        "p99 ratio (goal ≤ 1.3×)",
        "wall p50 ms (summit / bare)",
    ]
    note = (
        f"\n\n{result['iterations']} measured iterations per interaction and bot after "
        f"{result['warmup']} warm-up iterations; fake-Discord violations: "
        f"{len(result['violations'])}."
    )
    return table(header, rows) + note


def _growth_rows(
    results: list[dict[str, Any]],
) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    def by(name: str, field: str = "p99") -> Callable[[dict[str, Any]], str]:
        return lambda r: _f(r["autocomplete_by"].get(name, {}).get(field))

    return [
        ("load + validate + index, s", lambda r: _f(r["load_ms"] / 1000, 2)),
        ("… of which index build, s", lambda r: _f(r["index_ms"] / 1000, 2)),
        ("resident memory added by the pack, MB", lambda r: _f(r["rss_delta_mb"], 0)),
        ("peak resident memory while loading, MB", lambda r: _f(r["rss_peak_mb"], 0)),
        ("autocomplete p50 ms (every keystroke)", lambda r: _f(r["autocomplete"]["p50"], 3)),
        (
            f"**autocomplete p99 ms** (goal ≤ {AUTOCOMPLETE_GOAL_MS:g} at 100,000)",
            lambda r: _f(r["autocomplete"]["p99"], 3),
        ),
        ("… speaker names p99 ms", by("speaker")),
        ("… term names p99 ms", by("term")),
        ("… quote text (`search` option) p99 ms", by("quote")),
        (
            "… typos, p99 ms (terms / quotes)",
            lambda r: f"{by('term/typo')(r)} / {by('quote/typo')(r)}",
        ),
        ("autocomplete p99, single pass ms", lambda r: _f(r["autocomplete_single_pass"]["p99"], 3)),
        ("keystrokes timed", lambda r: f"{int(r['autocomplete']['n']):,}"),
        ("quote search p50 ms", lambda r: _f(r["search"]["p50"], 3)),
        ("quote search p99 ms", lambda r: _f(r["search"]["p99"], 3)),
        ("… quotes found per search (mean)", lambda r: _f(r["search_mean_hits"], 0)),
        ("term scan p50 ms (2,000 chars)", lambda r: _f(r["scan"]["p50"], 3)),
        (
            f"**term scan p99 ms** (goal ≤ {SCAN_GOAL_MS:g} at 10,000 terms)",
            lambda r: _f(r["scan"]["p99"], 3),
        ),
        ("… terms found per message (mean)", lambda r: _f(r["scan_mean_terms"], 0)),
        ("Explain terms embed render p99 ms", lambda r: _f(r["explain_render"]["p99"], 3)),
        (
            "`/glossary` embed render, first use of a term, p99 ms",
            lambda r: _f(r["glossary_render_cold"]["p99"], 3),
        ),
        ("`/quote` pick and render (no filter) p99 ms", lambda r: _f(r["quote_command"]["p99"], 3)),
        ("did-you-mean (a miss) p99 ms", lambda r: _f(r["did_you_mean"]["p99"], 3)),
    ]


def growth_block(results: list[dict[str, Any]]) -> str:
    header = ["", *(f"{r['quotes']:,} quotes" for r in results)]
    rows = [[label, *(cell(r) for r in results)] for label, cell in _growth_rows(results)]
    largest = results[-1]
    slow = ", ".join(
        f"`{s['query']}` ({s['kind']}, {s['what']}, {_f(s['ms'])} ms)"
        for s in largest["autocomplete_slowest"][:5]
    )
    terms, speakers = largest["terms"], largest["speakers"]
    goals = (
        f"\n\nEvery pack: {terms:,} terms, {speakers:,} speakers. "
        f"Goals at {largest['quotes']:,} quotes: autocomplete p99 "
        f"{_f(largest['autocomplete']['p99'], 3)} ms "
        f"({_met(largest['autocomplete']['p99'] <= AUTOCOMPLETE_GOAL_MS)}); term scan p99 "
        f"{_f(largest['scan']['p99'], 3)} ms ({_met(largest['scan']['p99'] <= SCAN_GOAL_MS)}). "
        f"Slowest keystrokes at {largest['quotes']:,}: {slow}."
    )
    return table(header, rows) + goals


def startup_block(results: list[dict[str, Any]]) -> str:
    header = [
        "pack",
        "first REST call ms",
        "content loaded ms",
        "commands synced ms",
        "READY ms",
        "first answer ms",
        "on_ready ms",
        "idle RSS MB",
        "RSS after use MB",
    ]
    rows = [
        [
            r["label"],
            _f(r["first_request_ms"], 0),
            _f(r["content_loaded_ms"], 0),
            _f(r["commands_synced_ms"], 0),
            _f(r["ready_ms"], 0),
            _f(r["first_answer_ms"], 0),
            _f(r["on_ready_ms"], 0),
            _f(r["idle_rss_mb"], 1),
            _f(r["used_rss_mb"], 1),
        ]
        for r in results
    ]
    real = results[0]
    wait = None
    if real["on_ready_ms"] is not None and real["ready_ms"] is not None:
        wait = real["on_ready_ms"] - real["ready_ms"]
    spread = real.get("ready_ms_all") or [real["ready_ms"]]
    goals = (
        f"\n\nReal pack: the median of {len(spread)} starts; READY after "
        f"{', '.join(_f(v, 0) for v in spread)} ms. READY {_f(real['ready_ms'], 0)} ms after spawn "
        f"(goal ≤ {STARTUP_GOAL_MS:,.0f} ms: {_met(real['ready_ms'] <= STARTUP_GOAL_MS)}); "
        f"discord.py's own wait before `on_ready` (guild_ready_timeout) adds "
        f"{_f(wait, 0)} ms on top and does not delay interactions. Idle RSS "
        f"{_f(real['idle_rss_mb'], 1)} MB (goal ≤ {IDLE_RSS_GOAL_MB:g} MB: "
        f"{_met(real['idle_rss_mb'] <= IDLE_RSS_GOAL_MB)})."
    )
    return table(header, rows) + goals


def digest_block(result: dict[str, Any]) -> str:
    header = ["", "value"]
    rows = [
        ["guilds due in the same minute", f"{result['guilds']:,}"],
        ["global limit (fake Discord)", f"{result['global_rate']} requests/s"],
        ["floor (guilds ÷ rate)", f"{_f(result['floor_s'])} s"],
        ["first post, after the due minute", f"{_f(result['first_post_after_due_s'])} s"],
        ["first post to last", f"{_f(result['first_to_last_s'])} s"],
        ["**total: due minute to last post**", f"{_f(result['total_s'])} s"],
        [
            f"ratio to the floor (goal ≤ {FANOUT_RATIO_GOAL}×)",
            f"{_f(result['ratio'])}× ({_met(result['ratio'] <= FANOUT_RATIO_GOAL)})",
        ],
        ["posts made / expected", f"{result['posted']:,} / {result['guilds']:,}"],
        ["duplicate posts", str(result["duplicates"])],
        ["lost posts", str(result["lost"])],
        ["429 answers (global / per route)", f"{result['429_global']} / {result['429_route']}"],
        [
            "gap between posts p50 / p99 / max",
            f"{_f(result['gap_ms']['p50'], 1)} / {_f(result['gap_ms']['p99'], 1)} / "
            f"{_f(result['gap_ms']['max'], 1)} ms",
        ],
        ["most posts arriving within one second", str(result["busiest_second"])],
        ["fake-Discord violations", str(len(result["violations"]))],
    ]
    return table(header, rows) + ("\n\n" + result["note"] if result.get("note") else "")


def reach_block(result: dict[str, Any]) -> str:
    """Server posts and personal DMs due in the same minute, on one throttle."""
    header = ["", "value"]
    rows = [
        ["guild posts due in the same minute", f"{result['guilds']:,}"],
        [
            "personal DMs due in that minute (DM channel already stored)",
            f"{result['users']:,} ({result['users_with_stored_channel']:,})",
        ],
        ["global limit (fake Discord)", f"{result['global_rate']} requests/s"],
        [
            "requests made: message creates + DM channel opens",
            f"{result['message_creates']:,} + {result['dm_channel_opens']:,} = "
            f"{result['requests']:,}",
        ],
        ["floor (requests ÷ rate)", f"{_f(result['floor_s'])} s"],
        ["first message, after the due minute", f"{_f(result['first_after_due_s'])} s"],
        ["**total: due minute to last message**", f"{_f(result['total_s'])} s"],
        [
            f"ratio to the floor (goal ≤ {FANOUT_RATIO_GOAL}×)",
            f"{_f(result['ratio'])}× ({_met(result['ratio'] <= FANOUT_RATIO_GOAL)})",
        ],
        [
            "guild posts / DMs made",
            f"{result['guild_posts']:,} / {result['dms']:,}",
        ],
        ["duplicates / lost", f"{result['duplicates']} / {result['lost']}"],
        ["429 answers (global / per route)", f"{result['429_global']} / {result['429_route']}"],
        ["most messages arriving within one second", str(result["busiest_second"])],
        ["fake-Discord violations", str(len(result["violations"]))],
    ]
    return table(header, rows)


_RELOAD_MODES = {
    "thread": "thread (before: `load_catalog` in `asyncio.to_thread`)",
    "process": "worker process (after)",
}


def reload_block(result: dict[str, Any]) -> str:
    """Loop lag and unanswered interactions while a big pack reloads, per way of building."""
    header = [
        "catalog built in",
        "reload s",
        "loop lag p50 ms",
        "p99 ms (goal ≤ 50)",
        "max ms",
        "interactions",
        "unanswered within 3 s (goal 0)",
        "interaction p50 / p99 / max ms",
    ]
    rows: list[list[str]] = []
    for mode, label in _RELOAD_MODES.items():
        r = result["modes"].get(mode)
        if r is None:
            continue
        lag, answered = r["lag_ms"], r["interaction_ms"]
        rows.append(
            [
                label,
                _f(r["reload_s"], 1),
                _f(lag["p50"], 1),
                f"{_f(lag['p99'], 1)} ({_met(lag['p99'] <= RELOAD_LAG_P99_GOAL_MS)})",
                _f(lag["max"], 0),
                str(r["interactions"]),
                f"{r['unanswered']} ({_met(r['unanswered'] == 0)})",
                f"{_f(answered['p50'], 1)} / {_f(answered['p99'], 1)} / {_f(answered['max'], 0)}",
            ]
        )
    ran = result.get("run", {})
    note = (
        f"{result['size']:,}-quote generated pack replacing a running one of the same size; "
        f"ticker every 10 ms, an interaction every 50 ms. Measured {ran.get('at', '?')}, "
        f"load average {_f(ran.get('load'))} at start."
    )
    return table(header, rows) + "\n\n" + note


def goals_block(results: dict[str, Any]) -> str:
    """One line per goal of issue 5: the figure, the goal, met or missed."""
    rows: list[list[str]] = []
    if "interactions" in results:
        for row in results["interactions"]["rows"]:
            rows.append(
                [
                    f"{row['interaction']}: p50 vs bare bot",
                    f"{_f(row['p50_ratio'])}×",
                    f"≤ {P50_RATIO_GOAL}×",
                    _met(row["p50_ratio"] <= P50_RATIO_GOAL),
                ]
            )
            rows.append(
                [
                    f"{row['interaction']}: p99 vs bare bot",
                    f"{_f(row['p99_ratio'])}×",
                    f"≤ {P99_RATIO_GOAL}×",
                    _met(row["p99_ratio"] <= P99_RATIO_GOAL),
                ]
            )
    if "growth" in results:
        largest = results["growth"][-1]
        p99 = largest["autocomplete"]["p99"]
        scan = max(r["scan"]["p99"] for r in results["growth"])
        rows.append(
            [
                f"autocomplete p99 per keystroke, {largest['quotes']:,} quotes",
                f"{_f(p99, 2)} ms",
                f"≤ {AUTOCOMPLETE_GOAL_MS:g} ms",
                _met(p99 <= AUTOCOMPLETE_GOAL_MS),
            ]
        )
        rows.append(
            [
                "term scan p99, 2,000-character message, 10,000 terms (worst size)",
                f"{_f(scan, 3)} ms",
                f"≤ {SCAN_GOAL_MS:g} ms",
                _met(scan <= SCAN_GOAL_MS),
            ]
        )
    if "startup" in results:
        real = results["startup"][0]
        rows.append(
            [
                "`summitbot run` to READY, real pack",
                f"{_f(real['ready_ms'], 0)} ms",
                f"≤ {STARTUP_GOAL_MS:,.0f} ms + gateway waits",
                _met(real["ready_ms"] <= STARTUP_GOAL_MS),
            ]
        )
        rows.append(
            [
                "idle resident memory, real pack",
                f"{_f(real['idle_rss_mb'], 1)} MB",
                f"≤ {IDLE_RSS_GOAL_MB:g} MB",
                _met(real["idle_rss_mb"] <= IDLE_RSS_GOAL_MB),
            ]
        )
    if "digest" in results:
        d = results["digest"]
        rows.append(
            [
                f"digest fan-out, {d['guilds']:,} guilds, vs the {_f(d['floor_s'], 0)} s floor",
                f"{_f(d['ratio'])}× ({_f(d['total_s'])} s)",
                f"≤ {FANOUT_RATIO_GOAL}×",
                _met(d["ratio"] <= FANOUT_RATIO_GOAL),
            ]
        )
        clean = d["duplicates"] == 0 and d["lost"] == 0
        rows.append(
            [
                "digest duplicates / lost posts",
                f"{d['duplicates']} / {d['lost']}",
                "0 / 0",
                _met(clean),
            ]
        )
        limited = d["429_global"] + d["429_route"]
        rows.append(
            [
                "digest 429 answers",
                str(limited),
                f"a handful (≤ {HANDFUL_429})",
                _met(limited <= HANDFUL_429),
            ]
        )
    if "reach" in results:
        r = results["reach"]
        rows.append(
            [
                f"{r['guilds']:,} guild posts + {r['users']:,} DMs, vs the "
                f"{_f(r['floor_s'], 0)} s floor",
                f"{_f(r['ratio'])}× ({_f(r['total_s'])} s)",
                f"≤ {FANOUT_RATIO_GOAL}×",
                _met(r["ratio"] <= FANOUT_RATIO_GOAL),
            ]
        )
    if "reload" in results and "process" in results["reload"]["modes"]:
        r = results["reload"]["modes"]["process"]
        size = results["reload"]["size"]
        rows.append(
            [
                f"event-loop lag p99 during a reload, {size:,} quotes",
                f"{_f(r['lag_ms']['p99'], 1)} ms",
                f"≤ {RELOAD_LAG_P99_GOAL_MS:g} ms",
                _met(r["lag_ms"]["p99"] <= RELOAD_LAG_P99_GOAL_MS),
            ]
        )
        rows.append(
            [
                f"interactions unanswered within 3 s during that reload (of {r['interactions']})",
                str(r["unanswered"]),
                "0",
                _met(r["unanswered"] == 0),
            ]
        )
    if "capacity" in results:
        from bench.capacity_report import goal_rows  # it imports this module

        rows += goal_rows(results["capacity"])
    return table(["figure", "measured", "goal", ""], rows)


def whosaid_block(result: dict[str, Any]) -> str:
    """The 200-press burst on one "who said it?" round."""
    first = result["first_response_ms"]
    rows = [
        ["presses (one every 50 ms)", f"{result['presses']} in {_f(result['burst_s'], 1)} s"],
        ["answered", f"{result['answered']} ({result['within_3s']} within 3 s)"],
        [
            "first response p50 / p99 / max",
            f"{_f(first['p50'], 1)} / {_f(first['p99'], 1)} / {_f(first['max'], 1)} ms",
        ],
        [
            "counter after the burst",
            f"{result['counter']} "
            f"(shown {_f(result['counter_settled_s'], 2)} s after the last answer)",
        ],
        ["counter edits", f"{result['edits']}, of which 429: {result['edit_429s']}"],
        ["violations", str(len(result["violations"]))],
    ]
    return table(["figure", "measured"], rows)


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- bench:{re.escape(name)} -->).*?(<!-- /bench:{re.escape(name)} -->)", re.S
    )
    if not pattern.search(text):
        raise LookupError(f"docs/performance.md has no <!-- bench:{name} --> block")
    return pattern.sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", text)


def write(blocks: dict[str, str], doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8")
    for name, body in blocks.items():
        text = replace_block(text, name, body)
    doc.write_text(text, encoding="utf-8")
