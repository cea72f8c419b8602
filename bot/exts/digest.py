"""`/digest` (set, off, status, preview, now): the daily quote, for server admins; plus the
wiring that keeps the scheduler in step with the database and the guilds this process holds.

Lifecycle: ``cog_load`` (inside ``setup_hook``) registers the poster as ``bot.digest_poster``,
takes this process's claim lease, rebuilds the scheduler's jobs from the database for this
process's shards, and starts a task that waits for the gateway to be ready and then makes the
posts missed while the bot was down, plus a task that renews the lease and sweeps claims left
by dead processes (or by a failed record of our own) for the guilds this process holds.
Jobs follow ``/digest set``/``off``, a post that disables the digest, and guilds joining or
leaving. The posting itself lives in :mod:`bot.digest.poster`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.catalog.models import Lang
from bot.digest.due import (
    PostTimeError,
    format_post_time,
    next_due,
    next_n_due,
    parse_post_time,
    resolve_timezone,
    suggest_post_times,
    suggest_timezones,
    zone,
)
from bot.digest.poster import DigestPoster, DiscordSender, PostOutcome, PostResult
from bot.digest.throttle import Throttle
from bot.exts._shared import MAX_CHOICES, NO_MENTIONS, lang_of, refuse, reply_private
from bot.i18n import lang_for_locale, t
from bot.store import DisableReason, GuildSettings, PostRecord, PostStatus, StoreError
from bot.ui.text import echo

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger(__name__)

__all__ = ["Digest", "message_link", "setup"]

#: What the bot needs in the digest channel. Read Message History: after a crash mid-send the
#: bot looks for the post in the channel; without it Discord answers with no messages at all.
REQUIRED_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")

#: Seconds between tries of a scheduled post the database refused (read-only, full, locked);
#: the last delay repeats. Tries stop once the post's grace period is over.
STORAGE_RETRY_DELAYS = (30.0, 60.0, 120.0, 300.0, 600.0)

#: Reason codes `/digest status` knows how to say in words (see bot.digest.poster).
_REASON_WORDS = frozenset(
    {r.value for r in DisableReason}
    | {
        "missed",
        "interrupted",
        "unverified",
        "no_history",
        "no_quotes",
        "server_error",
        "rejected",
    }
)


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def timestamp(instant: dt.datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone and language."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def reason_words(reason: str | None, lang: Lang) -> str:
    """A post-log or disable reason (``"<code>: detail"``) in words."""
    if not reason:
        return t("digest.reasons.unknown", lang, reason="?")
    code = reason.split(":", 1)[0].strip()
    if code in _REASON_WORDS:
        return t(f"digest.reasons.{code}", lang)
    return t("digest.reasons.unknown", lang, reason=echo(reason, 200))


def _zone_label(name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zone(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


def _guild_lang(interaction: discord.Interaction[SummitBot]) -> Lang:
    """The default post language: the server's preferred locale."""
    locale = interaction.guild_locale
    if locale is None and interaction.guild is not None:
        locale = interaction.guild.preferred_locale
    return lang_for_locale(locale)


#: Digest sends are paced this far under `digest.global_rate_per_second`: at exactly the ceiling,
#: the 51st request of a second arrives within network jitter of the window's end and is refused
#: half the time (measured: 16-18 global 429s per 1,000 posts); 4 % leaves ~40 ms of headroom.
PACING = 0.96


class Digest(commands.Cog):
    """The daily quote: admin commands and scheduling."""

    digest = app_commands.Group(
        name="digest",
        description="Set up the daily quote post in this server (admins)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self._poster: DigestPoster | None = None
        #: The startup task (wait for READY, then catch up); tests await it.
        self.startup: asyncio.Task[list[PostResult]] | None = None
        #: Scheduled posts waiting for the database to take writes again, by guild.
        self.storage_retries: dict[int, asyncio.Task[None]] = {}
        #: How a storage retry waits (tests replace it to drive the retries).
        self.sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        #: Renews the claim lease and sweeps abandoned claims while the bot runs.
        self.keeper: asyncio.Task[None] | None = None

    @property
    def poster(self) -> DigestPoster:
        if self._poster is None:
            raise RuntimeError("the digest poster exists in runtime mode only (not for sync)")
        return self._poster

    # ------------------------------------------------------------------------- lifecycle

    async def cog_load(self) -> None:
        if not self.bot.runtime:
            return  # `summitbot sync`: the commands only, no store or scheduler
        settings = self.bot.settings.digest
        bot = self.bot
        self._poster = DigestPoster(
            bot.store,
            lambda: bot.catalog,
            DiscordSender(bot),
            throttle=Throttle(settings.global_rate_per_second * PACING),
            grace=dt.timedelta(hours=settings.misfire_grace_hours),
            lease=dt.timedelta(seconds=settings.claim_lease_seconds),
            on_disabled=self._on_disabled,
            on_result=lambda result: bot.metrics.digest_outcome(
                result.outcome.value, result.reason
            ),
        )
        # The lease first: a claim whose owner has no lease counts as a dead process's.
        try:
            await self._poster.renew_lease()
        except Exception:
            # Storage trouble must not stop the bot from starting; the keeper tries again.
            log.warning("digest: could not take the claim lease yet", exc_info=True)
        log.info("digest: claim owner %s", self._poster.instance_id)
        bot.digest_poster = self.post_due
        count = bot.scheduler.rebuild(await self._held_settings())
        log.info("digest: scheduled %d guilds", count)
        self.startup = asyncio.create_task(self._catch_up(), name="digest-catch-up")
        self.keeper = asyncio.create_task(self._keep_claims(), name="digest-claims")

    async def cog_unload(self) -> None:
        if self.bot.digest_poster == self.post_due:
            self.bot.digest_poster = None
        tasks = [self.startup, self.keeper, *self.storage_retries.values()]
        for task in tasks:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._poster is not None:
            try:
                # A claim a cancelled catch-up left is then settled at the next start at once.
                await self._poster.release_lease()
            except Exception:
                log.warning("digest: could not release the claim lease", exc_info=True)

    async def post_due(self, guild_id: int) -> None:
        """The scheduler's job: post the guild's due digest."""
        if not self.bot.is_ready():
            # Not waiting here: a job blocked until READY would hold up a shutdown. Nothing is
            # claimed, so the startup catch-up (which runs once READY) posts it instead.
            log.info("digest for guild %d due before the bot is ready; catch-up posts it", guild_id)
            return
        try:
            await self.poster.post_due(guild_id)
        except StoreError as error:
            self._retry_when_storage_is_back(guild_id, error)

    def _retry_when_storage_is_back(self, guild_id: int, error: StoreError) -> None:
        """Try the guild's post again with backoff while it is still within its grace period.

        Without this, a post the database refused waited for the next restart's catch-up.
        """
        if guild_id in self.storage_retries:
            return  # already retrying
        deadline = self.poster.clock() + self.poster.grace
        log.warning(
            "digest for guild %d: storage unavailable (%s); trying again until %s",
            guild_id,
            error,
            deadline.isoformat(timespec="seconds"),
        )
        task = asyncio.create_task(
            self._retry_post(guild_id, deadline), name=f"digest-storage-retry-{guild_id}"
        )
        self.storage_retries[guild_id] = task
        task.add_done_callback(lambda done: self._retry_done(guild_id, done))

    def _retry_done(self, guild_id: int, task: asyncio.Task[None]) -> None:
        if self.storage_retries.get(guild_id) is task:
            del self.storage_retries[guild_id]

    async def _retry_post(self, guild_id: int, deadline: dt.datetime) -> None:
        for attempt in itertools.count():
            await self.sleep(STORAGE_RETRY_DELAYS[min(attempt, len(STORAGE_RETRY_DELAYS) - 1)])
            try:
                # Shielded: unloading the cog may cut the wait, not a post being made.
                result = await asyncio.shield(self.poster.post_due(guild_id))
            except StoreError as error:
                if self.poster.clock() >= deadline:
                    log.error(
                        "digest for guild %d: storage still unavailable after the grace "
                        "period (%s); giving up (the next start's catch-up records it)",
                        guild_id,
                        error,
                    )
                    return
                log.warning("digest for guild %d: storage still unavailable: %s", guild_id, error)
            else:
                log.info(
                    "digest for guild %d: storage is back; the post's outcome: %s",
                    guild_id,
                    result.outcome.value,
                )
                return

    def _shards(self) -> tuple[int | None, list[int] | None]:
        """This process's (shard_count, shard_ids); (None, None) when it holds every guild."""
        count = self.bot.shard_count
        if count is None or count <= 1:
            return None, None
        if isinstance(self.bot, commands.AutoShardedBot):
            return count, self.bot.shard_ids
        shard_id = self.bot.shard_id
        return count, [shard_id] if shard_id is not None else None

    async def _held_settings(self) -> list[GuildSettings]:
        count, ids = self._shards()
        return await self.bot.store.list_enabled_settings(shard_count=count, shard_ids=ids)

    async def _present_settings(self) -> list[GuildSettings]:
        """Enabled digests of the guilds this process holds and is in."""
        present: list[GuildSettings] = []
        for settings in await self._held_settings():
            if self.bot.get_guild(settings.guild_id) is None:
                # Left (or was removed) while offline: no job; the settings stay for a rejoin.
                if self.bot.scheduler.unschedule_guild(settings.guild_id):
                    log.info("digest: guild %d is gone; not scheduled", settings.guild_id)
            else:
                present.append(settings)
        return present

    async def _keep_claims(self) -> None:
        """Every third of the lease: renew it, and (once the startup catch-up is done) settle
        the claims dead processes left on this process's guilds, so no restart is needed. The
        sweep runs beside the renewals: a slow one (a send retrying Discord errors) must not let
        this process's own lease run out."""
        poster = self.poster
        sweeping: asyncio.Task[None] | None = None
        try:
            while True:
                await asyncio.sleep(poster.renew_every)
                try:
                    await poster.renew_lease()
                except Exception:
                    log.exception("digest: renewing the claim lease failed")
                startup = self.startup
                ready = self.bot.is_ready() and startup is not None and startup.done()
                if ready and (sweeping is None or sweeping.done()):
                    sweeping = asyncio.create_task(self._sweep(), name="digest-sweep")
        finally:
            if sweeping is not None and not sweeping.done():
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping

    async def _sweep(self) -> None:
        try:
            results = await self.poster.sweep(await self._present_settings())
        except Exception:
            log.exception("digest: sweeping abandoned claims failed")
            return
        if results:
            log.info("digest sweep: settled %d abandoned claims", len(results))

    async def _catch_up(self) -> list[PostResult]:
        await self.bot.wait_until_ready()
        present = await self._present_settings()
        results = await self.poster.catch_up_all(present)
        made = sum(r.outcome is PostOutcome.POSTED for r in results)
        skipped = sum(r.outcome is PostOutcome.SKIPPED for r in results)
        log.info(
            "digest catch-up: %d guilds checked, %d missed posts made, %d skipped",
            len(present),
            made,
            skipped,
        )
        return results

    def _on_disabled(self, guild_id: int, reason: DisableReason) -> None:
        self.bot.scheduler.unschedule_guild(guild_id)
        log.warning("digest for guild %d disabled: %s", guild_id, reason.value)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        if not self.bot.runtime:
            return
        if self.bot.scheduler.unschedule_guild(guild.id):
            log.info("digest: left guild %d; unscheduled (settings kept)", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if not self.bot.runtime:
            return
        settings = await self.bot.store.get_settings(guild.id)
        if settings is not None and self.bot.scheduler.schedule_guild(settings):
            log.info("digest: rejoined guild %d; scheduled again", guild.id)

    # -------------------------------------------------------------------------- commands

    @digest.command(name="set", description="Post a quote every day in a channel at a local time")
    @app_commands.describe(
        channel="The channel for the daily quote",
        time="Local time, 24-hour HH:MM, e.g. 09:00 or 21:30",
        timezone="Time zone: a city or IANA name, e.g. Shanghai or America/New_York",
        language="Language of the post (default: the server's language)",
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(
                name=locale_str("Chinese", key="commands.digest.set.choices.zh"), value="zh"
            ),
            app_commands.Choice(
                name=locale_str("English", key="commands.digest.set.choices.en"), value="en"
            ),
        ]
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def digest_set(
        self,
        interaction: discord.Interaction[SummitBot],
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 32],
        timezone: app_commands.Range[str, 1, 100],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        lang = lang_of(interaction)
        guild = interaction.guild
        assert guild is not None  # guild_only
        try:
            post_time = parse_post_time(time)
        except PostTimeError:
            shown = echo(time, 20)
            await refuse(interaction, t("digest.errors.bad_time", lang, value=shown))
            return
        zone_name = resolve_timezone(timezone)
        if zone_name is None:
            shown = echo(timezone, 40)
            await refuse(interaction, t("digest.errors.unknown_zone", lang, value=shown))
            return
        missing = await self._missing_permissions(guild, channel)
        if missing:
            names = ", ".join(t(f"digest.permissions.{p}", lang) for p in missing)
            text = t("digest.errors.cannot_post", lang, channel=channel.mention, permissions=names)
            if "read_message_history" in missing:
                text += "\n" + t("digest.errors.history_why", lang)
            await refuse(interaction, text)
            return
        post_lang: Lang = _guild_lang(interaction)
        if language is not None:
            post_lang = "zh" if language.value == "zh" else "en"
        settings = await self.bot.store.upsert_settings(
            guild.id,
            channel_id=channel.id,
            post_time=post_time,
            timezone=zone_name,
            language=post_lang,
        )
        self.bot.scheduler.schedule_guild(settings)
        log.info(
            "digest for guild %d set: channel %d at %s %s (%s)",
            guild.id,
            channel.id,
            format_post_time(post_time),
            zone_name,
            post_lang,
        )
        upcoming = next_due(self.poster.clock(), post_time, zone_name)
        await reply_private(
            interaction,
            t(
                "digest.set_done",
                lang,
                time=format_post_time(post_time),
                zone=zone_name,
                channel=channel.mention,
                language=t(f"digest.languages.{post_lang}", lang),
                next=timestamp(upcoming.instant),
            ),
        )

    @digest_set.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[SummitBot], current: str
    ) -> list[app_commands.Choice[str]]:
        now = self.poster.clock()
        names = suggest_timezones(current[:100], limit=MAX_CHOICES)
        if not current.strip():
            # The operator's configured default zone comes first.
            default = self.bot.settings.digest.default_timezone
            names = [default, *(n for n in names if n != default)][:MAX_CHOICES]
        return [
            app_commands.Choice(name=_zone_label(name, now)[:100], value=name) for name in names
        ]

    @digest_set.autocomplete("time")
    async def time_autocomplete(
        self, interaction: discord.Interaction[SummitBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=value, value=value)
            for value in suggest_post_times(
                current, self.bot.settings.digest.default_time, limit=MAX_CHOICES
            )
        ]

    async def _missing_permissions(
        self, guild: discord.Guild, channel: discord.TextChannel
    ) -> list[str]:
        me = guild.me
        if me is None:
            bot_user = self.bot.user
            assert bot_user is not None
            me = await guild.fetch_member(bot_user.id)
        have = channel.permissions_for(me)
        return [name for name in REQUIRED_PERMISSIONS if not getattr(have, name)]

    @digest.command(name="off", description="Stop the daily quote (its settings are kept)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def digest_off(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self.bot.store.get_settings(interaction.guild_id)
        if settings is None:
            await reply_private(interaction, t("digest.not_configured", lang))
            return
        if not settings.enabled:
            await reply_private(interaction, t("digest.off_already", lang))
            return
        await self.bot.store.disable_settings(interaction.guild_id, DisableReason.ADMIN)
        self.bot.scheduler.unschedule_guild(interaction.guild_id)
        log.info("digest for guild %d turned off by an admin", interaction.guild_id)
        await reply_private(interaction, t("digest.off_done", lang))

    @digest.command(
        name="status", description="Show the daily quote's settings, next posts and last post"
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def digest_status(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self.bot.store.get_settings(interaction.guild_id)
        if settings is None:
            await reply_private(interaction, t("digest.not_configured", lang))
            return
        last = await self.bot.store.last_post(interaction.guild_id)
        await reply_private(interaction, self._status_text(settings, last, lang))

    def _status_text(self, settings: GuildSettings, last: PostRecord | None, lang: Lang) -> str:
        lines: list[str] = []
        if settings.enabled:
            lines.append(t("digest.status.header_on", lang))
        else:
            reason = settings.disabled_reason.value if settings.disabled_reason else None
            lines.append(t("digest.status.header_off", lang, reason=reason_words(reason, lang)))
            if settings.disabled_reason is not DisableReason.ADMIN:
                lines.append(t("digest.status.fix_hint", lang))
        lines.append(t("digest.status.channel", lang, channel=f"<#{settings.channel_id}>"))
        lines.append(
            t(
                "digest.status.time",
                lang,
                time=format_post_time(settings.post_time),
                zone=settings.timezone,
            )
        )
        lines.append(
            t(
                "digest.status.language",
                lang,
                language=t(f"digest.languages.{settings.language}", lang),
            )
        )
        if settings.enabled:
            # A date that already has a post-log row (e.g. from `/digest now`) won't post again.
            upcoming = [
                due
                for due in next_n_due(self.poster.clock(), settings.post_time, settings.timezone, 4)
                if last is None or due.local_date > last.local_date
            ][:3]
            times = ", ".join(timestamp(due.instant) for due in upcoming)
            lines.append(t("digest.status.next", lang, times=times))
        if last is None:
            lines.append(t("digest.status.last_none", lang))
        else:
            lines.append(
                t(
                    "digest.status.last",
                    lang,
                    date=last.local_date.isoformat(),
                    outcome=self._outcome_words(settings.guild_id, last, lang),
                )
            )
        return "\n".join(lines)

    @staticmethod
    def _outcome_words(guild_id: int, record: PostRecord, lang: Lang) -> str:
        if record.status is PostStatus.POSTED and record.message_id and record.channel_id:
            link = message_link(guild_id, record.channel_id, record.message_id)
            return t("digest.outcomes.posted", lang, link=link)
        if record.status is PostStatus.CLAIMED:
            return t("digest.outcomes.claimed", lang)
        key = "skipped" if record.status is PostStatus.SKIPPED else "failed"
        return t(f"digest.outcomes.{key}", lang, reason=reason_words(record.reason, lang))

    @digest.command(
        name="preview",
        description="Show exactly what the next daily quote will be (only you see it)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def digest_preview(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self.bot.store.get_settings(interaction.guild_id)
        post_lang = settings.language if settings is not None else _guild_lang(interaction)
        preview = await self.poster.next_post(interaction.guild_id, post_lang)
        if preview is None:
            await reply_private(interaction, t("digest.no_quotes", lang))
            return
        await interaction.response.send_message(
            t("digest.preview_note", lang),
            embed=preview[1],
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @digest.command(name="now", description="Post today's quote now, if it hasn't been posted yet")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def digest_now(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        settings = await self.bot.store.get_settings(guild_id)
        if settings is None:
            await reply_private(interaction, t("digest.not_configured", lang))
            return
        if not settings.enabled:
            reason = settings.disabled_reason.value if settings.disabled_reason else None
            text = t("digest.status.header_off", lang, reason=reason_words(reason, lang))
            await reply_private(interaction, f"{text}\n{t('digest.status.fix_hint', lang)}")
            return
        # Sending may wait for the throttle and retries: acknowledge within the 3 s first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.poster.post_today(guild_id)
        await reply_private(interaction, self._now_text(guild_id, result, lang))

    @staticmethod
    def _now_text(guild_id: int, result: PostResult, lang: Lang) -> str:
        channel = f"<#{result.channel_id}>" if result.channel_id else "?"
        link = (
            message_link(guild_id, result.channel_id, result.message_id)
            if result.channel_id and result.message_id
            else ""
        )
        if result.outcome is PostOutcome.POSTED:
            return t("digest.now.posted", lang, channel=channel, link=link)
        if result.outcome is PostOutcome.ALREADY:
            if result.status is PostStatus.POSTED:
                return t("digest.now.already", lang, link=link)
            if result.status is PostStatus.CLAIMED:
                return t("digest.now.in_progress", lang)
            if result.status is PostStatus.SKIPPED:
                return t("digest.now.skipped", lang, reason=reason_words(result.reason, lang))
        if result.outcome is PostOutcome.DISABLED:
            return t("digest.now.disabled", lang, reason=reason_words(result.reason, lang))
        if result.outcome is PostOutcome.SKIPPED:
            return t("digest.now.skipped", lang, reason=reason_words(result.reason, lang))
        if result.outcome is PostOutcome.NOT_ENABLED:
            return t("digest.not_configured", lang)
        return t("digest.now.failed", lang, reason=reason_words(result.reason, lang))


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Digest(bot))
