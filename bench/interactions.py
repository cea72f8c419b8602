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
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench._util import REPO, summary

ITERATIONS = 400
WARMUP = 40

#: A chat message someone asks "Explain terms" about (real terms of the real pack).
EXPLAIN_MESSAGE = (
    "昨天的讨论里大家都在说 RLVR 和 MoE：唐杰觉得可验证奖励强化学习今年会爆发，"
    "杨植麟讲了 Muon 优化器和 token efficiency，还有人提到 Agent 在 ToB 场景的落地。"
    "Do we still believe the scaling law holds if pre-training data runs out? "
    "Also, what exactly is the difference between a foundation model and a large model?"
)

#: Keystrokes, cycled: (command, option typed, value so far).
KEYSTROKES: tuple[tuple[str, str, str], ...] = (
    ("glossary", "term", "rl"),
    ("glossary", "term", "强化"),
    ("quote", "speaker", "ya"),
    ("quote", "speaker", "tj"),
    ("quote", "search", "agent"),
    ("quote", "search", "模型"),
    ("glossary", "term", "moe"),
    ("glossary", "term", "verif"),
)
GLOSSARY_TERMS = ("RLVR", "Muon", "强化学习", "scaling law", "Agent", "基座模型")


@dataclass
class Bot:
    """One bot process and the fake it is connected to."""

    name: str
    fake: Any
    guild: Any
    proc: asyncio.subprocess.Process
    target: Any = None  # the message "Explain terms" is run on


async def _spawn(args: list[str], token: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "DISCORD_TOKEN": token}
    env.pop("SUMMITBOT_CONFIG", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=str(REPO),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


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
    proc = await _spawn(["-m", "bot.cli", "--config", str(config), "run"], fake.token)
    return Bot("summitbot", fake, guild, proc)


async def _start_bare(fake: Any) -> Bot:
    guild = fake.add_guild("Bench", channels=["general"])
    fake.add_member(guild, "alice", dispatch=False)
    args = ["-m", "bench.barebot", fake.api_base, fake.gateway_url, str(guild.id)]
    proc = await _spawn(args, fake.token)
    return Bot("bare", fake, guild, proc)


async def _ready(bot: Bot) -> None:
    # Commands are synced in setup_hook, before the gateway connects: READY means servable.
    await bot.fake.wait_ready(timeout=120)
    bot.target = bot.fake.post_user_message(bot.guild.text_channels[0], "alice", EXPLAIN_MESSAGE)


Op = Callable[[Bot, int], Awaitable[Any]]


async def _quote(bot: Bot, i: int) -> Any:
    if bot.name == "bare":
        return await bot.fake.slash(bot.guild, None, "alice", "ping")
    return await bot.fake.slash(bot.guild, None, "alice", "quote")


async def _glossary(bot: Bot, i: int) -> Any:
    term = GLOSSARY_TERMS[i % len(GLOSSARY_TERMS)]
    if bot.name == "bare":
        return await bot.fake.slash(bot.guild, None, "alice", "ping", {"word": term})
    return await bot.fake.slash(bot.guild, None, "alice", "glossary", {"term": term})


async def _autocomplete(bot: Bot, i: int) -> Any:
    command, option, typed = KEYSTROKES[i % len(KEYSTROKES)]
    if bot.name == "bare":
        command, option = "ping", "word"
    return await bot.fake.send_autocomplete(
        bot.guild, None, "alice", command, {option: typed}, option
    )


async def _explain(bot: Bot, i: int) -> Any:
    return await bot.fake.message_command(bot.guild, None, "alice", "Explain terms", bot.target)


OPS: dict[str, tuple[str, Op]] = {
    # name: (what the bare bot does for it, the operation)
    "/quote": ("/ping", _quote),
    "/glossary": ("/ping word:…", _glossary),
    "autocomplete keystroke": ("/ping autocomplete", _autocomplete),
    "Explain terms": ("static Explain terms", _explain),
}


async def _once(bot: Bot, op: Op, i: int) -> tuple[float, float]:
    start = time.perf_counter()
    result = await op(bot, i)
    wall = (time.perf_counter() - start) * 1000.0
    if not result.responded or result.elapsed_ms is None:
        raise RuntimeError(f"{bot.name}: no answer ({result.describe()})")
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
                samples: dict[str, dict[str, list[float]]] = {
                    name: {"summit": [], "bare": [], "summit_wall": [], "bare_wall": []}
                    for name in OPS
                }
                for i in range(warmup + iterations):
                    for name, (_baseline, op) in OPS.items():
                        order = (summit, bare) if i % 2 == 0 else (bare, summit)
                        for bot in order:
                            elapsed, wall = await _once(bot, op, i)
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
