"""Where each command is offered (install types and contexts), as `summitbot sync` sends it:
everything everywhere but server administration (`bot.exts.reach`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app import SummitBot
from tests.exts.test_command_tree import offline_bot, payloads

__all__ = ["offline_bot"]  # the fixture, used by name

GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2
SERVER_ONLY = {"digest", "admin"}


async def test_read_only_commands_and_mydigest_everywhere_admin_in_servers_only(
    offline_bot: SummitBot,
) -> None:
    commands = {c["name"]: c for c in await payloads(offline_bot)}
    assert {"mydigest", "Explain terms", "glossary", "quote"} <= set(commands)
    for name, command in commands.items():
        if name in SERVER_ONLY:
            assert command["integration_types"] == [GUILD_INSTALL], name
            assert command["contexts"] == [GUILD], name
        else:
            assert command["integration_types"] == [GUILD_INSTALL, USER_INSTALL], name
            assert command["contexts"] == [GUILD, BOT_DM, PRIVATE_CHANNEL], name


async def test_a_new_command_is_offered_everywhere_by_default(offline_bot: SummitBot) -> None:
    @app_commands.command(name="probe", description="A command that says nothing of where")
    async def probe(interaction: discord.Interaction[SummitBot]) -> None: ...

    payload = probe.to_dict(offline_bot.tree)
    assert payload["integration_types"] == [GUILD_INSTALL, USER_INSTALL]
    assert payload["contexts"] == [GUILD, BOT_DM, PRIVATE_CHANNEL]
