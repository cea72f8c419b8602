"""The digest fan-out throttle, counted in virtual time (no test waits for the wall clock)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest

from bot.digest.throttle import Throttle
from tests.digest.virtual_time import VirtualTime, max_in_window


async def fan_out(throttle: Throttle, vt: VirtualTime, callers: int) -> list[float]:
    granted: list[float] = []

    async def caller() -> None:
        await throttle.acquire()
        granted.append(vt.now)

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    await vt.run(tasks)
    return granted


async def test_thousand_callers_at_once_never_exceed_the_rate() -> None:
    vt = VirtualTime()
    throttle = Throttle(50, clock=vt.clock, sleep=vt.sleep)
    granted = await fan_out(throttle, vt, 1000)
    assert len(granted) == 1000
    assert max_in_window(granted) == 50
    # Close to the floor: 1000 slots at 50/s end just under 20 s after the first.
    assert granted[-1] == pytest.approx(999 / 50)
    per_second = Counter(int(t + 1e-9) for t in granted)
    assert set(per_second.values()) == {50}


async def test_slots_are_granted_in_arrival_order() -> None:
    vt = VirtualTime()
    throttle = Throttle(10, clock=vt.clock, sleep=vt.sleep)
    order: list[int] = []

    async def caller(n: int) -> None:
        await throttle.acquire()
        order.append(n)

    tasks = [asyncio.create_task(caller(n)) for n in range(30)]
    await vt.run(tasks)
    assert order == list(range(30))


async def test_idle_time_does_not_bank_a_burst() -> None:
    vt = VirtualTime()
    throttle = Throttle(50, clock=vt.clock, sleep=vt.sleep)
    await fan_out(throttle, vt, 10)
    vt.now += 60.0  # a quiet minute
    start = vt.now
    granted = await fan_out(throttle, vt, 200)
    assert max_in_window(granted) == 50
    assert granted[0] == start
    assert granted[-1] == pytest.approx(start + 199 / 50)


async def test_burst_lets_that_many_through_at_once_then_paces() -> None:
    vt = VirtualTime()
    throttle = Throttle(10, burst=5, clock=vt.clock, sleep=vt.sleep)
    granted = await fan_out(throttle, vt, 25)
    assert granted[:5] == [0.0] * 5
    gaps = [b - a for a, b in itertools.pairwise(granted[4:])]
    assert all(g == pytest.approx(0.1) for g in gaps)
    # A burst of B at rate r allows r + B - 1 in the first second.
    assert max_in_window(granted) == 10 + 5 - 1


async def test_reserve_reports_the_wait_and_a_free_throttle_does_not_sleep() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(4, clock=lambda: now[0], sleep=sleep)
    assert throttle.reserve() == 0.0
    assert throttle.reserve() == pytest.approx(0.25)  # reserved ahead: callers queue up
    now[0] += 10.0
    assert await throttle.acquire() == 0.0
    assert slept == []
    assert await throttle.acquire() == pytest.approx(0.25)
    assert slept == [pytest.approx(0.25)]


async def test_a_late_wake_up_does_not_bunch_the_next_callers() -> None:
    """A busy loop wakes sleepers late and together; releases still stay one interval apart."""

    class StallingTime(VirtualTime):
        async def sleep(self, seconds: float) -> None:
            # The loop is busy from 0.3 s to 0.6 s: whoever was due meanwhile wakes at 0.6 s.
            target = self.now + seconds
            await super().sleep((0.6 if 0.3 <= target < 0.6 else target) - self.now)

    vt = StallingTime()
    throttle = Throttle(10, clock=vt.clock, sleep=vt.sleep)
    released: list[float] = []

    async def caller() -> None:
        await throttle.acquire()
        released.append(vt.now)

    tasks = [asyncio.create_task(caller()) for _ in range(20)]
    await vt.run(tasks)
    gaps = [b - a for a, b in itertools.pairwise(sorted(released))]
    assert min(gaps) >= 0.1 - 1e-9


async def test_context_manager_takes_a_slot() -> None:
    vt = VirtualTime()
    throttle = Throttle(2, clock=vt.clock, sleep=vt.sleep)
    times: list[float] = []

    async def caller() -> None:
        async with throttle:
            times.append(vt.now)

    tasks = [asyncio.create_task(caller()) for _ in range(4)]
    await vt.run(tasks)
    assert times == [0.0, 0.5, 1.0, 1.5]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (5, 0)])
def test_rejects_nonsense(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        Throttle(rate, burst=burst)
