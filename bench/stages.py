"""Where an interaction's time goes inside each bot: stage medians for summitbot and the bare bot.

    .venv/bin/python -m bench.stages [ITERATIONS]

Runs `bench.interactions` with both bot processes started through this module's `--wrap`
mode, which wraps discord.py's own functions (nothing in `bot/` changes) and records, per
interaction that answers through the interaction callback:

- `tree`: `parse_interaction_create` → `CommandTree._call` (dispatch and task start);
- `check`: the tree's `interaction_check` (summitbot only);
- `to_response`: `CommandTree._call` → `InteractionResponse.send_message` (check, option
  transformers, the callback);
- `callback`: `Command._do_call` → `send_message` (the command's own work);
- `to_socket`: `send_message` → aiohttp's `ClientRequest.send` (building and encoding the body).

Each process writes its medians (µs, the first 100 samples dropped) to a JSON file when it
exits; the report prints them side by side. Autocomplete answers through another path and is
left out.
"""

from __future__ import annotations

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


def _wrap(out: str, module: str, args: list[str]) -> None:
    """Run `python -m module args` with discord.py's stages timed; medians go to `out`."""
    import aiohttp.client_reqrep as reqrep
    import discord.app_commands.commands as app_commands
    import discord.app_commands.tree as tree
    import discord.interactions as interactions
    import discord.state as state

    marks: dict[str, Any] = {}
    samples: dict[str, list[float]] = {}

    def note(key: str, value: float) -> None:
        samples.setdefault(key, []).append(value * 1e6)

    def timed_sync(owner: Any, name: str, mark: str) -> None:
        original = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            marks[mark] = time.perf_counter()
            return original(*a, **k)

        setattr(owner, name, wrapper)

    def timed_async(owner: Any, name: str, mark: str) -> None:
        original = getattr(owner, name)

        async def wrapper(*a: Any, **k: Any) -> Any:
            marks[mark] = time.perf_counter()
            return await original(*a, **k)

        setattr(owner, name, wrapper)

    timed_sync(state.ConnectionState, "parse_interaction_create", "parse")
    original_call = tree.CommandTree._call

    async def call(self: Any, interaction: Any) -> Any:
        marks["call"] = time.perf_counter()
        marks["name"] = (interaction.data or {}).get("name", "?")
        return await original_call(self, interaction)

    tree.CommandTree._call = call  # type: ignore[method-assign]
    timed_async(app_commands.Command, "_do_call", "do_call")
    timed_async(interactions.InteractionResponse, "send_message", "respond")

    original_check = tree.CommandTree.interaction_check

    async def check(self: Any, interaction: Any, /) -> bool:
        started = time.perf_counter()
        result = await original_check(self, interaction)
        note("check", time.perf_counter() - started)
        return result

    if module == "bot.cli":
        import bot.app

        original_check = bot.app.SummitTree.interaction_check
        bot.app.SummitTree.interaction_check = check  # type: ignore[method-assign]

    original_send = reqrep.ClientRequest.send

    async def send(self: Any, conn: Any) -> Any:
        now = time.perf_counter()
        if "/callback" in self.url.path and all(k in marks for k in ("parse", "call", "respond")):
            for suffix in ("", f" {marks['name']}"):
                note("tree" + suffix, marks["call"] - marks["parse"])
                note("to_response" + suffix, marks["respond"] - marks["call"])
                if "do_call" in marks:
                    note("callback" + suffix, marks["respond"] - marks["do_call"])
                note("to_socket" + suffix, now - marks["respond"])
        marks.clear()
        return await original_send(self, conn)

    reqrep.ClientRequest.send = send  # type: ignore[method-assign]

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


def measure(iterations: int) -> dict[str, dict[str, float]]:
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
            bench_interactions.run(iterations)
        finally:
            bench_interactions.spawn = spawn
        return {name: json.loads(path.read_text(encoding="utf-8")) for name, path in files.items()}


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--wrap":
        _wrap(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    result = measure(iterations)
    print(f"stage medians (µs), per command and over all ({iterations} each)")
    print(f"{'stage':28s} {'summitbot':>10s} {'bare':>10s}")
    stages = sorted({*result["summitbot"], *result["bare"]})
    for stage in stages:
        row = [result[name].get(stage) for name in ("summitbot", "bare")]
        cells = (f"{v:10.1f}" if v is not None else f"{'-':>10s}" for v in row)
        print(f"{stage:28s} " + " ".join(cells))


if __name__ == "__main__":
    main()
