"""An async rate limiter for the digest fan-out: at most ``rate`` requests per second overall.

Discord allows a bot 50 requests per second in total. When a thousand guilds are due in the same
minute every post would otherwise go out at once and most would come back as global 429s, so
each send first takes a slot from one shared :class:`Throttle`.

It is a virtual-scheduling (GCRA) limiter: each caller reserves the next free slot the moment it
asks and sleeps until then, so callers are served in arrival order, no lock is held while
sleeping, and two slots are never closer than ``1 / rate`` seconds apart unless ``burst`` allows
it. ``burst=1`` (the default) therefore never puts more than ``rate`` sends in any one-second
window, which is what a fixed-window limiter like Discord's counts. Clock and sleep are
injectable so the tests count slots in virtual time. No discord import.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["Throttle"]


class Throttle:
    """Hands out at most ``rate`` slots per second (``burst`` of them may come back to back)."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        # The theoretical arrival time of the next slot is ``_anchor + _count / rate``: computed
        # by multiplication, not repeated addition, so float error never squeezes an extra slot
        # into a window. Re-anchored whenever the throttle has been idle.
        self._anchor = float("-inf")
        self._count = 0
        self._last_release = float("-inf")

    def reserve(self) -> float:
        """Reserve the next slot; return how many seconds from now it starts (0: right away)."""
        now = self._clock()
        tat = self._anchor + self._count / self.rate
        if tat <= now:
            self._anchor, self._count, tat = now, 0, now
        slot = max(now, tat - (self.burst - 1) / self.rate)
        self._count += 1
        return slot - now

    async def acquire(self) -> float:
        """Wait for a slot; return how long the caller waited (seconds).

        The same as :meth:`wait_turn` followed at once by :meth:`space`.
        """
        return await self.wait_turn() + await self.space()

    async def wait_turn(self) -> float:
        """Reserve the next slot and sleep until it starts; return the seconds waited.

        A caller with work to do between its turn and its request (the digest claims its date
        only now, so nothing queued is ever claimed) calls :meth:`space` right before the
        request.
        """
        waited = self.reserve()
        if waited > 0:
            await self._sleep(waited)
        return waited

    async def space(self) -> float:
        """Keep one interval from the previous release; return the seconds waited.

        Slots are reserved ahead, but a loop busy with other work wakes sleepers late (and a
        caller may do some work after its turn), and callers whose slots passed meanwhile would
        then go out back to back: a burst that a fixed-window limiter counts against us. So
        (with ``burst=1``) each release also keeps one interval from the previous *actual*
        release, claimed before sleeping so that two late sleepers can't take the same instant.
        """
        if self.burst != 1:
            return 0.0
        now = self._clock()
        release = max(now, self._last_release + self._interval)
        self._last_release = release
        if release > now:
            await self._sleep(release - now)
            return release - now
        return 0.0

    async def __aenter__(self) -> Throttle:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
