"""`/admin reload`: owner-only operations from Discord.

Owners are `discord.owner_ids` from the config, or (when that list is empty) the application's
owner or team as Discord reports it (:func:`bot.exts.checks.is_owner`). The command is
guild-installed and hidden by default (`default_member_permissions` 0: administrators see it),
and checks ownership again at run time, since a server admin can grant it to anyone; a refusal
is answered by the tree's error handler.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._shared import NO_MENTIONS, defer_privately, lang_of
from bot.exts.checks import is_owner
from bot.exts.reach import server_only
from bot.i18n import t
from bot.ops.reload import ReloadResult
from bot.ui.limits import MESSAGE_CONTENT, truncate

if TYPE_CHECKING:
    from bot.app import SummitBot
    from bot.catalog.models import Lang

log = logging.getLogger(__name__)

#: Problems listed in the reply at most; the log has them all.
MAX_LISTED = 15


def reload_reply(result: ReloadResult, lang: Lang, content_path: Path | None = None) -> str:
    """The reply to `/admin reload`, within Discord's 2,000 characters (paths shown relative
    to `content_path`)."""
    if result.ok:
        return t(
            "admin.reload_ok",
            lang,
            seconds=f"{result.seconds:.2f}",
            packs=result.packs,
            speakers=result.speakers,
            quotes=result.quotes,
            terms=result.terms,
            topics=result.topics,
        )
    head = t("admin.reload_failed", lang, count=len(result.problems))
    lines: list[str] = []
    budget = MESSAGE_CONTENT - len(head) - 80  # room for the fences and the "more" line
    for problem in result.problems[:MAX_LISTED]:
        if content_path is not None:
            problem = problem.removeprefix(f"{content_path}{os.sep}")
        line = truncate(problem.replace("```", "'''"), 300)
        if len(line) + 1 > budget:
            break
        lines.append(line)
        budget -= len(line) + 1
    reply = head + "\n```\n" + "\n".join(lines) + "\n```"
    hidden = len(result.problems) - len(lines)
    if hidden:
        reply += "\n" + t("admin.reload_more", lang, count=hidden)
    return reply


@server_only()
@app_commands.default_permissions()
class Admin(commands.GroupCog, group_name="admin", group_description="Bot owner tools"):
    """Owner-only operations."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="reload", description="Reload the content packs from disk (bot owners only)"
    )
    @is_owner()
    async def reload(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        # Loading takes a moment on big packs; Discord wants an answer within 3 s.
        await defer_privately(interaction)
        log.info("content reload requested by user %d", interaction.user.id)
        result = await self.bot.reload_content()
        await interaction.followup.send(
            reload_reply(result, lang, self.bot.settings.content.path),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Admin(bot))
