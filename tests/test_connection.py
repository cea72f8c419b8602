"""bot/connection.py: the backoff between attempts to reach Discord."""

from __future__ import annotations

import random

from bot.connection import Backoff


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=60.0)
    rng = random.Random(1)
    for attempt in range(1, 40):
        ceiling = min(60.0, 2.0 ** (attempt - 1))
        delays = [backoff.delay(attempt, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), attempt
        assert len(set(delays)) > 1  # jittered: bots restarting together spread out


def test_backoff_is_reproducible_with_a_seeded_rng() -> None:
    backoff = Backoff(base=0.5, cap=4.0)
    first = [backoff.delay(n, random.Random(3)) for n in range(1, 6)]
    again = [backoff.delay(n, random.Random(3)) for n in range(1, 6)]
    assert first == again
    assert max(first) <= 4.0
