"""`summitbot run` with a measuring probe inside the process (bench only).

    python -m bench._probe --config <file> run      # SUMMITBOT_PROBE=<out.jsonl>

Runs the real CLI (`bot.cli.main`) unchanged, after wrapping a few of the bot's functions from
the outside to note when they start and end (wall clock, resident memory):

- ``Store.list_enabled_settings`` and ``DigestScheduler.load``: the digest jobs built at
  startup (``fetch_*`` / ``rebuild_*`` marks, with the guild and slot counts);
- ``SummitBot.setup_hook``: starts a 10 ms timer on the bot's own event loop whose lateness is
  the event-loop lag (one ``lag`` line per wake-up);
- ``SummitBot.on_ready`` (``ready`` mark, with the guild count).

Lines go to the file named by ``SUMMITBOT_PROBE`` as JSON, flushed every second (a killed
process leaves what it had).
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench._util import rss_mb

TICK = 0.010
FLUSH_EVERY = 1.0


class Probe:
    def __init__(self, out: Path) -> None:
        self.out = out.open("a", encoding="utf-8")
        self.pending: list[str] = []
        self.last_flush = time.monotonic()

    def mark(self, name: str, **data: Any) -> None:
        line = {"mark": name, "t": time.time(), "rss_mb": rss_mb(), **data}
        self.pending.append(json.dumps(line))
        self.flush()

    def lag(self, at: float, lag_ms: float) -> None:
        self.pending.append(json.dumps({"lag": round(lag_ms, 3), "t": at}))
        if time.monotonic() - self.last_flush >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.out.write("\n".join(self.pending) + "\n")
            self.out.flush()
            self.pending.clear()
        self.last_flush = time.monotonic()

    async def ticker(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(TICK)
            self.lag(time.time(), (loop.time() - start - TICK) * 1000.0)


def install(probe: Probe) -> None:
    from bot.app import SummitBot
    from bot.digest.scheduler import DigestScheduler
    from bot.store import Store

    fetch = Store.list_enabled_settings
    load = DigestScheduler.load
    setup_hook = SummitBot.setup_hook
    on_ready = SummitBot.on_ready

    @functools.wraps(fetch)
    async def list_enabled_settings(self: Any, *args: Any, **kwargs: Any) -> Any:
        probe.mark("fetch_start")
        rows = await fetch(self, *args, **kwargs)
        probe.mark("fetch_end", n=len(rows))
        return rows

    @functools.wraps(load)
    async def load_jobs(self: Any, settings_list: Any, **kwargs: Any) -> int:
        items = list(settings_list)
        probe.mark("rebuild_start", n=len(items))
        count = await load(self, items, **kwargs)
        slots = self.slot_count() if hasattr(self, "slot_count") else None
        probe.mark("rebuild_end", n=count, slots=slots)
        return count

    @functools.wraps(setup_hook)
    async def setup(self: Any) -> None:
        self._probe_ticker = asyncio.create_task(probe.ticker())
        probe.mark("setup_start")
        await setup_hook(self)
        probe.mark("setup_end")

    @functools.wraps(on_ready)
    async def ready(self: Any) -> None:
        probe.mark("ready", guilds=len(self.guilds))
        await on_ready(self)

    Store.list_enabled_settings = list_enabled_settings  # type: ignore[method-assign]
    DigestScheduler.load = load_jobs  # type: ignore[method-assign]
    SummitBot.setup_hook = setup  # type: ignore[method-assign]
    SummitBot.on_ready = ready  # type: ignore[method-assign]


def main() -> int:
    probe = Probe(Path(os.environ["SUMMITBOT_PROBE"]))
    atexit.register(probe.flush)
    install(probe)
    probe.mark("start")
    from bot.cli import main as cli_main

    code = cli_main(sys.argv[1:])
    probe.mark("exit", code=code)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
