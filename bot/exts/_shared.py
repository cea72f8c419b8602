"""Helpers every extension shares: language of an interaction, replies for misses, and a view
base class that only its invoker drives and that disables itself on timeout."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.app import interaction_context
from bot.catalog import Kind
from bot.catalog.models import Lang
from bot.i18n import lang_for_locale, t
from bot.logs import bind_log_context
from bot.ui.text import echo, escape_user_text

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

#: How long buttons stay live. Interaction tokens last 15 minutes; the timeout edit needs one.
VIEW_TIMEOUT = 600.0

#: Autocomplete may not offer more than this many choices (Discord's limit).
MAX_CHOICES = 25


def lang_of(interaction: discord.Interaction[Any]) -> Lang:
    """The response language: the user's client locale (zh-CN/zh-TW → Chinese)."""
    return lang_for_locale(interaction.locale)


def miss_message(bot: SummitBot, kind: Kind, query: str, lang: Lang) -> str:
    """A short answer for a value that resolves to nothing, with "did you mean" when we can."""
    shown = echo(query, 80) or "…"
    # Everything it starts, spells or is part of ("yang": both Yangs), then typos.
    suggestions = bot.catalog.candidates(kind, query, limit=5)
    message = t(f"errors.unknown_{kind}", lang, query=shown)
    if suggestions:
        listed = ", ".join(f"`{escape_user_text(s.label)}`" for s in suggestions)
        message += "\n" + t("errors.did_you_mean", lang, suggestions=listed)
    return message


async def reply_private(interaction: discord.Interaction[Any], content: str) -> None:
    """Send a short ephemeral text, as the first response or as a followup."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            content, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def refuse(interaction: discord.Interaction[SummitBot], content: str) -> None:
    """Turn down a request as given (an unknown name, an invalid value): a private answer, and
    a `user_error` in the command metrics rather than an `ok`."""
    interaction.client.record_outcome(interaction, "user_error")
    await reply_private(interaction, content)


class OwnedView(discord.ui.View):
    """A view that answers only the user who invoked it and disables its items on timeout.

    `origin` is the interaction whose response carries the view; its token edits the message
    when the view times out.
    """

    def __init__(self, origin: discord.Interaction[SummitBot], *, timeout: float | None = None):
        super().__init__(timeout=VIEW_TIMEOUT if timeout is None else timeout)
        self.origin = origin
        self.owner_id = origin.user.id
        self.lang: Lang = lang_of(origin)

    #: Whether only the invoker may use the buttons; public views (a quote's "another") say no.
    owner_only: bool = True

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Button clicks skip the tree's check: bind the ids for every log line here.
        bind_log_context(**interaction_context(interaction))
        if not self.owner_only or interaction.user.id == self.owner_id:
            return True
        await reply_private(interaction, t("errors.not_your_view", lang_of(interaction)))
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url is None:
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException:
            # The message may be gone or the token expired; nothing left to disable.
            log.debug("could not disable a timed-out view", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        # Route button failures through the tree's handler: logged with an id, short apology.
        wrapped = (
            error
            if isinstance(error, app_commands.AppCommandError)
            else app_commands.AppCommandError(str(error))
        )
        if wrapped is not error:
            wrapped.__cause__ = error
            wrapped.original = error  # type: ignore[attr-defined]
        await interaction.client.tree.on_error(interaction, wrapped)
