"""Virtual time for fan-out tests: many tasks sleep, and time jumps instead of passing."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from typing import Any


class VirtualTime:
    """A clock and a sleep for many tasks: sleeping parks a task until ``run`` moves time on."""

    def __init__(self, *, real_pause: float = 0.0) -> None:
        #: Real seconds to yield each round, for tasks that also wait on a thread (aiosqlite).
        self.real_pause = real_pause
        self.now = 0.0
        self._order = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    def _parked(self) -> int:
        return sum(not future.done() for _, _, future in self._sleepers)

    async def run(
        self, tasks: list[asyncio.Task[Any]], *, until: Callable[[], bool] | None = None
    ) -> None:
        """Let the tasks run; whenever they are all asleep, jump to the earliest wake-up.

        With ``real_pause``, tasks may also be waiting on a thread (the store): time stands
        still until every task is asleep here or done (bounded, so a task blocked on something
        else cannot hang the test), as if that work took no time.
        """
        while not all(task.done() for task in tasks):
            if until is not None and until():
                return
            for _ in range(3):  # a woken task needs a loop turn or two to reach its next sleep
                await asyncio.sleep(0)
            if self.real_pause:
                for _ in range(2_000):
                    await asyncio.sleep(self.real_pause)
                    if self._parked() + sum(t.done() for t in tasks) >= len(tasks):
                        break
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                if future.done():
                    continue  # its task was cancelled while asleep
                self.now = max(self.now, wake)
                future.set_result(None)


def max_in_window(times: list[float], window: float = 1.0 - 1e-9) -> int:
    """The most events inside any window [t, t + window) (a hair under a second: slot times are
    floats, and a slot exactly one second after another belongs to the next window)."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best
