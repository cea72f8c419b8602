"""Reload: how much a content reload of a big pack stalls the bot's event loop (issue 15, no. 4).

The real bot runs in this process against the local fake Discord (the end-to-end harness),
serving a generated 10,000-quote pack (`bench/gen.py`; 10,000 terms, 1,000 speakers). While it
reloads that pack (`SummitBot.reload_content`, what SIGHUP and `/admin reload` call):

- a ticker on the bot's loop sleeps 10 ms at a time and records how late each wake-up is (the
  loop's lag: every callback, command and heartbeat waits that long too);
- a steady stream of interactions (20/s, alternating `/quote` and a speaker autocomplete
  keystroke) is sent; one counts as unanswered when the fake saw no initial response within
  Discord's 3 s.

Two ways of building the new catalog are measured, each in a fresh process: `thread` (the old
code: `load_catalog` in `asyncio.to_thread`) and `process` (today's: a worker process, the
result unpickled frame by frame in a thread).

    python -m bench reload                          # via the bench runner
    python -m bench.reload --worker process DIR     # one measurement in this process
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import REPO, summary

SIZE = 10_000
MINI = REPO / "tests" / "fixtures" / "packs" / "mini" / "mini-summit"
MODES = ("thread", "process")
#: The ticker's sleep, and how often an interaction is sent during the reload.
TICK = 0.010
INTERACTION_EVERY = 0.050
DEADLINE_MS = 3_000.0
#: Typed into `/speaker name:` (surnames of the generated speakers, and pinyin).
KEYSTROKES = ("王", "李", "张", "wang", "li", "zhang", "陈", "chen")


async def _measure(mode: str, content: Path) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from bot.catalog import load_catalog
    from bot.ops import reload as reload_module
    from tests.e2e.conftest import running_summit
    from tests.fakediscord import FakeDiscord

    in_worker = reload_module.build_catalog_in_worker

    async def in_thread(path: Path) -> reload_module.BuiltCatalog:
        catalog = await asyncio.to_thread(load_catalog, path)
        return reload_module.BuiltCatalog(catalog, os.getpid())

    with tempfile.TemporaryDirectory(prefix="summitbot-reload-") as tmp:
        # The bot starts on the small test pack (the harness allows 10 s to start), then the
        # folder's one pack is switched to the big one and loaded by an unmeasured reload: the
        # measured reload replaces a running 10,000-quote catalog, as an operator's would.
        folder = Path(tmp) / "content"
        folder.mkdir()
        small = folder / MINI.name
        small.symlink_to(MINI, target_is_directory=True)
        async with FakeDiscord() as fake:
            overrides = {"content": {"path": str(folder)}, "logging": {"level": "WARNING"}}
            async with running_summit(fake, Path(tmp), overrides=overrides) as summit:
                small.unlink()
                big = _only_pack(content)
                (folder / big.name).symlink_to(big, target_is_directory=True)
                first = await summit.bot.reload_content()
                if not first.ok:
                    raise RuntimeError(f"the big pack did not load: {first.problems[:3]}")
                if mode == "thread":
                    reload_module.build_catalog_in_worker = in_thread  # type: ignore[assignment]
                else:
                    reload_module.build_catalog_in_worker = in_worker  # type: ignore[assignment]
                for i in range(20):  # warm up both kinds
                    await summit.slash("quote")
                    await summit.fake.send_autocomplete(
                        summit.guild, summit.channel, summit.member, "speaker",
                        {"name": KEYSTROKES[i % len(KEYSTROKES)]}, "name",
                    )  # fmt: skip
                return await _during_reload(summit)


def _only_pack(content: Path) -> Path:
    packs = [child for child in content.iterdir() if (child / "event.yaml").is_file()]
    if len(packs) != 1:
        raise RuntimeError(f"expected one pack in {content}, found {len(packs)}")
    return packs[0]


async def _during_reload(summit: Any) -> dict[str, Any]:
    lags: list[float] = []
    results: list[Any] = []
    stop = asyncio.Event()

    async def tick() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - start - TICK) * 1000.0)

    async def one(i: int) -> None:
        if i % 2 == 0:
            result = await summit.slash("quote")
        else:
            typed = KEYSTROKES[(i // 2) % len(KEYSTROKES)]
            result = await summit.fake.send_autocomplete(
                summit.guild, summit.channel, summit.member, "speaker", {"name": typed}, "name"
            )
        results.append(result)

    async def stream() -> None:
        async with asyncio.TaskGroup() as group:
            i = 0
            start = time.perf_counter()
            while not stop.is_set():
                group.create_task(one(i))
                i += 1
                # Paced against the start, so a stall is followed by a catch-up burst, as
                # users keep clicking whatever the bot is doing.
                delay = start + i * INTERACTION_EVERY - time.perf_counter()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), max(0.0, delay))

    ticker = asyncio.create_task(tick())
    sender = asyncio.create_task(stream())
    started = time.perf_counter()
    outcome = await summit.bot.reload_content()
    seconds = time.perf_counter() - started
    stop.set()
    await asyncio.gather(ticker, sender)
    if not outcome.ok:
        raise RuntimeError(f"the reload failed: {outcome.problems[:3]}")
    elapsed = [r.elapsed_ms for r in results if r.responded and r.elapsed_ms is not None]
    unanswered = sum(
        1 for r in results if not r.responded or r.elapsed_ms is None or r.elapsed_ms > DEADLINE_MS
    )
    return {
        "reload_s": seconds,
        "quotes": outcome.quotes,
        "lag_ms": summary(lags),
        "interactions": len(results),
        "unanswered": unanswered,
        "interaction_ms": summary(elapsed),
        "violations": len(summit.fake.violations),
    }


def run(workdir: Path, size: int = SIZE, modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    """Generate the pack (cached in `workdir`) and measure each mode in a fresh process."""
    from bench.gen import generate

    content = generate(size, workdir / f"content-{size}")
    out: dict[str, Any] = {"size": size, "modes": {}}
    for mode in modes:
        print(f"  reload: {size:,} quotes, {mode} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.reload", "--worker", mode, str(content)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"reload worker failed for {mode}:\n{proc.stderr}")
        out["modes"][mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="reload benchmark")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "CONTENT"), help="measure in-process")
    parser.add_argument("--size", type=int, default=SIZE)
    args = parser.parse_args()
    if args.worker is not None:
        mode, content = args.worker
        if mode not in MODES:
            parser.error(f"mode must be one of {', '.join(MODES)}")
        print(json.dumps(asyncio.run(_measure(mode, Path(content)))))
        return
    print(json.dumps(run(Path("/tmp/summitbot-bench"), args.size), indent=1))


if __name__ == "__main__":
    main()
