"""The ``WhoSaid`` cog: ``/whosaid play`` and ``/whosaid stats``, the answers to a round's
buttons, and the counter refresher it owns (started with the cog, drained on unload).

``/whosaid`` is offered everywhere (``bot.exts.reach``). Where the bot is not in the channel (a
guild where only the user installed the app, a group DM), a round's counter is edited through
the ``/whosaid play`` interaction that posted it, while its token lasts; never by a channel
request. A daily round (``mode:whosaid``) is always in a guild channel the bot posts in."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote, Topic
from bot.exts._shared import NO_MENTIONS, lang_of, refuse, reply_private
from bot.exts.options import EventOption, TopicOption
from bot.exts.reach import bot_is_present
from bot.exts.whosaid._counter import CounterRefresher, Edit
from bot.exts.whosaid._items import AnswerButton, answer_view
from bot.exts.whosaid._round import ROUND_COLOUR, answer_text, round_choices, round_embed
from bot.i18n import t
from bot.store import OUTSIDE_GUILDS, Score
from bot.ui.components import profile_view
from bot.whosaid import round_pool

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger("bot.exts.whosaid")

__all__ = ["WhoSaid"]

#: How many lines the guild's leaderboard shows.
TOP = 10

#: How long a ``/whosaid play`` interaction may still edit its round's counter, in seconds
#: (Discord's interaction tokens last 15 minutes; a minute of margin).
PLAY_EDIT_SECONDS = 14 * 60


class WhoSaid(commands.Cog, name="WhoSaid"):
    """ "Who said it?": guess the speaker of a summit quote."""

    def __init__(self, bot: SummitBot) -> None:
        self.bot = bot
        self.counter = CounterRefresher(self._count)
        #: Rounds posted where the bot is not, by id: the interaction that posted each and
        #: until when (monotonic) its token may edit it.
        self._plays: dict[int, tuple[discord.Interaction[SummitBot], float]] = {}

    async def _count(self, round_id: int) -> int:
        return await self.bot.store.round_answer_count(round_id)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnswerButton)
        await self.counter.close()

    whosaid = app_commands.Group(
        name="whosaid", description="Who said it? Guess the speaker of a summit quote"
    )

    @whosaid.command(name="play", description="Start a public round: guess who said a quote")
    @app_commands.describe(topic="Only quotes on this topic", event="Only quotes from this summit")
    async def play(
        self,
        interaction: discord.Interaction[SummitBot],
        topic: TopicOption | None = None,
        event: EventOption | None = None,
    ) -> None:
        lang = lang_of(interaction)
        catalog = self.bot.catalog
        quotes = catalog.quotes.values() if event is None else catalog.quotes_of_event(event.id)
        pool = round_pool(catalog, _on_topic(catalog, quotes, topic))
        if not pool:
            await refuse(interaction, t("whosaid.no_quotes", lang))
            return
        quote = random.choice(pool)
        round_ = await self.bot.store.create_round(
            guild_id=interaction.guild_id, channel_id=interaction.channel_id, quote_id=quote.id
        )
        response = await interaction.response.send_message(
            embed=round_embed(catalog, quote, lang),
            view=answer_view(round_.id, round_choices(catalog, quote), lang),
            allowed_mentions=NO_MENTIONS,
        )
        self.bot.metrics.responded(interaction)  # what follows is bookkeeping, not the answer
        if response.message_id is not None and interaction.channel_id is not None:
            await self.bot.store.set_round_message(
                round_.id, channel_id=interaction.channel_id, message_id=response.message_id
            )
        if not bot_is_present(interaction):
            self._remember_play(round_.id, interaction)

    @whosaid.command(name="stats", description="Your who-said-it score, and this server's top ten")
    async def stats(self, interaction: discord.Interaction[SummitBot]) -> None:
        lang = lang_of(interaction)
        store = self.bot.store
        user_id = interaction.user.id
        guild_id = interaction.guild_id
        scope = guild_id if guild_id is not None else OUTSIDE_GUILDS
        embed = discord.Embed(title=t("whosaid.stats_title", lang), colour=ROUND_COLOUR)
        mine = await store.score(scope, user_id)
        embed.description = _yours(mine, lang)
        if guild_id is not None:
            top = await store.top_scores(guild_id, limit=TOP)
            lines = [
                t(
                    "whosaid.stats_line",
                    lang,
                    rank=rank,
                    user=score.user_id,
                    correct=score.correct,
                    answers=score.answers,
                    best=score.best_streak,
                )
                for rank, score in enumerate(top, start=1)
            ]
            embed.add_field(
                name=t("whosaid.stats_top", lang),
                value="\n".join(lines) or t("whosaid.stats_top_none", lang),
                inline=False,
            )
            personal = await store.score(OUTSIDE_GUILDS, user_id)
            if personal.answers:
                embed.add_field(
                    name=t("whosaid.stats_personal", lang), value=_yours(personal, lang)
                )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def answer(
        self, interaction: discord.Interaction[SummitBot], round_id: int, speaker_id: str
    ) -> None:
        """A press of an answer button: record it (once per person and round), answer
        privately, and have the round's counter refreshed."""
        lang = lang_of(interaction)
        round_ = await self.bot.store.get_round(round_id)
        if round_ is None:
            await reply_private(interaction, t("whosaid.unknown_round", lang))
            return
        catalog = self.bot.catalog
        quote = catalog.quotes.get(round_.quote_id)
        picked = catalog.speakers.get(speaker_id)
        if quote is None or picked is None:
            await reply_private(interaction, t("whosaid.gone", lang))
            return
        outcome = await self.bot.store.record_answer(
            round_, interaction.user.id, speaker_id, correct=speaker_id == quote.speaker
        )
        await interaction.response.send_message(
            answer_text(catalog, quote, picked, outcome, lang),
            view=profile_view(catalog.speakers[quote.speaker], lang),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        if outcome.first and interaction.message is not None:
            if bot_is_present(interaction):
                self.counter.touch(round_.id, interaction.message)
            elif (edit := self._play_edit(round_.id)) is not None:
                self.counter.touch(round_.id, interaction.message, edit)
            # Otherwise only the channel could take the edit, and the bot is not there: the
            # counter stays as it was (the answer is recorded and answered all the same).

    def _remember_play(self, round_id: int, interaction: discord.Interaction[SummitBot]) -> None:
        now = time.monotonic()
        for stale in [r for r, (_, until) in self._plays.items() if until <= now]:
            del self._plays[stale]
        self._plays[round_id] = (interaction, now + PLAY_EDIT_SECONDS)

    def _play_edit(self, round_id: int) -> Edit | None:
        """An edit of the round's message through the interaction that posted it (its own
        response), while that interaction's token lasts."""
        play = self._plays.get(round_id)
        if play is None:
            return None
        interaction, until = play
        if time.monotonic() >= until:
            del self._plays[round_id]
            return None

        async def edit(embed: discord.Embed) -> object:
            return await interaction.edit_original_response(embed=embed)

        return edit


def _on_topic(catalog: Catalog, quotes: Iterable[Quote], topic: Topic | None) -> list[Quote]:
    if topic is None:
        return list(quotes)
    keys = catalog.topic_keys(topic.id)  # every summit's, for an id they share
    return [q for q in quotes if keys.intersection(q.topics)]


def _yours(score: Score, lang: Lang) -> str:
    if not score.answers:
        return t("whosaid.stats_none", lang)
    return t(
        "whosaid.stats_yours",
        lang,
        correct=score.correct,
        answers=score.answers,
        streak=score.streak,
        best=score.best_streak,
    )
