"""Where an interaction's time goes inside each bot: stage medians for summitbot and the bare bot.

    .venv/bin/python -m bench.stages [ITERATIONS]

Runs `bench.interactions` (all four interactions, interleaved as there) with both bot
processes started through this module's `--wrap` mode, which wraps discord.py's, aiohttp's and
asyncio's own functions (nothing in `bot/` changes) and marks, for each command answered
through the interaction callback, when it reached:

- `frame`: the gateway frame, decompressed (`DiscordWebSocket.received_message`);
- `parsed`: `ConnectionState.parse_interaction_create`;
- `tree`: `CommandTree._call` (discord.py's dispatch and the interaction's task started);
- `callback`: `Command._do_call` (the tree's check, the cog's check, the option transformers);
- `response`: `InteractionResponse.send_message` (the command's own work);
- `request`: aiohttp's `ClientRequest.send` (the body built and JSON-encoded, the request made);
- `socket`: the request's bytes handed to the socket (`_SelectorSocketTransport.write`).

Each stage is the time from one mark to the next; `check` is the tree's `interaction_check`
alone (summitbot only) and `frame → socket` the whole. Each process writes its medians (µs,
the first 100 samples dropped) to a JSON file when it exits; the report prints them side by
side, per command (`/quote`, `/glossary` and their bare twin `/ping`). Autocomplete and
context menus answer through other paths and are left out.
"""

from __future__ import annotations

import itertools
import json
import os
import runpy
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WARM = 100

#: The marks, in order; each stage is named after the two it lies between.
MARKS = ("frame", "parsed", "tree", "callback", "response", "request", "socket")


def _wrap(out: str, module: str, args: list[str]) -> None:
    """Run `python -m module args` with discord.py's stages marked; medians go to `out`."""
    import asyncio.selector_events as selector_events

    import aiohttp.client_reqrep as reqrep
    import discord.app_commands.commands as app_commands
    import discord.app_commands.tree as tree
    import discord.gateway as gateway
    import discord.interactions as interactions
    import discord.state as state

    marks: dict[str, float] = {}
    names: dict[str, str] = {}
    samples: dict[str, list[float]] = {}

    def note(key: str, seconds: float) -> None:
        samples.setdefault(key, []).append(seconds * 1e6)

    def first(mark: str) -> None:
        marks.setdefault(mark, time.perf_counter())

    def wrap_sync(owner: Any, name: str, mark: str) -> None:
        original = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            first(mark)
            return original(*a, **k)

        setattr(owner, name, wrapper)

    def wrap_async(owner: Any, name: str, mark: str) -> None:
        original = getattr(owner, name)

        async def wrapper(*a: Any, **k: Any) -> Any:
            first(mark)
            return await original(*a, **k)

        setattr(owner, name, wrapper)

    received = gateway.DiscordWebSocket.received_message

    async def frame(self: Any, msg: Any, /) -> Any:
        now = time.perf_counter()
        if "tree" not in marks or "socket" in marks:  # a new interaction may start here
            marks.clear()
            names.clear()
            marks["frame"] = now
        return await received(self, msg)

    gateway.DiscordWebSocket.received_message = frame  # type: ignore[method-assign]
    wrap_sync(state.ConnectionState, "parse_interaction_create", "parsed")
    called = tree.CommandTree._call

    async def call(self: Any, interaction: Any) -> Any:
        first("tree")
        data = interaction.data or {}
        options = " ".join(option.get("name", "?") for option in data.get("options") or [])
        names["command"] = f"{data.get('name', '?')} {options}".strip()
        return await called(self, interaction)

    tree.CommandTree._call = call  # type: ignore[method-assign]
    wrap_async(app_commands.Command, "_do_call", "callback")
    wrap_async(interactions.InteractionResponse, "send_message", "response")
    wrap_async(reqrep.ClientRequest, "send", "request")

    if module == "bot.cli":
        import bot.app

        checked = bot.app.SummitTree.interaction_check

        async def check(self: Any, interaction: Any, /) -> bool:
            started = time.perf_counter()
            result = await checked(self, interaction)
            if interaction.type.value == 2:  # a command, not autocomplete
                names["check"] = str(time.perf_counter() - started)
            return result

        bot.app.SummitTree.interaction_check = check  # type: ignore[method-assign]

    written = selector_events._SelectorSocketTransport.write

    def write(self: Any, data: Any) -> Any:
        if "request" in marks and "socket" not in marks:
            marks["socket"] = time.perf_counter()
            if all(mark in marks for mark in MARKS):
                command = f"/{names.get('command', '?')}"
                for a, b in itertools.pairwise(MARKS):
                    note(f"{command} {a} → {b}", marks[b] - marks[a])
                note(f"{command} frame → socket", marks["socket"] - marks["frame"])
                if "check" in names:
                    note(f"{command} check", float(names["check"]))
        return written(self, data)

    selector_events._SelectorSocketTransport.write = write  # type: ignore[method-assign]

    def dump(*_: object) -> None:
        medians = {k: round(statistics.median(v[WARM:]), 1) for k, v in samples.items() if v[WARM:]}
        Path(out).write_text(json.dumps(medians), encoding="utf-8")

    if module != "bot.cli":  # the bare bot has no shutdown of its own: dump, then exit
        signal.signal(signal.SIGTERM, lambda *_: (dump(), os._exit(0)))
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        dump()


def measure(iterations: int) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """The interactions bench's result and each bot's stage medians."""
    import bench.interactions as bench_interactions

    spawn = bench_interactions.spawn
    with tempfile.TemporaryDirectory(prefix="summitbot-stages-") as tmp:
        files = {"summitbot": Path(tmp) / "summitbot.json", "bare": Path(tmp) / "bare.json"}

        async def wrapped(args: list[str], token: str, **options: Any) -> Any:
            out = files["summitbot" if "bot.cli" in args else "bare"]
            command = ["-m", "bench.stages", "--wrap", str(out), *args[1:]]
            return await spawn(command, token, **options)

        bench_interactions.spawn = wrapped  # type: ignore[assignment]
        try:
            result = bench_interactions.run(iterations)
        finally:
            bench_interactions.spawn = spawn
        stages = {
            name: json.loads(path.read_text(encoding="utf-8")) for name, path in files.items()
        }
        return result, stages


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--wrap":
        _wrap(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    result, stages = measure(iterations)
    print(f"round trips, p50 ms ({iterations} of each interaction per bot)")
    for row in result["rows"]:
        summit, bare = row["summit"]["p50"], row["bare"]["p50"]
        print(f"  {row['interaction']:24s} {summit:6.3f} {bare:6.3f}  {row['p50_ratio']:.2f}×")
    print("stage medians, µs")
    print(f"  {'stage':36s} {'summitbot':>10s} {'bare':>10s}")
    for command, twin_command in (("/quote", "/ping"), ("/glossary term", "/ping word")):
        keys = [f"{a} → {b}" for a, b in itertools.pairwise(MARKS)]
        keys += ["check", "frame → socket"]
        for key in keys:
            value = stages["summitbot"].get(f"{command} {key}")
            twin = stages["bare"].get(f"{twin_command} {key}")
            cells = [f"{v:10.1f}" if v is not None else f"{'-':>10s}" for v in (value, twin)]
            print(f"  {command + ' ' + key:36s} {' '.join(cells)}")


if __name__ == "__main__":
    main()
