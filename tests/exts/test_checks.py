"""`bot.exts.checks`: one decorator for the default permission and the run-time check."""

from __future__ import annotations

from typing import Any
from unittest import mock

import discord
import pytest
from discord import app_commands
from discord.utils import maybe_coroutine

from bot.exts.checks import MANAGER_PERMISSIONS, is_manager


def interaction_with(permissions: discord.Permissions) -> Any:
    interaction = mock.MagicMock(spec=discord.Interaction)
    interaction.permissions = permissions
    return interaction


def manager_group() -> app_commands.Group:
    group = is_manager()(app_commands.Group(name="managed", description="A managed group"))

    @group.command(name="sub", description="A subcommand")
    @is_manager()
    async def sub(interaction: discord.Interaction) -> None:
        return None

    return group


def test_is_manager_on_a_group_sets_the_default_permission() -> None:
    group = manager_group()
    assert group.default_permissions == MANAGER_PERMISSIONS
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    payload = group.to_dict(tree)
    assert payload["default_member_permissions"] == MANAGER_PERMISSIONS.value == 1 << 5
    # Discord reads default permissions from the top-level command only.
    (sub,) = payload["options"]
    assert "default_member_permissions" not in sub


def test_is_manager_on_a_top_level_command_sets_both() -> None:
    @app_commands.command(name="manage", description="A managed command")
    @is_manager()
    async def manage(interaction: discord.Interaction) -> None:
        return None

    assert manage.default_permissions == MANAGER_PERMISSIONS
    assert len(manage.checks) == 1


async def test_is_manager_refuses_at_run_time_without_manage_server() -> None:
    sub = manager_group().get_command("sub")
    assert isinstance(sub, app_commands.Command)
    (check,) = sub.checks
    with pytest.raises(app_commands.MissingPermissions) as info:
        await maybe_coroutine(check, interaction_with(discord.Permissions(send_messages=True)))
    assert info.value.missing_permissions == ["manage_guild"]
    assert await maybe_coroutine(check, interaction_with(discord.Permissions(manage_guild=True)))
