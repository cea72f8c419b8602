"""The personal digest DM's components: the daily post's buttons and a **Stop** button.

Both are persistent: every button carries what it needs in its ``custom_id`` and is handled by
a registered ``DynamicItem``, so a click works on any DM the bot ever sent, after any restart.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.digest.sending import DigestPost
from bot.i18n import t
from bot.ops.health import digest_service
from bot.store import DisableReason
from bot.ui.components import daily_post_view
from bot.ui.replies import bind_interaction_log_context, lang_of, reply_private

if TYPE_CHECKING:
    from bot.app import SummitBot
    from bot.catalog.models import Lang

__all__ = ["StopButton", "personal_view"]

log = logging.getLogger("bot.exts.mydigest")


def personal_view(post: DigestPost, user_id: int) -> discord.ui.View:
    """The DM's components: the daily post's (another quote, the speaker's profile, the
    source: :func:`bot.ui.components.daily_post_view`), plus **Stop** for this user."""
    view = daily_post_view(post.catalog, post.quote, post.lang)
    view.add_item(StopButton(user_id, lang=post.lang))
    return view


class StopButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"mydigest:stop:(?P<user_id>[0-9]{1,20})",
):
    """Turns the user's personal digest off (settings kept; `/mydigest set` resumes it)."""

    def __init__(self, user_id: int, *, lang: Lang = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t("mydigest.stop_button", lang),
                style=discord.ButtonStyle.secondary,
                custom_id=f"mydigest:stop:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> StopButton:
        return cls(int(match["user_id"]), lang=lang_of(interaction))

    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:  # type: ignore[override]
        # Component clicks skip the tree's check: bind the ids for every log line here.
        bind_interaction_log_context(interaction)
        lang = lang_of(interaction)
        if interaction.user.id != self.user_id:
            await reply_private(interaction, t("errors.not_your_view", lang))
            return
        bot = interaction.client
        stopped = await bot.store.disable_user_settings(
            self.user_id, DisableReason.USER, replace=True
        )
        service = digest_service(bot)
        if service is not None:
            service.unschedule_user(self.user_id)
        log.info("personal digest for user %d stopped with its button", self.user_id)
        key = "mydigest.stopped" if stopped else "mydigest.not_configured"
        await reply_private(interaction, t(key, lang))
