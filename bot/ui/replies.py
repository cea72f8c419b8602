"""Answering an interaction: its language, its ids for the log, and a short private reply."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.catalog.models import Lang
from bot.i18n import lang_for_locale
from bot.logs import bind_lazy_log_context

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def lang_of(interaction: discord.Interaction[Any]) -> Lang:
    """The response language: the user's client locale (zh-CN/zh-TW → Chinese)."""
    return lang_for_locale(interaction.locale)


def interaction_context(interaction: discord.Interaction[Any]) -> dict[str, object]:
    """Identify an interaction in log records (ids only, never tokens)."""
    command = interaction.command.qualified_name if interaction.command else None
    return {
        "interaction_id": interaction.id,
        "guild_id": interaction.guild_id,
        "channel_id": interaction.channel_id,
        "user_id": interaction.user.id,
        "command": command,
        "locale": str(interaction.locale),
    }


def bind_interaction_log_context(interaction: discord.Interaction[Any]) -> None:
    """Attach the interaction's ids to every record logged later in its task (computed only
    if one is: most interactions log nothing)."""
    bind_lazy_log_context(functools.partial(interaction_context, interaction))


async def reply_private(interaction: discord.Interaction[Any], content: str) -> None:
    """Answer with a short private message, whether or not the interaction was answered
    (a failed send is logged: there is nowhere else to say it)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                content, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except discord.HTTPException:
        log.warning("could not send a private reply", extra=interaction_context(interaction))


async def defer_privately(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge now and answer privately later ("thinking…"), for work that may take longer
    than Discord's 3 s; the acknowledgement is the first response the metrics time."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    interaction.client.metrics.responded(interaction)


async def guarded(
    interaction: discord.Interaction[Any], answer: Callable[[], Awaitable[None]]
) -> None:
    """Run a persistent item's answer with the interaction's ids bound to every log line and
    its failures answered by the tree's one handler (logged with an id, a short apology)
    instead of discord.py's silent log line. (Clicks skip the tree's `interaction_check`.)"""
    bind_interaction_log_context(interaction)
    try:
        await answer()
    except Exception as error:  # every failure gets the tree's answer, as commands do
        wrapped = app_commands.AppCommandError(str(error))
        wrapped.__cause__ = error
        wrapped.original = error  # type: ignore[attr-defined]
        await interaction.client.tree.on_error(interaction, wrapped)
