"""`/digest` (set, off, status, preview, now): the daily quote, for server managers.

The commands are thin: options arrive parsed (:mod:`bot.exts.digest.options`), the service
(:class:`~bot.digest.service.DigestService`) schedules and posts, and :mod:`._text` words the
answers. :class:`DigestCommands` is the command half of the ``Digest`` cog.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.catalog.models import Lang
from bot.digest.due import format_post_time, next_due
from bot.digest.service import DigestService
from bot.exts._shared import NO_MENTIONS, defer_privately, lang_of, refuse, reply_private
from bot.exts.checks import is_manager
from bot.exts.digest._engage import (
    engage_status_lines,
    mode_of,
    preview_embed,
    role_refusal,
    set_extras,
)
from bot.exts.digest._text import disabled_text, now_text, status_text, timestamp
from bot.exts.digest.options import (
    PostTimeOption,
    TimezoneOption,
    chosen_lang,
    language_choices,
)
from bot.exts.options import EventOption
from bot.exts.reach import server_only
from bot.i18n import lang_for_locale, t
from bot.store import DisableReason, GuildSettings
from bot.ui.digest import event_line

if TYPE_CHECKING:
    from bot.app import SummitBot

# The extension's logger keeps the name operators know from before it was a package.
log = logging.getLogger("bot.exts.digest")

__all__ = ["REQUIRED_PERMISSIONS", "DigestCommands"]

#: What the bot needs in the digest channel. Read Message History: after a crash mid-send the
#: bot looks for the post in the channel; without it Discord answers with no messages at all.
REQUIRED_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")


def _guild_lang(interaction: discord.Interaction[SummitBot]) -> Lang:
    """The default post language: the server's preferred locale."""
    locale = interaction.guild_locale
    if locale is None and interaction.guild is not None:
        locale = interaction.guild.preferred_locale
    return lang_for_locale(locale)


class DigestCommands(commands.Cog):
    """The `/digest` commands; the ``Digest`` cog adds the service's lifecycle."""

    bot: SummitBot
    _service: DigestService | None

    digest = server_only()(
        is_manager()(
            app_commands.Group(
                name="digest",
                description="Set up the daily quote post in this server (admins)",
                guild_only=True,
            )
        )
    )

    @property
    def service(self) -> DigestService:
        if self._service is None:
            raise RuntimeError("the digest service exists in runtime mode only (not for sync)")
        return self._service

    async def _settings_or_reply(
        self, interaction: discord.Interaction[SummitBot], lang: Lang
    ) -> GuildSettings | None:
        """The guild's settings; None, having said it has none, when it has none."""
        assert interaction.guild_id is not None  # guild_only
        settings = await self.bot.store.get_settings(interaction.guild_id)
        if settings is None:
            await reply_private(interaction, t("digest.not_configured", lang))
        return settings

    @digest.command(name="set", description="Post a quote every day in a channel at a local time")
    @app_commands.describe(
        channel="The channel for the daily quote",
        time="Local time, 24-hour HH:MM, e.g. 09:00 or 21:30",
        timezone="Time zone: a city or IANA name, e.g. Shanghai or America/New_York",
        language="Language of the post (default: the server's language)",
        thread="Open a public discussion thread on each post",
        role="An opt-in role to mention on each post (with a Notify me button)",
        mode="What each post is: a quote, or a who-said-it round",
        event="Quotes from this summit only (default: every summit)",
    )
    @app_commands.choices(
        language=language_choices("digest.set"),
        mode=[
            app_commands.Choice(
                name=locale_str("Quote", key="commands.digest.set.choices.quote"), value="quote"
            ),
            app_commands.Choice(
                name=locale_str("Who said it?", key="commands.digest.set.choices.whosaid"),
                value="whosaid",
            ),
        ],
    )
    @is_manager()
    async def digest_set(
        self,
        interaction: discord.Interaction[SummitBot],
        channel: discord.TextChannel,
        time: app_commands.Transform[dt.time, PostTimeOption],
        timezone: app_commands.Transform[str, TimezoneOption],
        language: app_commands.Choice[str] | None = None,
        thread: bool = False,
        role: discord.Role | None = None,
        mode: app_commands.Choice[str] | None = None,
        event: EventOption | None = None,
    ) -> None:
        lang = lang_of(interaction)
        guild = interaction.guild
        assert guild is not None  # guild_only
        if role is not None and (refusal := role_refusal(role, lang)) is not None:
            await refuse(interaction, refusal)
            return
        missing = await self._missing_permissions(guild, channel)
        if missing:
            names = ", ".join(t(f"digest.permissions.{p}", lang) for p in missing)
            text = t("digest.errors.cannot_post", lang, channel=channel.mention, permissions=names)
            if "read_message_history" in missing:
                text += "\n" + t("digest.errors.history_why", lang)
            await refuse(interaction, text)
            return
        post_lang = chosen_lang(language, _guild_lang(interaction))
        settings = await self.bot.store.upsert_settings(
            guild.id,
            channel_id=channel.id,
            post_time=time,
            timezone=timezone,
            language=post_lang,
            thread=thread,
            role_id=role.id if role is not None else None,
            mode=mode_of(mode.value if mode is not None else None),
            event_id=event.id if event is not None else None,
        )
        self.service.schedule(settings)
        log.info(
            "digest for guild %d set: channel %d at %s %s (%s)",
            guild.id,
            channel.id,
            format_post_time(time),
            timezone,
            post_lang,
        )
        upcoming = next_due(self.service.clock(), time, timezone)
        done = t(
            "digest.set_done",
            lang,
            time=format_post_time(time),
            zone=timezone,
            channel=channel.mention,
            language=t(f"digest.languages.{post_lang}", lang),
            next=timestamp(upcoming.instant),
        )
        lines = [
            done,
            event_line(self.bot.catalog, settings, lang),
            *set_extras(settings, guild, channel, lang),
        ]
        await reply_private(interaction, "\n".join(lines))

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
    @is_manager()
    async def digest_off(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        if not settings.enabled:
            await reply_private(interaction, t("digest.off_already", lang))
            return
        await self.bot.store.disable_settings(interaction.guild_id, DisableReason.ADMIN)
        self.service.unschedule(interaction.guild_id)
        log.info("digest for guild %d turned off by an admin", interaction.guild_id)
        await reply_private(interaction, t("digest.off_done", lang))

    @digest.command(
        name="status", description="Show the daily quote's settings, next posts and last post"
    )
    @is_manager()
    async def digest_status(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        last = await self.bot.store.last_post(interaction.guild_id)
        lines = [
            status_text(settings, last, self.service.clock(), lang),
            event_line(self.bot.catalog, settings, lang),
            *engage_status_lines(settings, interaction.guild, lang),
        ]
        await reply_private(interaction, "\n".join(lines))

    @digest.command(
        name="preview",
        description="Show exactly what the next daily quote will be (only you see it)",
    )
    @is_manager()
    async def digest_preview(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        assert interaction.guild_id is not None
        settings = await self.bot.store.get_settings(interaction.guild_id)
        post_lang = settings.language if settings is not None else _guild_lang(interaction)
        upcoming = await self.service.poster.next_post(interaction.guild_id)
        if upcoming is None:
            await reply_private(interaction, t("digest.no_quotes", lang))
            return
        catalog, quote = upcoming
        await interaction.response.send_message(
            t("digest.preview_note", lang),
            embed=preview_embed(catalog, quote, post_lang, settings),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @digest.command(name="now", description="Post today's quote now, if it hasn't been posted yet")
    @is_manager()
    async def digest_now(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        if not settings.enabled:
            text = disabled_text(settings, lang)
            await reply_private(interaction, f"{text}\n{t('digest.status.fix_hint', lang)}")
            return
        # Sending may wait for the throttle and retries: acknowledge within the 3 s first.
        await defer_privately(interaction)
        result = await self.service.poster.post_today(guild_id)
        await reply_private(interaction, now_text(guild_id, result, lang))
