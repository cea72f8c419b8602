"""`summitbot run` and `summitbot sync`: start the bot, or push its commands to Discord.

Both turn the failures an operator can meet (no token, a rejected token, Discord or
`discord.api_base` unreachable, bad content, a refused database) into one clear log line (one
JSON object with `logging.json`) and an exit code, never a traceback. `run` retries the first
connection (see `bot.connection`) until it works or `--max-connect-attempts` /
`discord.max_connect_attempts` are used up.

Exit codes: 0 stopped or done · 1 content, database, health port, commands refused ·
2 configuration (no token, a rejected token, an unusable `database.path`, `discord.api_base`
not Discord's API) ·
3 Discord unreachable (network, DNS, refused, TLS, 5xx).
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
from bot.cli_db import probe_database_path
from bot.connection import (
    EXIT_CONFIG,
    EXIT_UNREACHABLE,
    Backoff,
    ConnectFailed,
    describe,
    login_with_retry,
)
from bot.endpoints import DEFAULT_API_BASE
from bot.exit_codes import EXIT_OK, EXIT_PROBLEMS
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
    "Discord rejected the token in DISCORD_TOKEN (401). "
    "Reset it under Bot in the Developer Portal and try again."
)

__all__ = ["EXIT_CONFIG", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_UNREACHABLE", "register", "run", "sync"]

#: The wait between attempts to reach Discord at start: 1 s, 2 s, 4 s, ... up to a minute.
CONNECT_BACKOFF = Backoff(base=1.0, cap=60.0)


def _token(settings: Settings) -> str | None:
    secret = settings.token
    if secret is None:
        return None
    value = secret.get_secret_value().strip()
    return value or None


def _no_token(settings: Settings) -> int:
    """The first-run guide: plain text, or one JSON object when the logs are JSON."""
    if settings.logging.json_format:
        setup_logging(settings.logging)
        return _fail(NO_TOKEN_HELP.removeprefix("summitbot: "), EXIT_CONFIG)
    print(NO_TOKEN_HELP, file=sys.stderr)
    return EXIT_CONFIG


def _api_base(settings: Settings) -> str:
    return settings.discord.api_base or DEFAULT_API_BASE


def _fail(message: str, code: int) -> int:
    """Log the failure that ends the command (one line, or one JSON object); return `code`."""
    log.critical("%s", message, extra={"exit_code": code})
    return code


def _report_content(error: ContentError) -> int:
    count = len(error.issues)
    for issue in error.issues:
        log.error("%s", issue)
    plural = "s" if count != 1 else ""
    return _fail(f"the content has {count} problem{plural}; nothing was loaded", EXIT_PROBLEMS)


def _report(exc: Exception, settings: Settings) -> int:
    """One line for a failure to reach Discord; anything else is a bug and re-raised."""
    failure = describe(exc, _api_base(settings))
    if failure is None:
        raise exc
    return _fail(failure.message, failure.exit_code)


async def _run(settings: Settings, token: str, max_attempts: int | None, backoff: Backoff) -> None:
    bot = create_bot(settings)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []
    stop_requested = asyncio.Event()

    def request_stop(signame: str) -> None:
        if not stopping:
            log.info("received %s: shutting down", signame)
            stop_requested.set()
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
            reached = await login_with_retry(
                bot,
                token,
                api_base=_api_base(settings),
                max_attempts=max_attempts,
                backoff=backoff,
                stopping=stop_requested,
            )
            if reached and not stop_requested.is_set():
                await bot.connect()
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


def run(settings: Settings, *, max_connect_attempts: int | None = None) -> int:
    """Run the bot until it is stopped; returns the process exit code.

    `max_connect_attempts` (else `discord.max_connect_attempts`; 0 or None: no limit) bounds
    the attempts to reach Discord at start.
    """
    token = _token(settings)
    if token is None:
        return _no_token(settings)
    setup_logging(settings.logging, secrets=[token])
    database = settings.database.path
    _, problem = probe_database_path(database)  # the same test as `summitbot check`
    if problem is not None:
        return _fail(f"database.path: {database} is not usable: {problem}", EXIT_CONFIG)
    attempts = settings.discord.max_connect_attempts
    if max_connect_attempts is not None:
        attempts = max_connect_attempts or None
    try:
        asyncio.run(_run(settings, token, attempts, CONNECT_BACKOFF))
    except ConnectFailed as error:
        message = error.failure.message
        if error.failure.retry and error.attempts > 1:
            message += f" (gave up after {error.attempts} attempts)"
        return _fail(message, error.failure.exit_code)
    except discord.LoginFailure:
        return _fail(REJECTED_TOKEN, EXIT_CONFIG)
    except discord.PrivilegedIntentsRequired:
        return _fail("Discord refused the gateway intents.", EXIT_PROBLEMS)
    except ContentError as error:
        return _report_content(error)
    except HealthServerError as error:
        return _fail(f"{error} (health.host / health.port)", EXIT_PROBLEMS)
    except StoreError as error:
        return _fail(f"the database cannot be used: {error}", EXIT_PROBLEMS)
    except Exception as exc:  # the gateway, after logging in: reaching Discord, else a bug
        return _report(exc, settings)
    return EXIT_OK


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    bot = create_bot(settings, runtime=False)
    async with bot:
        try:
            await bot.login(token)  # runs setup_hook: content and extensions, no store/scheduler
        except (ContentError, discord.LoginFailure):
            raise
        except Exception as exc:
            return _report(exc, settings)
        try:
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"Synced {len(synced)} commands to guild {guild_id}.")
            else:
                synced = await bot.tree.sync()
                print(f"Synced {len(synced)} global commands.")
        except discord.HTTPException as error:
            if error.status >= 500 or error.status == 429:
                return _report(error, settings)
            return _fail(f"Discord refused the commands: {error}", EXIT_PROBLEMS)
        except Exception as exc:
            return _report(exc, settings)
    return EXIT_OK


def sync(settings: Settings, guild_id: int | None) -> int:
    """Register the app commands globally, or in one guild; returns the exit code.

    Unlike `run`, it does not retry: a failure to reach Discord is one line and exit code 3.
    """
    token = _token(settings)
    if token is None:
        return _no_token(settings)
    setup_logging(settings.logging, secrets=[token])
    try:
        return asyncio.run(_sync(settings, token, guild_id))
    except discord.LoginFailure:
        return _fail(REJECTED_TOKEN, EXIT_CONFIG)
    except ContentError as error:
        return _report_content(error)


# --- the `run` and `sync` subcommands -----------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `summitbot run` and `summitbot sync` to the CLI."""
    run_parser = subparsers.add_parser(
        "run",
        help="run the bot (needs DISCORD_TOKEN)",
        description="Connect to Discord and serve commands and the daily digest until stopped.",
    )
    run_parser.add_argument(
        "--max-connect-attempts",
        type=_attempts,
        metavar="N",
        help=(
            "give up (exit code 3) after N failed attempts to reach Discord at start; "
            "0: never (default: discord.max_connect_attempts, else never)"
        ),
    )
    run_parser.set_defaults(func=_run_command)
    sync_parser = subparsers.add_parser(
        "sync",
        help="register the slash commands with Discord",
        description="Register the slash commands globally, or in one guild (instant).",
    )
    sync_parser.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only")
    sync_parser.set_defaults(func=_sync_command)


def _attempts(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 0, got {value!r}")
    return number


def _settings(args: argparse.Namespace) -> Settings:
    from bot.cli import settings_from_args  # the CLI imports this module

    return settings_from_args(args)


def _run_command(args: argparse.Namespace) -> int:
    attempts: int | None = args.max_connect_attempts
    return run(_settings(args), max_connect_attempts=attempts)


def _sync_command(args: argparse.Namespace) -> int:
    guild: int | None = args.guild
    return sync(_settings(args), guild)
