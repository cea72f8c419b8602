"""The persistent buttons of a round (``discord.ui.DynamicItem``): everything a press needs is
in its ``custom_id``, so a round answers after any restart, forever.

- ``ws:<round id>:<speaker id>``: an answer (the same shape for every speaker: the ids say
  nothing about which one is right; the round's quote is looked up in the store).
- ``ws-profile:<speaker id>``: the speaker's profile, shown privately after an answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.app import interaction_context
from bot.catalog.models import Lang, Speaker
from bot.exts._shared import NO_MENTIONS, lang_of, reply_private
from bot.i18n import t
from bot.logs import bind_log_context
from bot.render import speaker_embed

if TYPE_CHECKING:
    from bot.app import SummitBot
    from bot.exts.whosaid._cog import WhoSaid

log = logging.getLogger("bot.exts.whosaid")

__all__ = ["AnswerButton", "ProfileButton", "answer_view", "guarded", "profile_view"]


async def guarded(
    interaction: discord.Interaction[SummitBot], callback: Callable[[], Awaitable[None]]
) -> None:
    """Run a persistent item's callback with the interaction's ids bound to every log line
    and its errors answered by the tree's one handler (logged with an id, a short apology)."""
    bind_log_context(**interaction_context(interaction))
    try:
        await callback()
    except Exception as error:  # every failure gets the tree's answer, as commands do
        wrapped = app_commands.AppCommandError(str(error))
        wrapped.__cause__ = error
        wrapped.original = error  # type: ignore[attr-defined]
        await interaction.client.tree.on_error(interaction, wrapped)


def _cog(interaction: discord.Interaction[SummitBot]) -> WhoSaid:
    cog = interaction.client.get_cog("WhoSaid")
    if cog is None:
        raise RuntimeError("the whosaid extension is not loaded")
    return cog  # type: ignore[return-value]


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ws:(?P<round>[0-9]{1,19}):(?P<speaker>[a-z0-9-]{1,64})",
):
    """One speaker's answer button of one round."""

    def __init__(self, round_id: int, speaker_id: str, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label=label[:80],
                custom_id=f"ws:{round_id}:{speaker_id}",
            )
        )
        self.round_id = round_id
        self.speaker_id = speaker_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerButton:
        return cls(int(match["round"]), match["speaker"])

    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:  # type: ignore[override]
        await guarded(
            interaction,
            lambda: _cog(interaction).answer(interaction, self.round_id, self.speaker_id),
        )


class ProfileButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ws-profile:(?P<speaker>[a-z0-9-]{1,64})",
):
    """Show a speaker's profile privately."""

    def __init__(self, speaker_id: str, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=label[:80],
                custom_id=f"ws-profile:{speaker_id}",
            )
        )
        self.speaker_id = speaker_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ProfileButton:
        return cls(match["speaker"])

    async def callback(self, interaction: discord.Interaction[SummitBot]) -> None:  # type: ignore[override]
        await guarded(interaction, lambda: self._show(interaction))

    async def _show(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        catalog = interaction.client.catalog
        speaker = catalog.speakers.get(self.speaker_id)
        if speaker is None:
            await reply_private(interaction, t("whosaid.gone", lang))
            return
        await interaction.response.send_message(
            embed=speaker_embed(catalog, speaker, lang),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


def answer_view(round_id: int, speakers: tuple[Speaker, ...], lang: Lang) -> discord.ui.View:
    """A view holding one answer button per speaker, in the given (stable) order."""
    view = discord.ui.View(timeout=None)
    for index, speaker in enumerate(speakers):
        item = AnswerButton(round_id, speaker.id, speaker.name.get(lang))
        item.row = index // 5
        view.add_item(item)
    return view


def profile_view(speaker: Speaker, lang: Lang) -> discord.ui.View:
    """The button under a private answer: the speaker's profile."""
    view = discord.ui.View(timeout=None)
    view.add_item(ProfileButton(speaker.id, t("buttons.speaker_profile", lang)))
    return view
