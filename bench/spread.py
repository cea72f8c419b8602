"""Digest settings for many guilds: zones and local times from a realistic spread (seeded),
every guild due in one minute, or every guild's post missed a little while ago."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

SEED = 20261201
#: Catch-up: posts fell due between these many minutes before the bot starts.
MISSED_WINDOW_MIN = (10, 120)

#: Where the guilds are (IANA zone, weight): the bot's audience follows AI summits, mostly
#: in China, the US and Europe.
ZONES: tuple[tuple[str, int], ...] = (
    ("Asia/Shanghai", 22),
    ("America/New_York", 12),
    ("America/Los_Angeles", 9),
    ("America/Chicago", 4),
    ("America/Sao_Paulo", 3),
    ("Europe/London", 7),
    ("Europe/Berlin", 8),
    ("Europe/Paris", 4),
    ("Europe/Moscow", 2),
    ("Asia/Tokyo", 5),
    ("Asia/Seoul", 3),
    ("Asia/Singapore", 3),
    ("Asia/Hong_Kong", 2),
    ("Asia/Taipei", 2),
    ("Asia/Kolkata", 5),
    ("Australia/Sydney", 2),
    ("UTC", 7),
)
#: Local hours people pick for a daily post (weight), mornings first.
HOURS: tuple[tuple[int, int], ...] = (
    (7, 6),
    (8, 14),
    (9, 30),
    (10, 12),
    (11, 4),
    (12, 8),
    (13, 3),
    (14, 3),
    (17, 3),
    (18, 5),
    (20, 5),
    (21, 4),
    (22, 3),
)


# --------------------------------------------------------------------------- settings spread


def _pick(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _post_time(rng: random.Random) -> dt.time:
    """A local time as people set them: mostly on the hour, some on the half hour, a few odd."""
    hour = _pick(rng, HOURS)
    roll = rng.random()
    minute = 0 if roll < 0.65 else 30 if roll < 0.9 else rng.choice((15, 45, 5, 10, 50))
    return dt.time(hour, minute)


def spread(count: int, seed: int = SEED) -> list[tuple[str, dt.time]]:
    """(zone, local time) for each of ``count`` guilds, drawn from the realistic spread."""
    rng = random.Random(seed)
    return [(_pick(rng, ZONES), _post_time(rng)) for _ in range(count)]


def same_instant(count: int, instant: dt.datetime, seed: int = SEED) -> list[tuple[str, dt.time]]:
    """Every guild due at ``instant``: zones from the spread, each at that minute's local time."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        zone = _pick(rng, ZONES)
        local = instant.astimezone(_zone(zone))
        out.append((zone, dt.time(local.hour, local.minute)))
    return out


def missed(count: int, now: dt.datetime, seed: int = SEED) -> list[tuple[str, dt.time]]:
    """Every guild's post due between MISSED_WINDOW_MIN minutes before ``now``."""
    rng = random.Random(seed)
    low, high = MISSED_WINDOW_MIN
    out = []
    for _ in range(count):
        zone = _pick(rng, ZONES)
        due = now - dt.timedelta(minutes=rng.randint(low, high))
        local = due.astimezone(_zone(zone))
        out.append((zone, dt.time(local.hour, local.minute)))
    return out


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def guild_settings(pairs: Sequence[tuple[str, dt.time]], *, first_id: int = 1) -> list[Any]:
    from bot.store import GuildSettings

    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        GuildSettings(
            guild_id=first_id + i,
            channel_id=first_id + i + 1,
            post_time=post_time,
            timezone=zone,
            language="en",
            enabled=True,
            disabled_reason=None,
            disabled_at=None,
            created_at=stamp,
            updated_at=stamp,
        )
        for i, (zone, post_time) in enumerate(pairs)
    ]
