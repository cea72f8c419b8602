"""The **Notify me** button on daily posts that mention a role: a persistent toggle
(``discord.ui.DynamicItem``, ``digest-notify:<role id>``) that gives the presser the guild's
digest role, or takes it away. The role is only ever the one ``/digest set role`` saved: a
button naming another role (an older setting) changes nothing.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.exts._shared import lang_of, reply_private
from bot.exts.whosaid._items import guarded
from bot.i18n import t

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger("bot.exts.digest")

__all__ = ["AUDIT_REASON", "NotifyButton", "RoleProblem", "role_problem"]

#: The audit-log reason of every role change the button makes.
AUDIT_REASON = "Notify me button on the daily quote (the member's own choice)"

RoleProblem = Literal["manage_roles", "hierarchy", "gone"]


def role_problem(guild: discord.Guild, role_id: int) -> RoleProblem | None:
    """Why the bot cannot give or take ``role_id`` in ``guild`` (None: it can), from the
    gateway cache: the role exists, the bot has Manage Roles, and the role is below the bot's
    highest role."""
    role = guild.get_role(role_id)
    if role is None:
        return "gone"
    me = guild.me
    if me is None or not me.guild_permissions.manage_roles:
        return "manage_roles"
    if role >= me.top_role:
        return "hierarchy"
    return None


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"digest-notify:(?P<role>[0-9]{1,20})",
):
    """Give or take the daily post's role (a toggle)."""

    def __init__(self, role_id: int, label: str = "🔔") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.success,
                label=label[:80],
                emoji="🔔",
                custom_id=f"digest-notify:{role_id}",
            )
        )
        self.role_id = role_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> NotifyButton:
        return cls(int(match["role"]))

    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:  # type: ignore[override]
        await guarded(interaction, lambda: self._toggle(interaction))

    async def _toggle(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        guild = interaction.guild
        member = interaction.user
        if guild is None or not isinstance(member, discord.Member):
            await reply_private(interaction, t("errors.guild_only", lang))
            return
        settings = await interaction.client.store.get_settings(guild.id)
        if settings is None or settings.role_id != self.role_id:
            await reply_private(interaction, t("engage.notify_stale", lang))
            return
        mention = f"<@&{self.role_id}>"
        problem = role_problem(guild, self.role_id)
        if problem is not None:
            await self._cannot(interaction, mention, problem)
            return
        role = discord.Object(self.role_id)
        had = member.get_role(self.role_id) is not None
        try:
            if had:
                await member.remove_roles(role, reason=AUDIT_REASON)
            else:
                await member.add_roles(role, reason=AUDIT_REASON)
        except discord.Forbidden:
            await self._cannot(interaction, mention, "refused")
            return
        except discord.HTTPException as exc:
            log.warning("notify role change refused in guild %d: %s", guild.id, exc)
            await self._cannot(interaction, mention, "refused")
            return
        key = "engage.notify_removed" if had else "engage.notify_added"
        await reply_private(interaction, t(key, lang, role=mention))

    async def _cannot(
        self, interaction: discord.Interaction[SummitBot], mention: str, why: str
    ) -> None:
        lang = lang_of(interaction)
        text = t(
            "engage.notify_cannot", lang, role=mention, why=t(f"engage.notify_why.{why}", lang)
        )
        await reply_private(interaction, text)
