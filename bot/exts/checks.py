"""Who may run a command, each rule defined once: :func:`is_manager` (Manage Server) and
:func:`is_owner` (the bot's owners).

As RoboDanny's ``cogs/utils/checks.py`` does, :func:`is_manager` bundles the default member
permission (Discord hides the command from members without it) with a run-time check (a server
admin can grant the command to anyone in Server Settings → Integrations, so the permission is
checked again when it runs). Refusals raise a :class:`~discord.app_commands.CheckFailure` that
the tree's one error handler (``SummitTree.on_error``) answers privately.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["MANAGER_PERMISSIONS", "NotOwner", "is_manager", "is_owner", "owns_bot"]

T = TypeVar("T")

#: What managing the bot in a server takes: Manage Server.
MANAGER_PERMISSIONS = discord.Permissions(manage_guild=True)

#: The run-time half of :func:`is_manager` (raises ``MissingPermissions``).
_manager_check = app_commands.checks.has_permissions(manage_guild=True)


def is_manager() -> Callable[[T], T]:
    """Manage Server: the default member permission and a run-time check, together.

    On a top-level command both apply. Discord reads default permissions only from top-level
    commands, so a group carries the default permission (decorate the ``Group``) and each of
    its subcommands carries the run-time check (decorate the subcommand; discord.py ignores the
    default permission there)::

        digest = is_manager()(app_commands.Group(name="digest", description="..."))

        @digest.command(name="set", description="...")
        @is_manager()
        async def digest_set(self, interaction: discord.Interaction) -> None: ...
    """
    default = app_commands.default_permissions(MANAGER_PERMISSIONS)

    def decorator(func: T) -> T:
        default(func)
        if not isinstance(func, app_commands.Group):
            # discord.py runs no checks of a Group: its subcommands carry them.
            _manager_check(func)
        return func

    return decorator


class NotOwner(app_commands.CheckFailure):
    """The user is not one of the bot's owners; the answer is ``admin.owner_only``."""


async def owns_bot(bot: SummitBot, user: discord.abc.User) -> bool:
    """Whether ``user`` may run owner commands: ``discord.owner_ids`` from the config, or (when
    that list is empty) the application's owner or team as Discord reports it."""
    owners = bot.settings.discord.owner_ids
    if owners:
        return user.id in owners
    return await bot.is_owner(user)


async def _owner_predicate(interaction: discord.Interaction[Any]) -> bool:
    client: SummitBot = interaction.client
    if not await owns_bot(client, interaction.user):
        raise NotOwner("only the bot's owners can use this command")
    return True


def is_owner() -> Callable[[T], T]:
    """Only the bot's owners (see :func:`owns_bot`); anyone else gets a private refusal."""
    return app_commands.check(_owner_predicate)
