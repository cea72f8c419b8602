"""A burst on one "who said it?" round: 200 presses by 200 people within 10 s.

The real bot runs as its own process (`summitbot run`, real pack) against a `FakeDiscord` in
this process. One `/whosaid play` round is posted; then a press every 50 ms, each by another
member (200 in 10 s), without waiting for the answers. Measured: each press's time to its
first response (INTERACTION_CREATE sent → callback accepted, real ms; Discord's deadline is
3 s), how long after the last press the round's counter shows 200, how many edits that took
and whether any met a 429.

    .venv/bin/python -m bench.whosaid
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import REPO, summary
from bench.interactions import _ready, _start_summitbot, _stop

PRESSES = 200
SPACING = 0.05  # seconds between presses: 200 in 10 s


async def measure(presses: int = PRESSES, spacing: float = SPACING) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.fakediscord import FakeDiscord

    with tempfile.TemporaryDirectory(prefix="summitbot-whosaid-") as tmp:
        async with FakeDiscord() as fake:
            bot = await _start_summitbot(fake, Path(tmp))
            try:
                await _ready(bot)
                guild = bot.guild
                users = [fake.add_user(f"player-{n}") for n in range(presses)]
                for user in users:
                    fake.add_member(guild, user, dispatch=False)
                round_ = await fake.slash(guild, None, "alice", "whosaid play")
                message = round_.message
                choices = round_.custom_ids()
                results = []
                started = time.perf_counter()
                for n, user in enumerate(users):
                    results.append(
                        await fake.click(message, choices[n % len(choices)], user, wait=False)
                    )
                    await asyncio.sleep(spacing)
                burst_s = time.perf_counter() - started
                await asyncio.gather(*(r.wait_response(timeout=10) for r in results))
                last_press = time.perf_counter()
                deadline = last_press + 30
                while message.embeds[0]["fields"][0]["value"] != str(presses):
                    if time.perf_counter() > deadline:
                        break
                    await asyncio.sleep(0.05)
                settled_s = time.perf_counter() - last_press
                edits = [
                    r
                    for r in fake.requests
                    if r.method == "PATCH"
                    and r.template
                    and r.template.endswith("/messages/{message_id}")
                ]
                answered = [r.elapsed_ms for r in results if r.elapsed_ms is not None]
                return {
                    "presses": presses,
                    "burst_s": burst_s,
                    "answered": len(answered),
                    "first_response_ms": summary(answered),
                    "within_3s": sum(1 for ms in answered if ms <= 3000),
                    "counter": message.embeds[0]["fields"][0]["value"],
                    "counter_settled_s": settled_s,
                    "edits": len(edits),
                    "edit_429s": sum(1 for r in edits if r.status == 429),
                    "rate_limited": dict(fake.stats.rate_limited),
                    "violations": [str(v) for v in fake.take_violations()],
                }
            finally:
                await _stop(bot.proc)


def run(presses: int = PRESSES) -> dict[str, Any]:
    return asyncio.run(measure(presses))


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else PRESSES), indent=1))
