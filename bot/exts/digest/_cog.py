"""The ``Digest`` cog: the one owner of the digest service, and the listeners that keep its
jobs in step with the guilds this process holds.

``cog_load`` (inside ``setup_hook``, or on a reload) creates the
:class:`~bot.digest.service.DigestService` (scheduler, poster, catch-up, claim keeper, storage
retries) and starts it; ``cog_unload`` (an unload, a reload, or ``bot.close()``) stops it, so
no job or task of it outlives the cog. The cog is also the service's
:class:`~bot.digest.service.DigestHost`: readiness, the guild cache and the shard maths.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.digest.service import DigestService
from bot.exts.digest._commands import DigestCommands
from bot.exts.digest._engage import ThreadOpener
from bot.exts.digest._notify import NotifyButton
from bot.exts.digest._sender import DiscordSender
from bot.exts.mydigest._sender import DiscordDmSender
from bot.logs import log_context
from bot.store import GuildSettings, UserSettings

if TYPE_CHECKING:
    from bot.app import SummitBot

# The extension's logger keeps the name operators know from before it was a package.
log = logging.getLogger("bot.exts.digest")

__all__ = ["Digest"]


class Digest(DigestCommands, name="Digest"):
    """The daily quote: admin commands and scheduling."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self._service: DigestService | None = None

    # ------------------------------------------------------------------------- lifecycle

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(NotifyButton)
        if not self.bot.runtime:
            return  # `summitbot sync`: the commands only, no store or scheduler
        bot = self.bot
        settings = bot.settings.digest
        self._service = DigestService(
            bot.store,
            lambda: bot.catalog,
            DiscordSender(bot, after_post=ThreadOpener(bot, bot.store).after_post),
            self,
            rate_per_second=settings.global_rate_per_second,
            grace=dt.timedelta(hours=settings.misfire_grace_hours),
            lease=dt.timedelta(seconds=settings.claim_lease_seconds),
            on_result=lambda result: bot.metrics.digest_outcome(
                result.outcome.value, result.reason
            ),
            job_context=lambda guild_id: log_context(guild_id=guild_id),
            # Personal digests (/mydigest) by DM, on the same throttle as the guilds' posts.
            dm_sender=DiscordDmSender(bot),
        )
        await self._service.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotifyButton)
        if self._service is not None:
            await self._service.stop()

    # ------------------------------------------------------------ DigestHost for the service

    def is_ready(self) -> bool:
        return self.bot.is_ready()

    async def wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    def holds_guild(self, guild_id: int) -> bool:
        return self.bot.get_guild(guild_id) is not None

    async def held_settings(self) -> list[GuildSettings]:
        count, ids = self._shards()
        return await self.bot.store.list_enabled_settings(shard_count=count, shard_ids=ids)

    async def held_user_settings(self) -> list[UserSettings]:
        # Users are spread over processes by the guilds' shard formula applied to their id, so
        # each personal digest has one process scheduling it (claims make it exactly-once anyway).
        count, ids = self._shards()
        users = await self.bot.store.list_enabled_user_settings()
        if count is None or ids is None:
            return users
        held = set(ids)
        return [u for u in users if (u.user_id >> 22) % count in held]

    def _shards(self) -> tuple[int | None, list[int] | None]:
        """This process's (shard_count, shard_ids); (None, None) when it holds every guild."""
        count = self.bot.shard_count
        if count is None or count <= 1:
            return None, None
        if isinstance(self.bot, commands.AutoShardedBot):
            return count, self.bot.shard_ids
        shard_id = self.bot.shard_id
        return count, [shard_id] if shard_id is not None else None

    # ------------------------------------------------------------------------- listeners

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        if self._service is None:
            return
        if self._service.unschedule(guild.id):
            log.info("digest: left guild %d; unscheduled (settings kept)", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self._service is None:
            return
        settings = await self.bot.store.get_settings(guild.id)
        if settings is not None and self._service.schedule(settings):
            log.info("digest: rejoined guild %d; scheduled again", guild.id)
