"""Where the app's commands can be used, said once.

Discord lets an app be installed to a server (guild install) or to a person's account (user
install), and a command be used in servers, in the bot's DMs and in group DMs. Read-only
commands, "Explain terms" and `/mydigest` work everywhere: that is the command tree's default
(:data:`EVERYWHERE_INSTALLS` and :data:`EVERYWHERE_CONTEXTS`, given to the bot in
``bot.app``), so a new command is reachable everywhere unless it says otherwise. Server
administration (`/digest`, `/admin`) says otherwise with :func:`server_only`.

Where only the user installed the app, the bot is not in the guild: every command answers
through the interaction alone (responses, followups, edits of its own response) and none reads
guild or channel data (``tests/e2e/test_reach.py`` runs them in a guild the bot is not in).
What must reach the channel itself (a round's answer counter, edited later) asks
:func:`bot_is_present` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

__all__ = [
    "EVERYWHERE_CONTEXTS",
    "EVERYWHERE_INSTALLS",
    "bot_is_present",
    "server_only",
]

T = TypeVar("T")

#: Guild install and user install.
EVERYWHERE_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)

#: Servers, the bot's DMs and group DMs (Discord's "private channels").
EVERYWHERE_CONTEXTS = app_commands.AppCommandContext(
    guild=True, dm_channel=True, private_channel=True
)


def server_only() -> Callable[[T], T]:
    """Guild install only, guild context only: the command (or group) is not offered to a user
    install, nor in DMs or group DMs (overrides the tree's everywhere default)."""
    installs = app_commands.allowed_installs(guilds=True, users=False)
    contexts = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)

    def decorator(func: T) -> T:
        return contexts(installs(func))

    return decorator


def bot_is_present(interaction: discord.Interaction[Any]) -> bool:
    """Whether the bot itself is in the interaction's channel, so a channel request (editing
    its own message there) is allowed: a guild it is in, or its own DM with the user. A group
    DM, or a guild where only the user installed the app, is reached through interactions
    alone."""
    if interaction.guild_id is not None:
        return interaction.client.get_guild(interaction.guild_id) is not None
    return not interaction.context.private_channel
