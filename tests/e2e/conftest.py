"""The real bot, unmodified, connected to the local fake Discord: the end-to-end harness.

`summit` gives a running bot in one guild (zh-CN) with a second guild (en-US), admins and members,
commands synced to the dev guild, a fresh SQLite file and the real content pack.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

import bot.digest.poster as poster_module
from bot.app import SummitBot, create_bot
from bot.config import Settings, load_settings
from bot.digest.service import DigestService
from bot.ops.health import digest_service
from bot.store import Store
from tests.fakediscord import Channel, FakeDiscord, Guild, User, run_client

#: discord.py's Manage Server permission bit.
MANAGE_GUILD = 1 << 5


async def _no_identify_pacing(shard_id: int | None, *, initial: bool = False) -> None:
    """Skip discord.py's identify pacing (5 s between shards) so tests stay quick."""


def write_settings(
    tmp_path: Path, fake: FakeDiscord, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> Settings:
    """Settings pointed at the fake, loaded through the real config loader."""
    data: dict[str, dict[str, Any]] = {
        "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url},
        "database": {"path": str(tmp_path / "summitbot.db")},
    }
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_settings(path, env={"DISCORD_TOKEN": fake.token})


def service(bot: SummitBot) -> DigestService:
    """The digest service the bot's Digest cog owns (scheduler, poster, tasks)."""
    found = digest_service(bot)
    assert found is not None, "the digest extension is not loaded"
    return found


def bot_posts(fake: FakeDiscord, channel: Channel) -> list[Any]:
    """The bot's own messages in a channel (the digest posts)."""
    return [m for m in fake.channel_messages(channel) if m.author.id == fake.bot_user.id]


async def seed_digests(
    settings: Settings,
    guilds: Iterable[Guild],
    *,
    post_time: dt.time,
    zone: str,
    language: Literal["zh", "en"] = "en",
) -> None:
    """Enable the daily digest (first text channel) for `guilds` in the bot's database."""
    store = await Store.open(settings.database.path)
    try:
        await store.migrate()
        for guild in guilds:
            await store.upsert_settings(
                guild.id,
                channel_id=guild.text_channels[0].id,
                post_time=post_time,
                timezone=zone,
                language=language,
            )
    finally:
        await store.close()


#: The fake sends every GUILD_CREATE right after READY, so discord.py need not wait its default
#: 2 s for more before it dispatches on_ready.
GUILD_READY_TIMEOUT = 0.05


def build_bot(settings: Settings, *, runtime: bool = True) -> SummitBot:
    """`create_bot`, with identify pacing removed and a short wait for guilds after READY."""
    bot = create_bot(settings, runtime=runtime, guild_ready_timeout=GUILD_READY_TIMEOUT)
    bot.before_identify_hook = _no_identify_pacing  # type: ignore[method-assign]
    return bot


class VirtualClock:
    """The digest's clock; the test sets ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    """The digest poster's clock, starting at the real now; tests move it."""
    virtual = VirtualClock(dt.datetime.now(dt.UTC))
    monkeypatch.setattr(poster_module, "wall_clock", virtual)
    return virtual


@dataclass
class Summit:
    fake: FakeDiscord
    bot: SummitBot
    settings: Settings
    guild: Guild
    channel: Channel
    other_guild: Guild
    admin: User
    member: User
    extra: dict[str, Any] = field(default_factory=dict)

    async def slash(self, name: str, options: Mapping[str, object] | None = None, **kw: Any) -> Any:
        user = kw.pop("user", self.member)
        guild = kw.pop("guild", self.guild)
        channel = kw.pop("channel", self.channel if guild is self.guild else guild.text_channels[0])
        return await self.fake.slash(guild, channel, user, name, options, **kw)

    async def autocomplete(
        self, name: str, options: Mapping[str, object], focused: str, **kw: Any
    ) -> list[dict[str, Any]]:
        user = kw.pop("user", self.member)
        return await self.fake.autocomplete(
            self.guild, self.channel, user, name, options, focused, **kw
        )


async def settle_ready(bot: SummitBot) -> None:
    """Let a running bot dispatch `on_ready` before it is closed.

    discord.py dispatches it `guild_ready_timeout` after the last GUILD_CREATE, and `close()`
    does not cancel that wait: a bot closed sooner dispatches `on_ready` into no event loop
    ("coroutine 'Client._run_event' was never awaited"). A bot that never gets ready (its
    connection cut by the test) is closed anyway after a second.
    """
    if not bot.is_closed():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.wait_until_ready(), 1.0)


@contextlib.asynccontextmanager
async def running_summit(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> AsyncIterator[Summit]:
    """Start the real bot against `fake` with two guilds; stop it on exit."""
    admin = fake.add_user("ada-admin")
    member = fake.add_user("mo-member")
    guild = fake.add_guild("Summit HQ", locale="zh-CN", channels=["general", "daily"])
    other = fake.add_guild("Elsewhere", locale="en-US", channels=["lobby"])
    for g in (guild, other):
        fake.add_member(g, member, dispatch=False)
        fake.add_member(g, admin, permissions=MANAGE_GUILD, dispatch=False)
    merged: dict[str, dict[str, Any]] = {"discord": {"dev_guild_id": guild.id}}
    for section, values in (overrides or {}).items():
        merged.setdefault(section, {}).update(values)
    settings = write_settings(tmp_path, fake, merged)
    bot = build_bot(settings)
    async with run_client(bot, fake):
        yield Summit(fake, bot, settings, guild, guild.text_channels[0], other, admin, member)
        await settle_ready(bot)


@contextlib.asynccontextmanager
async def restarted(summit: Summit) -> AsyncIterator[SummitBot]:
    """Stop the running bot and run a new one (a new process's worth of state) on the same
    database and fake Discord, until the block ends.

    Both bots are closed only after their `on_ready` (`settle_ready`).
    """
    await settle_ready(summit.bot)
    await summit.bot.close()
    bot = build_bot(summit.settings)
    async with run_client(bot, summit.fake):
        yield bot
        await settle_ready(bot)


@pytest.fixture
async def summit(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Summit]:
    async with running_summit(fake_discord, tmp_path) as running:
        yield running


@pytest.fixture
async def killer() -> AsyncIterator[list[Any]]:
    """Processes (`test_ops_process.Process`) a test started; killed at teardown if the test
    left them running."""
    started: list[Any] = []
    yield started
    for process in started:
        if process.proc.returncode is None:
            process.proc.kill()
            await process.proc.wait()
