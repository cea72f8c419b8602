"""Text users type: bounded before anything reads it, escaped and cut whenever it is echoed.

Discord lets a user type 6,000 characters into any string option, and NFKC can make a
character eighteen (U+FDFA), so unbounded input costs the catalog tens of milliseconds a
keystroke. `bound_options` cuts every string option of an interaction, commands and
autocomplete alike, to what the catalog can use; the tree calls it first, once, for every
interaction.

`echo` is the one way user text goes back into a reply: markdown and mentions escaped, then
cut cleanly (never between a backslash and what it escapes) so no echo can push a message
past Discord's limits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord

from bot.ui.limits import truncate

#: Characters kept of a typed name, term, topic, quote id, time or zone. Every name and alias
#: in a pack is shorter (autocomplete values are ≤ 100 characters too).
NAME_INPUT = 100
#: Characters kept of typed search words. A longer search still finds the quote it was cut
#: from (the head of a quote is a substring of it), and few quotes are longer.
SEARCH_INPUT = 300
#: Option names whose values are search words rather than names.
_SEARCH_OPTIONS = frozenset({"search"})

#: Characters of user text echoed in a reply by default (after escaping).
ECHO = 100

_BARE_BRACKET = re.compile(r"(?<!\\)\[")


def input_limit(option: str) -> int:
    """How many characters of the option `option` the bot reads."""
    return SEARCH_INPUT if option in _SEARCH_OPTIONS else NAME_INPUT


def bound_options(data: Mapping[str, Any] | None) -> None:
    """Cut every string option value in an interaction's `data` in place (subcommands too),
    before discord.py builds the options, autocomplete's `current` included."""
    if data is None:
        return
    options = data.get("options")
    if not isinstance(options, list):
        return
    for option in options:
        if not isinstance(option, dict):
            continue
        value = option.get("value")
        if isinstance(value, str):
            limit = input_limit(str(option.get("name", "")))
            if len(value) > limit:
                option["value"] = value[:limit]
        bound_options(option)


def escape_markdown(text: str) -> str:
    """Text shown as-is: escape markdown so data is never read as formatting.

    `discord.utils.escape_markdown` escapes only the first of several masked links in a
    string; escaping every opening bracket makes sure none of them turns into a link.
    """
    return _BARE_BRACKET.sub(r"\\[", discord.utils.escape_markdown(text))


def escape_user_text(text: str) -> str:
    """Text a user typed, safe to show: no markdown or links, no @everyone/@here/user/role
    mentions. Use `echo` to put it in a reply: it also bounds the length."""
    return discord.utils.escape_mentions(escape_markdown(text))


def echo(text: str, limit: int = ECHO) -> str:
    """User text to show back in a reply: whitespace runs as one space, escaped, then cut to
    at most `limit` characters with "…" (never inside an escape)."""
    return truncate(escape_user_text(" ".join(text.split())), limit)
