"""The persistent buttons of a round (``discord.ui.DynamicItem``): everything a press needs is
in its ``custom_id``, so a round answers after any restart, forever.

- ``ws:<round id>:<speaker id>``: an answer (the same shape for every speaker: the ids say
  nothing about which one is right; the round's quote is looked up in the store).

The profile button under an answer is the catalog's own (``bot.ui.components.SpeakerProfile``).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.catalog.models import Lang, Speaker
from bot.ui.replies import guarded

if TYPE_CHECKING:
    from bot.app import SummitBot
    from bot.exts.whosaid._cog import WhoSaid

log = logging.getLogger("bot.exts.whosaid")

__all__ = ["AnswerButton", "answer_view"]


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


def answer_view(round_id: int, speakers: tuple[Speaker, ...], lang: Lang) -> discord.ui.View:
    """A view holding one answer button per speaker, in the given (stable) order."""
    view = discord.ui.View(timeout=None)
    for index, speaker in enumerate(speakers):
        item = AnswerButton(round_id, speaker.id, speaker.name.get(lang))
        item.row = index // 5
        view.add_item(item)
    return view
