"""Discord snowflakes: ids that encode a timestamp, and the shard a guild id lands on."""

from __future__ import annotations

import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


def shard_for(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events: ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


class SnowflakeFactory:
    """Monotonically increasing snowflakes from the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild events go to ``shard_id`` of ``shard_count``."""
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is outside 0..{shard_count - 1}")
        candidate = self.next()
        ms = candidate >> 22
        ms += (shard_id - ms % shard_count) % shard_count
        value = (ms << 22) | (candidate & ((1 << 22) - 1))
        self._last = value
        return value
