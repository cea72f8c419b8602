"""`/digest set`'s ``time`` and ``timezone`` options as transformers: each parses, validates and
autocompletes its option, and a value it cannot use raises :class:`DigestOptionError`, whose
``answer`` (localized) the tree's one error handler sends privately."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.catalog.models import Lang
from bot.digest import poster
from bot.digest.due import (
    parse_post_time,
    resolve_timezone,
    suggest_post_times,
    suggest_timezones,
    zone,
)
from bot.exts._shared import MAX_CHOICES, lang_of
from bot.i18n import t
from bot.ui.text import echo

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = [
    "DigestOptionError",
    "PostTimeOption",
    "TimezoneOption",
    "chosen_lang",
    "language_choices",
]


def language_choices(command: str) -> list[app_commands.Choice[str]]:
    """A digest command's ``language`` choices, localized under ``commands.<command>.choices``."""
    return [
        app_commands.Choice(
            name=locale_str("Chinese", key=f"commands.{command}.choices.zh"), value="zh"
        ),
        app_commands.Choice(
            name=locale_str("English", key=f"commands.{command}.choices.en"), value="en"
        ),
    ]


def chosen_lang(language: app_commands.Choice[str] | None, default: Lang) -> Lang:
    """The post language a ``language`` choice picked, or ``default`` when none was."""
    if language is None:
        return default
    return "zh" if language.value == "zh" else "en"


class DigestOptionError(app_commands.TransformerError):
    """A digest option value that cannot be used; ``answer`` says why, in the user's language."""

    def __init__(self, value: str, transformer: app_commands.Transformer, answer: str) -> None:
        super().__init__(value, discord.AppCommandOptionType.string, transformer)
        self.answer = answer


def _zone_label(name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zone(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


class PostTimeOption(app_commands.Transformer["SummitBot"]):
    """A local time of day, 24-hour ``HH:MM``."""

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return 32

    async def transform(
        self, interaction: discord.Interaction[SummitBot], value: Any, /
    ) -> dt.time:
        parsed = parse_post_time(str(value))
        if parsed is None:
            answer = t("digest.errors.bad_time", lang_of(interaction), value=echo(str(value), 20))
            raise DigestOptionError(str(value), self, answer)
        return parsed

    async def autocomplete(
        self, interaction: discord.Interaction[SummitBot], value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        default = interaction.client.settings.digest.default_time
        return [
            app_commands.Choice(name=text, value=text)
            for text in suggest_post_times(str(value), default, limit=MAX_CHOICES)
        ]


class TimezoneOption(app_commands.Transformer["SummitBot"]):
    """A time zone: a city or IANA name, resolved to the IANA name."""

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return 100

    async def transform(self, interaction: discord.Interaction[SummitBot], value: Any, /) -> str:
        name = resolve_timezone(str(value))
        if name is None:
            answer = t(
                "digest.errors.unknown_zone", lang_of(interaction), value=echo(str(value), 40)
            )
            raise DigestOptionError(str(value), self, answer)
        return name

    async def autocomplete(
        self, interaction: discord.Interaction[SummitBot], value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        current = str(value)
        now = poster.wall_clock()  # the digest's clock (tests drive it)
        names = suggest_timezones(current[:100], limit=MAX_CHOICES)
        if not current.strip():
            # The operator's configured default zone comes first.
            default = interaction.client.settings.digest.default_timezone
            names = [default, *(n for n in names if n != default)][:MAX_CHOICES]
        return [
            app_commands.Choice(name=_zone_label(name, now)[:100], value=name) for name in names
        ]
