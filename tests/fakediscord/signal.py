"""Wake waiters when the fake's state changes, and wait until a condition on it holds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


class Signal:
    """`notify()` after a change; `wait_until(predicate, timeout)` re-checks on every change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> bool:
        """Whether `predicate` held before the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return True
