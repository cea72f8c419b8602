"""The catalog lookup options as discord.py transformers: each owns its autocomplete and its
re-validation (users may ignore suggestions), so a command receives the speaker, topic or term
itself.

A value that names nothing raises `OptionMiss`, whose `answer` is the localized "did you mean";
the tree's one error handler (`SummitTree.on_error`) sends it privately and counts a user error.
Parameters are transformed in order, so the first option that misses is the one answered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import discord
from discord import app_commands

from bot.catalog import Catalog, Kind
from bot.catalog.models import Pack, Speaker, Term, Topic
from bot.exts._shared import MAX_CHOICES, lang_of, miss_message
from bot.i18n import t
from bot.ui.text import echo

if TYPE_CHECKING:
    from bot.app import SummitBot
    from bot.catalog import Suggestion

__all__ = [
    "EventOption",
    "EventTransformer",
    "OptionMiss",
    "SearchOption",
    "SearchTransformer",
    "SpeakerOption",
    "SpeakerTransformer",
    "TermOption",
    "TermTransformer",
    "TopicOption",
    "TopicTransformer",
]

EntryT = TypeVar("EntryT", Speaker, Topic, Term)

#: What an option's autocomplete answers (discord.py's type for transformer autocomplete).
Choices = list[app_commands.Choice[int | float | str]]


class OptionMiss(app_commands.TransformerError):
    """An option's value names nothing; `answer` is what the user is told, in their language."""

    def __init__(self, value: str, transformer: app_commands.Transformer[Any], answer: str):
        super().__init__(value, discord.AppCommandOptionType.string, transformer)
        self.answer = answer


def choices(suggestions: list[Suggestion]) -> Choices:
    """Autocomplete choices from catalog suggestions: label as the name, id as the value."""
    return [
        app_commands.Choice(name=s.label[:100], value=s.id[:100]) for s in suggestions[:MAX_CHOICES]
    ]


class _Lookup(app_commands.Transformer["SummitBot"], Generic[EntryT], ABC):
    """An option naming one catalog entry of `kind`: suggested as typed, resolved on use."""

    kind: ClassVar[Kind]

    @abstractmethod
    def find(self, catalog: Catalog, value: str) -> EntryT | None:
        """The entry `value` names, or None."""

    async def transform(self, interaction: discord.Interaction[SummitBot], value: str, /) -> EntryT:
        bot = interaction.client
        found = self.find(bot.catalog, value)
        if found is None:
            raise OptionMiss(value, self, miss_message(bot, self.kind, value, lang_of(interaction)))
        return found

    async def autocomplete(
        self, interaction: discord.Interaction[SummitBot], value: int | float | str, /
    ) -> Choices:
        return choices(interaction.client.catalog.suggest(self.kind, str(value)))


class SpeakerTransformer(_Lookup[Speaker]):
    """A speaker by Chinese or English name, pinyin, initials or id."""

    kind = "speaker"

    def find(self, catalog: Catalog, value: str) -> Speaker | None:
        return catalog.find_speaker(value)


class TopicTransformer(_Lookup[Topic]):
    """A topic by name (either language), id or `pack/id`; an id several summits share means
    all of them (`Catalog.topic_filter`)."""

    kind = "topic"

    def find(self, catalog: Catalog, value: str) -> Topic | None:
        return catalog.topic_filter(value)


class TermTransformer(_Lookup[Term]):
    """A glossary term by Chinese or English name, alias or id."""

    kind = "term"

    def find(self, catalog: Catalog, value: str) -> Term | None:
        return catalog.find_term(value)


class SearchTransformer(app_commands.Transformer["SummitBot"]):
    """Free words to look for in quotes; autocomplete offers matching quotes (their id as the
    value, which the search then honours exactly). The words arrive trimmed."""

    async def transform(self, interaction: discord.Interaction[SummitBot], value: str, /) -> str:
        return value.strip()

    async def autocomplete(
        self, interaction: discord.Interaction[SummitBot], value: int | float | str, /
    ) -> Choices:
        current = str(value)
        if not current.strip():
            return []
        return choices(interaction.client.catalog.suggest("quote", current))


class EventTransformer(app_commands.Transformer["SummitBot"]):
    """A summit (content pack) by id or name; autocomplete lists the summits, newest first."""

    async def transform(self, interaction: discord.Interaction[SummitBot], value: str, /) -> Pack:
        catalog = interaction.client.catalog
        found = catalog.pack(value.strip()) or catalog.find_event(value)
        if found is None:
            lang = lang_of(interaction)
            listed = ", ".join(
                f"`{pack.event.name.get(lang)}` ({pack.id})" for pack in catalog.newest_first[:10]
            )
            answer = t("errors.unknown_event", lang, query=echo(value, 80) or "…", events=listed)
            raise OptionMiss(value, self, answer)
        return found

    async def autocomplete(
        self, interaction: discord.Interaction[SummitBot], value: int | float | str, /
    ) -> Choices:
        return choices(interaction.client.catalog.suggest_events(str(value)))


EventOption = app_commands.Transform[Pack, EventTransformer]
SpeakerOption = app_commands.Transform[Speaker, SpeakerTransformer]
TopicOption = app_commands.Transform[Topic, TopicTransformer]
TermOption = app_commands.Transform[Term, TermTransformer]
SearchOption = app_commands.Transform[str, SearchTransformer]
