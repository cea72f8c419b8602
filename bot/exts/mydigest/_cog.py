"""`/mydigest` (set, off, status, now): a personal daily quote by DM.

Works wherever the app can be used (guild or user install; servers, the bot's DMs, group DMs):
every answer is an ephemeral interaction response, never a channel message, and nothing reads
a guild or channel the bot may not be in. Scheduling and sending are the digest service's
(owned by the ``Digest`` cog): its personal poster and scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog.models import Lang
from bot.digest.due import format_post_time, next_due
from bot.digest.service import DigestService
from bot.exts._shared import defer_privately, lang_of, reply_private
from bot.exts.digest._text import timestamp
from bot.exts.digest.options import (
    PostTimeOption,
    TimezoneOption,
    chosen_lang,
    language_choices,
)
from bot.exts.mydigest._text import now_text, status_text
from bot.exts.options import EventOption
from bot.i18n import t
from bot.ops.health import digest_service
from bot.store import DisableReason, RecipientKind, UserSettings
from bot.ui.digest import event_line

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger("bot.exts.mydigest")

_USER = RecipientKind.USER

__all__ = ["MyDigest"]


class MyDigest(commands.Cog, name="MyDigest"):
    """A personal daily quote by DM."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot

    mydigest = app_commands.Group(
        name="mydigest", description="Your own daily quote, sent to you by DM"
    )

    def _service(self) -> DigestService:
        service = digest_service(self.bot)
        if service is None or service.personal is None:
            raise RuntimeError("the digest service (with personal digests) is not running")
        return service

    async def _settings_or_reply(
        self, interaction: discord.Interaction[SummitBot], lang: Lang
    ) -> UserSettings | None:
        """The user's settings; None, having said they have none, when they have none."""
        settings = await self.bot.store.get_user_settings(interaction.user.id)
        if settings is None:
            await reply_private(interaction, t("mydigest.not_configured", lang))
        return settings

    @mydigest.command(name="set", description="Get a quote by DM every day at your local time")
    @app_commands.describe(
        time="Your local time, 24-hour HH:MM, e.g. 08:00 or 21:30",
        timezone="Your time zone: a city or IANA name, e.g. Shanghai or America/New_York",
        language="Language of the quote (default: your Discord language)",
        event="Quotes from this summit only (default: every summit)",
    )
    @app_commands.choices(language=language_choices("mydigest.set"))
    async def mydigest_set(
        self,
        interaction: discord.Interaction[SummitBot],
        time: app_commands.Transform[dt.time, PostTimeOption],
        timezone: app_commands.Transform[str, TimezoneOption],
        language: app_commands.Choice[str] | None = None,
        event: EventOption | None = None,
    ) -> None:
        lang = lang_of(interaction)
        post_lang = chosen_lang(language, lang)
        user_id = interaction.user.id
        settings = await self.bot.store.upsert_user_settings(
            user_id,
            post_time=time,
            timezone=timezone,
            language=post_lang,
            event_id=event.id if event is not None else None,
        )
        service = self._service()
        service.schedule_user(settings)
        log.info(
            "personal digest for user %d set: %s %s (%s)",
            user_id,
            format_post_time(time),
            timezone,
            post_lang,
        )
        upcoming = next_due(service.clock(), time, timezone)
        await reply_private(
            interaction,
            t(
                "mydigest.set_done",
                lang,
                time=format_post_time(time),
                zone=timezone,
                language=t(f"digest.languages.{post_lang}", lang),
                next=timestamp(upcoming.instant),
            )
            + "\n"
            + event_line(self.bot.catalog, settings, lang),
        )

    @mydigest.command(name="off", description="Stop your daily quote (your settings are kept)")
    async def mydigest_off(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        user_id = interaction.user.id
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        if not settings.enabled and settings.disabled_reason is DisableReason.USER:
            await reply_private(interaction, t("mydigest.off_already", lang))
            return
        await self.bot.store.disable_user_settings(user_id, DisableReason.USER, replace=True)
        self._service().unschedule_user(user_id)
        log.info("personal digest for user %d turned off", user_id)
        await reply_private(interaction, t("mydigest.stopped", lang))

    @mydigest.command(
        name="status", description="Your daily quote: time, next DMs, last DM, why it stopped"
    )
    async def mydigest_status(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        user_id = interaction.user.id
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        last = await self.bot.store.last_post(user_id, kind=_USER)
        now = self._service().clock()
        lines = [
            status_text(settings, last, now, lang),
            event_line(self.bot.catalog, settings, lang),
        ]
        await reply_private(interaction, "\n".join(lines))

    @mydigest.command(name="now", description="Send today's quote now, if you haven't had it yet")
    async def mydigest_now(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        user_id = interaction.user.id
        settings = await self._settings_or_reply(interaction, lang)
        if settings is None:
            return
        service = self._service()
        if not settings.enabled:
            # `now` resumes a paused (or stopped) digest: the user asks for DMs again.
            resumed = await self.bot.store.enable_user_settings(user_id)
            if resumed is not None:
                service.schedule_user(resumed)
                log.info("personal digest for user %d resumed by /mydigest now", user_id)
        # Sending may wait for the throttle and retries: acknowledge within the 3 s first.
        await defer_privately(interaction)
        assert service.personal is not None
        result = await service.personal.post_today(user_id)
        await reply_private(interaction, now_text(result, lang))
