"""Interaction overhead: summitbot against a bare discord.py bot, through the same fake Discord.

Both bots run as their own processes (summitbot exactly as `summitbot run` starts it, with the
real pack; the bare bot is `bench.barebot`), each connected to its own `FakeDiscord` in this
process: one fake serves one application, and discord.py's endpoint override is per process.
Every iteration sends one interaction to each bot, alternating which goes first, after a
warm-up, so both see the same machine state and the ratio is fair.

A round trip is the fake's `elapsed_ms`: from the moment it sends INTERACTION_CREATE down the
websocket to the moment the bot's callback request arrives (before the fake validates it).
So it holds the gateway frame's decode, discord.py's dispatch, the bot's own work, the JSON
encode of the answer and the HTTP request; the fake's own validation of the answer is not in
it. The wall time of the whole helper call (`wall`) is kept too.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench._util import REPO, spawn, summary

ITERATIONS = 1000
WARMUP = 100

#: Locales the simulated users have, alternating (both bots get the same one each time).
LOCALES = ("en-US", "zh-CN")


@dataclass(frozen=True)
class Workload:
    """What the users ask, built from the real pack so every lookup resolves."""

    terms: tuple[str, ...]  # /glossary term:, exact names in both languages
    keystrokes: tuple[tuple[str, str, str], ...]  # (command, option, typed so far)
    messages: tuple[str, ...]  # chat messages "Explain terms" runs on, all different


def workload(count: int, seed: int = 5) -> Workload:
    from bot.catalog import load_catalog

    catalog = load_catalog(REPO / "content")
    rng = random.Random(seed)
    terms = [name for t in catalog.terms.values() for name in (t.term.en, t.term.zh)]
    rng.shuffle(terms)
    strokes: list[tuple[str, str, str]] = []
    for term in catalog.terms.values():
        name = rng.choice((term.term.en, term.term.zh, *term.aliases))
        strokes += [("glossary", "term", name[:end]) for end in range(1, min(len(name), 6) + 1)]
    for speaker in catalog.speakers.values():
        for name in (speaker.name.en, speaker.name.zh):
            strokes += [("quote", "speaker", name[:end]) for end in range(1, len(name) + 1)]
    for quote in rng.sample(list(catalog.quotes.values()), 20):
        words = " ".join(quote.text.en.split()[:2])
        strokes += [("quote", "search", words[:end]) for end in range(2, len(words) + 1)]
        strokes += [("quote", "search", quote.text.zh[:end]) for end in range(1, 5)]
    strokes = [stroke for stroke in strokes if stroke[2].strip()]
    rng.shuffle(strokes)
    # Chat messages: two or three real sentences (either language) and a term or two.
    texts = [text for q in catalog.quotes.values() for text in (q.text.zh, q.text.en)]
    surfaces = [s for t in catalog.terms.values() for s in (t.term.en, t.term.zh, *t.aliases)]
    messages = [
        " ".join([*rng.sample(texts, rng.choice((2, 3))), *rng.sample(surfaces, 2)])[:1500]
        for _ in range(count)
    ]
    return Workload(tuple(terms), tuple(strokes), tuple(messages))


@dataclass
class Bot:
    """One bot process and the fake it is connected to."""

    name: str
    fake: Any
    guild: Any
    proc: asyncio.subprocess.Process


async def _stop(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), 15)
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def _start_summitbot(fake: Any, tmp: Path) -> Bot:
    guild = fake.add_guild("Bench", channels=["general"])
    fake.add_member(guild, "alice", dispatch=False)
    config = tmp / "summitbot.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "discord": {
                    "api_base": fake.api_base,
                    "gateway_url": fake.gateway_url,
                    "dev_guild_id": guild.id,
                },
                "database": {"path": str(tmp / "bot.db")},
                "content": {"path": str(REPO / "content")},
                "logging": {"level": "INFO"},
            }
        ),
        encoding="utf-8",
    )
    proc = await spawn(["-m", "bot.cli", "--config", str(config), "run"], fake.token)
    return Bot("summitbot", fake, guild, proc)


async def _start_bare(fake: Any) -> Bot:
    guild = fake.add_guild("Bench", channels=["general"])
    fake.add_member(guild, "alice", dispatch=False)
    args = ["-m", "bench.barebot", fake.api_base, fake.gateway_url, str(guild.id)]
    proc = await spawn(args, fake.token)
    return Bot("bare", fake, guild, proc)


async def _ready(bot: Bot) -> None:
    # Commands are synced in setup_hook, before the gateway connects: READY means servable.
    await bot.fake.wait_ready(timeout=120)


Op = Callable[[Bot, Workload, int], Awaitable[Any]]


def _locale(i: int) -> str:
    return LOCALES[i % len(LOCALES)]


async def _quote(bot: Bot, work: Workload, i: int) -> Any:
    name = "ping" if bot.name == "bare" else "quote"
    return await bot.fake.slash(bot.guild, None, "alice", name, locale=_locale(i))


async def _glossary(bot: Bot, work: Workload, i: int) -> Any:
    term = work.terms[i % len(work.terms)]
    if bot.name == "bare":
        options = {"word": term}
        return await bot.fake.slash(bot.guild, None, "alice", "ping", options, locale=_locale(i))
    options = {"term": term}
    return await bot.fake.slash(bot.guild, None, "alice", "glossary", options, locale=_locale(i))


async def _autocomplete(bot: Bot, work: Workload, i: int) -> Any:
    command, option, typed = work.keystrokes[i % len(work.keystrokes)]
    if bot.name == "bare":
        command, option = "ping", "word"
    return await bot.fake.send_autocomplete(
        bot.guild, None, "alice", command, {option: typed}, option, locale=_locale(i)
    )


async def _explain(bot: Bot, work: Workload, i: int) -> Any:
    channel = bot.guild.text_channels[0]
    target = bot.fake.post_user_message(channel, "bob", work.messages[i])
    return await bot.fake.message_command(
        bot.guild, channel, "alice", "Explain terms", target, locale=_locale(i)
    )


OPS: dict[str, tuple[str, Op]] = {
    # name: (what the bare bot does for it, the operation)
    "/quote": ("/ping", _quote),
    "/glossary": ("/ping word:…", _glossary),
    "autocomplete keystroke": ("/ping autocomplete", _autocomplete),
    "Explain terms": ("static Explain terms", _explain),
}


async def _once(bot: Bot, op: Op, work: Workload, i: int) -> tuple[float, float]:
    start = time.perf_counter()
    result = await op(bot, work, i)
    wall = (time.perf_counter() - start) * 1000.0
    if not result.responded or result.elapsed_ms is None:
        raise RuntimeError(f"{bot.name}: no answer ({result.describe()})")
    if op is not _autocomplete and op is not _explain and result.ephemeral:
        raise RuntimeError(f"{bot.name}: a private answer (a miss?): {result.content}")
    return result.elapsed_ms, wall


async def measure(iterations: int = ITERATIONS, warmup: int = WARMUP) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    with tempfile.TemporaryDirectory(prefix="summitbot-interactions-") as tmp:
        async with FakeDiscord() as fake_s, FakeDiscord() as fake_b:
            summit = await _start_summitbot(fake_s, Path(tmp))
            bare = await _start_bare(fake_b)
            try:
                await asyncio.gather(_ready(summit), _ready(bare))
                work = workload(warmup + iterations)
                samples: dict[str, dict[str, list[float]]] = {
                    name: {"summit": [], "bare": [], "summit_wall": [], "bare_wall": []}
                    for name in OPS
                }
                for i in range(warmup + iterations):
                    for name, (_baseline, op) in OPS.items():
                        order = (summit, bare) if i % 2 == 0 else (bare, summit)
                        for bot in order:
                            elapsed, wall = await _once(bot, op, work, i)
                            if i >= warmup:
                                key = "summit" if bot is summit else "bare"
                                samples[name][key].append(elapsed)
                                samples[name][f"{key}_wall"].append(wall)
                violations = [str(v) for v in fake_s.take_violations() + fake_b.take_violations()]
            finally:
                await asyncio.gather(_stop(summit.proc), _stop(bare.proc))

    rows: list[dict[str, Any]] = []
    for name, (baseline, _op) in OPS.items():
        s, b = summary(samples[name]["summit"]), summary(samples[name]["bare"])
        rows.append(
            {
                "interaction": name,
                "baseline": baseline,
                "summit": s,
                "bare": b,
                "summit_wall": summary(samples[name]["summit_wall"]),
                "bare_wall": summary(samples[name]["bare_wall"]),
                "p50_ratio": s["p50"] / b["p50"],
                "p99_ratio": s["p99"] / b["p99"],
            }
        )
    return {"iterations": iterations, "warmup": warmup, "rows": rows, "violations": violations}


def run(iterations: int = ITERATIONS) -> dict[str, Any]:
    return asyncio.run(measure(iterations))


if __name__ == "__main__":
    import json

    count = int(sys.argv[1]) if len(sys.argv) > 1 else ITERATIONS
    print(json.dumps(run(count), indent=1))
