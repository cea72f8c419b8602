"""Guilds by the hundred thousand: described by a formula, built only when something looks.

``fake.add_generated_guilds(100_000)`` stores one :class:`GeneratedGuilds` (a few integers),
not 100,000 guilds. Every id is derived from the guild's index, so any id the bot sends back
(a guild, one of its channels or roles) leads to its guild without a table:

- guild ``i`` has the snowflake whose timestamp is ``base_ms + i`` and whose low 22 bits are 0,
  so consecutive guilds land on consecutive shards (``(id >> 22) % shard_count``), and the
  timestamps lie in 2016, before any id :class:`~.snowflake.SnowflakeFactory` hands out;
- its ``k``-th channel is ``guild_id + 1 + k``; @everyone is ``guild_id`` (as on Discord); the
  bot's role is ``guild_id + BOT_ROLE``.

A guild's GUILD_CREATE is built on the fly from a transient :class:`~.state.Guild` (a few
channels and roles, the bot and the owner as members) and dropped after sending. The first
REST call that touches a generated guild (a message to its channel, a GET of its roles)
*materializes* it: the same objects, registered in ``fake.guilds`` / ``fake.channels``, and from
then on an ordinary guild tests can change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from . import permissions as perms
from .snowflake import DISCORD_EPOCH_MS
from .state import Channel, Guild, Member, Role, User

#: Timestamp (ms since the Discord epoch) of the first generated guild: 2016-01-01.
GENERATED_EPOCH_MS = int(datetime(2016, 1, 1, tzinfo=UTC).timestamp() * 1000) - DISCORD_EPOCH_MS
LOW_BITS = (1 << 22) - 1
BOT_ROLE = 1000
MAX_CHANNELS = 50

V = TypeVar("V")


@dataclass(frozen=True)
class GeneratedGuilds:
    """``count`` guilds named ``f"{prefix} {i}"`` with the same channels, locale and
    permissions; guild ``i``'s ids follow from ``i`` (see the module docstring)."""

    base_ms: int
    count: int
    bot: User
    owner: User
    prefix: str = "Guild"
    channels: tuple[str, ...] = ("general", "daily")
    locale: str = "en-US"
    bot_permissions: int = perms.DEFAULT_BOT
    everyone_permissions: int = perms.DEFAULT_EVERYONE

    def __post_init__(self) -> None:
        if not 0 < len(self.channels) <= MAX_CHANNELS:
            raise ValueError(f"a generated guild has 1..{MAX_CHANNELS} channels")

    @property
    def end_ms(self) -> int:
        return self.base_ms + self.count

    def guild_id(self, index: int) -> int:
        return (self.base_ms + index) << 22

    def channel_id(self, index: int, name: str) -> int:
        return self.guild_id(index) + 1 + self.channels.index(name)

    def index_of(self, snowflake: int) -> int | None:
        """The index of the guild ``snowflake`` (guild, channel or role id) belongs to."""
        index = (snowflake >> 22) - self.base_ms
        if not 0 <= index < self.count:
            return None
        low = snowflake & LOW_BITS
        if low == 0 or low == BOT_ROLE or 1 <= low <= len(self.channels):
            return index
        return None

    def indices_on_shard(self, shard_id: int, shard_count: int) -> range:
        first = (shard_id - self.base_ms) % shard_count
        return range(first, self.count, shard_count)

    def build(self, index: int) -> Guild:
        """Guild ``index`` as fresh objects (registered nowhere)."""
        gid = self.guild_id(index)
        guild = Guild(gid, f"{self.prefix} {index}", self.owner.id, preferred_locale=self.locale)
        guild.roles[gid] = Role(gid, gid, "@everyone", self.everyone_permissions, position=0)
        bot_role = Role(gid + BOT_ROLE, gid, self.bot.username, self.bot_permissions, 1, True)
        guild.roles[bot_role.id] = bot_role
        for position, name in enumerate(self.channels):
            cid = gid + 1 + position
            guild.channels[cid] = Channel(cid, name, guild_id=gid, position=position)
        guild.members[self.bot.id] = Member(self.bot, gid, roles=[bot_role.id])
        guild.members[self.owner.id] = Member(self.owner, gid)
        return guild


class LazyTable(dict[int, V]):
    """A dict that asks ``load(key)`` for a key it does not hold (and keeps the answer).

    ``fake.guilds`` and ``fake.channels`` are these, so every lookup the REST API and the
    helpers make by id finds a generated guild or channel, materializing it. Iteration shows
    only what is materialized.
    """

    def __init__(self, load: Callable[[int], V | None]) -> None:
        super().__init__()
        self._load = load

    def __missing__(self, key: int) -> V:
        value = self._load(key) if isinstance(key, int) else None
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: int, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, int) and self._load(key) is not None
        )


class Generated:
    """Every generated range of one fake, and which of their guilds are gone or materialized."""

    def __init__(self) -> None:
        self.ranges: list[GeneratedGuilds] = []
        #: Guild ids materialized (now in ``fake.guilds``) or removed: never generated again.
        self.taken: set[int] = set()

    def next_base(self) -> int:
        return self.ranges[-1].end_ms if self.ranges else GENERATED_EPOCH_MS

    def add(self, guilds: GeneratedGuilds) -> None:
        self.ranges.append(guilds)

    def find(self, snowflake: int) -> tuple[GeneratedGuilds, int] | None:
        """The range and index of the untaken generated guild that ``snowflake`` belongs to."""
        for guilds in self.ranges:
            index = guilds.index_of(snowflake)
            if index is not None:
                if guilds.guild_id(index) in self.taken:
                    return None
                return guilds, index
        return None

    def on_shard(self, shard_id: int, shard_count: int) -> Iterator[Guild]:
        """Fresh objects for the untaken generated guilds on a shard, in id order."""
        for guilds in self.ranges:
            for index in guilds.indices_on_shard(shard_id, shard_count):
                if guilds.guild_id(index) not in self.taken:
                    yield guilds.build(index)

    def count_on_shard(self, shard_id: int, shard_count: int) -> int:
        total = sum(len(g.indices_on_shard(shard_id, shard_count)) for g in self.ranges)
        return total - sum(1 for gid in self.taken if self.owns(gid, shard_id, shard_count))

    def owns(self, guild_id: int, shard_id: int, shard_count: int) -> bool:
        return (guild_id >> 22) % shard_count == shard_id and any(
            g.index_of(guild_id) is not None for g in self.ranges
        )

    def count(self) -> int:
        return sum(g.count for g in self.ranges) - len(self.taken)
