"""Startup: `summitbot run` as a real process, from spawn to serving, and its idle memory.

The fake Discord runs in this process; the bot is spawned exactly as an operator runs it
(`python -m bot.cli --config <file> run`, token in DISCORD_TOKEN). Milestones are read off the
fake (first REST call, command sync, READY sent) and off the bot's log lines, each stamped
when it arrives; "first answer" is the first `/glossary` round trip right after READY.

discord.py's own wait: `on_ready` fires `guild_ready_timeout` (2 s) after the last
GUILD_CREATE; interactions are served before that, so it is reported apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench._util import REPO, rss_mb, spawn

REAL_CONTENT = REPO / "content"
IDLE_SECONDS = 3.0
#: Starts of the real pack; the median is reported (one start is a noisy figure).
REPEATS = 5


async def _poll(predicate: Any, timeout: float, step: float = 0.002) -> float | None:  # noqa: ASYNC109
    """perf_counter when `predicate()` first holds, or None on timeout."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return time.perf_counter()
        await asyncio.sleep(step)
    return None


async def measure(content: Path = REAL_CONTENT, label: str = "real pack") -> dict[str, Any]:
    """Start `summitbot run` on `content` against a fresh fake; milestones in ms since spawn."""
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    with tempfile.TemporaryDirectory(prefix="summitbot-startup-") as tmp:
        async with FakeDiscord(heartbeat_interval=41_250) as fake:
            guild = fake.add_guild("Startup", channels=["general"])
            fake.add_member(guild, "alice", dispatch=False)
            config = Path(tmp) / "config.yaml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "discord": {
                            "api_base": fake.api_base,
                            "gateway_url": fake.gateway_url,
                            "dev_guild_id": guild.id,
                        },
                        "database": {"path": str(Path(tmp) / "bot.db")},
                        "content": {"path": str(content)},
                    }
                ),
                encoding="utf-8",
            )
            lines: list[tuple[float, str]] = []
            spawned = time.perf_counter()
            args = ["-m", "bot.cli", "--config", str(config), "run"]
            proc = await spawn(args, fake.token, stderr=asyncio.subprocess.PIPE)

            async def read_log() -> None:
                assert proc.stderr is not None
                async for raw in proc.stderr:
                    lines.append((time.perf_counter(), raw.decode(errors="replace").rstrip()))

            reader = asyncio.create_task(read_log())
            try:
                first_request = await _poll(lambda: fake.stats.requests > 0, 120)
                synced = await _poll(
                    lambda: any(
                        route.startswith("PUT ") and route.endswith("/commands")
                        for route in fake.stats.by_route
                    ),
                    300,
                )
                ready = await _poll(lambda: fake.gateway.shard_ready(0), 60)
                if ready is None:
                    raise RuntimeError("the bot never got READY:\n" + _tail(lines))
                await fake.wait_ready(timeout=30)
                result = await fake.slash(guild, None, "alice", "glossary", {"term": "RLVR"})
                answered = time.perf_counter()
                if not result.responded:
                    raise RuntimeError("no answer to /glossary:\n" + _tail(lines))
                on_ready = await _poll(lambda: any("ready as" in line for _t, line in lines), 10)
                await asyncio.sleep(IDLE_SECONDS)
                idle_rss = rss_mb(proc.pid)
                # Touch every hot path once, then measure again ("after use").
                await fake.slash(guild, None, "alice", "quote")
                await fake.autocomplete(guild, None, "alice", "glossary", {"term": "rl"}, "term")
                await fake.message_command(
                    guild, None, "alice", "Explain terms", "We use RLVR and MoE for 强化学习."
                )
                await fake.slash(guild, None, "alice", "speaker", {"name": "唐杰"})
                await asyncio.sleep(1.0)
                used_rss = rss_mb(proc.pid)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 15)
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader

    def since(stamp: float | None) -> float | None:
        return None if stamp is None else (stamp - spawned) * 1000.0

    loaded = next((t for t, line in lines if "content loaded" in line), None)
    return {
        "label": label,
        "content": str(content),
        "first_request_ms": since(first_request),
        "content_loaded_ms": since(loaded),
        "commands_synced_ms": since(synced),
        "ready_ms": since(ready),
        "first_answer_ms": since(answered),
        "on_ready_ms": since(on_ready),
        "idle_rss_mb": idle_rss,
        "used_rss_mb": used_rss,
        "exit_code": proc.returncode,
    }


def _tail(lines: list[tuple[float, str]], count: int = 30) -> str:
    return "\n".join(line for _t, line in lines[-count:])


def run(
    extra: list[tuple[Path, str]] | None = None, repeats: int = REPEATS
) -> list[dict[str, Any]]:
    """The real pack `repeats` times (the run with the median READY is reported, with the
    spread), then each generated pack given as (content folder, label) once."""
    runs = sorted((asyncio.run(measure()) for _ in range(repeats)), key=lambda r: r["ready_ms"])
    real = dict(runs[len(runs) // 2])
    real["repeats"] = repeats
    real["ready_ms_all"] = [r["ready_ms"] for r in runs]
    results = [real]
    for content, label in extra or []:
        print(f"  startup: {label} ...", file=sys.stderr, flush=True)
        results.append(asyncio.run(measure(content, label)))
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
