"""`summitbot run` and `summitbot sync`: start the bot, or push its commands to Discord.

Both turn the failures an operator can meet (no token, a rejected token, bad content, a refused
database) into one clear line and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

import discord

from bot.app import SummitBot, create_bot
from bot.catalog import ContentError
from bot.logs import setup_logging
from bot.ops.health import HealthServerError
from bot.store import StoreError

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

#: Permissions the bot needs where it posts: View Channel, Send Messages, Embed Links, and Read
#: Message History (after a crash mid-post it checks the channel so it never posts twice).
INVITE_PERMISSIONS = 1024 + 2048 + 16384 + 65536

NO_TOKEN_HELP = f"""\
summitbot: no bot token. Set DISCORD_TOKEN in the environment.

  1. Create an application at https://discord.com/developers/applications,
     open "Bot", press "Reset Token" and copy it: export DISCORD_TOKEN=...
     No privileged intents are needed.
  2. Invite it with the scopes `bot` and `applications.commands` and the permissions
     View Channel, Send Messages, Embed Links and Read Message History ({INVITE_PERMISSIONS}):
     https://discord.com/oauth2/authorize?client_id=<APPLICATION_ID>&scope=bot+applications.commands&permissions={INVITE_PERMISSIONS}
  3. Run `summitbot sync` once (or set discord.dev_guild_id while developing), then `summitbot run`.

To try the content offline without Discord:
  summitbot preview quote
  summitbot preview speaker tangjie
  summitbot preview term RLVR --lang en"""

REJECTED_TOKEN = (
    "summitbot: Discord rejected the token in DISCORD_TOKEN (401). "
    "Reset it under Bot in the Developer Portal and try again."
)


def _token(settings: Settings) -> str | None:
    secret = settings.token
    if secret is None:
        return None
    value = secret.get_secret_value().strip()
    return value or None


def _report_content(error: ContentError) -> None:
    print("summitbot: the content has errors; nothing was loaded:", file=sys.stderr)
    for issue in error.issues:
        print(f"  {issue}", file=sys.stderr)


async def _run(settings: Settings, token: str) -> None:
    bot = create_bot(settings)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def request_stop(signame: str) -> None:
        if not stopping:
            log.info("received %s: shutting down", signame)
            stopping.append(loop.create_task(bot.close()))

    reloads: set[asyncio.Task[None]] = set()

    def request_reload() -> None:
        if stopping:
            return
        log.info("received SIGHUP: reloading the content")
        task = loop.create_task(_reload(bot))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig.name)
    loop.add_signal_handler(signal.SIGHUP, request_reload)
    try:
        async with bot:
            await bot.start(token)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        if stopping:
            await stopping[0]
        # A reload still loading has nothing left to swap into; let its thread finish.
        await asyncio.gather(*reloads, return_exceptions=True)


async def _reload(bot: SummitBot) -> None:
    """SIGHUP: reload every content pack (errors are logged by the reload itself)."""
    try:
        await bot.reload_content()
    except RuntimeError:  # the signal came before setup_hook loaded the content
        log.warning("SIGHUP before the content was loaded: nothing to reload")


def run(settings: Settings) -> int:
    """Run the bot until it is stopped; returns the process exit code."""
    token = _token(settings)
    if token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    setup_logging(settings.logging, secrets=[token])
    try:
        asyncio.run(_run(settings, token))
    except discord.LoginFailure:
        print(REJECTED_TOKEN, file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("summitbot: Discord refused the gateway intents.", file=sys.stderr)
        return 1
    except ContentError as error:
        _report_content(error)
        return 1
    except HealthServerError as error:
        print(f"summitbot: {error} (health.host / health.port)", file=sys.stderr)
        return 1
    except StoreError as error:
        print(f"summitbot: the database cannot be used: {error}", file=sys.stderr)
        return 1
    return 0


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    bot = create_bot(settings, runtime=False)
    async with bot:
        await bot.login(token)  # runs setup_hook: content and extensions, no store/scheduler
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            print(f"Synced {len(synced)} commands to guild {guild_id}.")
        else:
            synced = await bot.tree.sync()
            print(f"Synced {len(synced)} global commands.")
    return 0


def sync(settings: Settings, guild_id: int | None) -> int:
    """Register the app commands globally, or in one guild; returns the exit code."""
    token = _token(settings)
    if token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    setup_logging(settings.logging, secrets=[token])
    try:
        return asyncio.run(_sync(settings, token, guild_id))
    except discord.LoginFailure:
        print(REJECTED_TOKEN, file=sys.stderr)
        return 1
    except ContentError as error:
        _report_content(error)
        return 1
    except discord.HTTPException as error:
        print(f"summitbot: Discord refused the commands: {error}", file=sys.stderr)
        return 1


# --- the `run` and `sync` subcommands -----------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `summitbot run` and `summitbot sync` to the CLI."""
    run_parser = subparsers.add_parser(
        "run",
        help="run the bot (needs DISCORD_TOKEN)",
        description="Connect to Discord and serve commands and the daily digest until stopped.",
    )
    run_parser.set_defaults(func=_run_command)
    sync_parser = subparsers.add_parser(
        "sync",
        help="register the slash commands with Discord",
        description="Register the slash commands globally, or in one guild (instant).",
    )
    sync_parser.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only")
    sync_parser.set_defaults(func=_sync_command)


def _settings(args: argparse.Namespace) -> Settings:
    from bot.cli import settings_from_args  # the CLI imports this module

    return settings_from_args(args)


def _run_command(args: argparse.Namespace) -> int:
    return run(_settings(args))


def _sync_command(args: argparse.Namespace) -> int:
    guild: int | None = args.guild
    return sync(_settings(args), guild)
