"""Reaching Discord: what went wrong, in one line that says what to do, and the retry of the
first connection.

`describe` turns the errors discord.py and aiohttp raise while talking to `discord.api_base`
(no network, DNS, a refused connection, TLS, a timeout, an HTTP error status) into a
`Failure`: one line, whether trying again can help, and the exit code. `login_with_retry`
logs in, retrying what can fix itself with capped exponential backoff and jitter, one log
line per failed attempt, so a bot that boots before the network comes up by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl
from discord.utils import MISSING

from bot.exit_codes import EXIT_CONFIG, EXIT_UNREACHABLE

if TYPE_CHECKING:
    from discord.ext import commands

__all__ = [
    "EXIT_CONFIG",
    "EXIT_UNREACHABLE",
    "Backoff",
    "ConnectFailed",
    "Failure",
    "describe",
    "login_with_retry",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """One failure to reach Discord: the line to show, and whether a retry can help."""

    message: str
    retry: bool
    exit_code: int


class ConnectFailed(Exception):
    """Logging in failed for good (not retryable, or out of attempts)."""

    def __init__(self, failure: Failure, attempts: int) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.attempts = attempts


def _where(api_base: str) -> tuple[str, str]:
    """(host[:port] of the API, the config hint naming where that URL comes from)."""
    url = yarl.URL(api_base)
    host = url.host or api_base
    if url.explicit_port:
        host = f"{host}:{url.port}"
    origin = "discord.api_base" if host != "discord.com" else "Discord"
    return host, origin


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _reason(error: BaseException) -> str:
    """The OS's words for a socket error ("Connection refused"), else the error's text."""
    if isinstance(error, OSError):
        if error.errno is not None and error.errno > 0:
            return os.strerror(error.errno)
        if error.strerror:
            return error.strerror
    return _one_line(error) or type(error).__name__


def _unreachable(what: str) -> Failure:
    """Discord could not be reached: worth retrying; exit code 3 when given up."""
    return Failure(f"cannot reach Discord: {what}", retry=True, exit_code=EXIT_UNREACHABLE)


def describe(exc: BaseException, api_base: str) -> Failure | None:
    """The failure `exc` means for an operator, or None when it isn't about reaching Discord."""
    host, origin = _where(api_base)
    proxy = origin == "discord.api_base"
    setting = f"discord.api_base ({api_base})"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        hint = (
            f"is the network up, and the host in {setting} right?"
            if proxy
            else ("is the network up (and DNS configured)?")
        )
        return _unreachable(f"DNS lookup of {exc.host} failed ({_reason(exc.os_error)}): {hint}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        reason = getattr(exc.certificate_error, "verify_message", None) or exc.certificate_error
        hint = f" and that {setting} names the right server" if proxy else ""
        return _unreachable(
            f"the TLS certificate of {exc.host} was not accepted "
            f"({_one_line(reason)}): check the system clock and CA certificates{hint}"
        )
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        error = exc.os_error if isinstance(exc, aiohttp.ClientSSLError) else exc
        hint = (
            f"does {setting} use https:// for a server that speaks plain http?"
            if proxy
            else "check the system clock, CA certificates and any proxy in between"
        )
        return _unreachable(
            f"the TLS handshake with {host} failed "
            f"({_one_line(getattr(error, 'reason', None) or error)}): {hint}"
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        hint = f"is the server at {setting} running?" if proxy else "is the network up?"
        return _unreachable(
            f"cannot connect to {exc.host}:{exc.port} ({_reason(exc.os_error)}): {hint}"
        )
    if isinstance(exc, aiohttp.ClientError | TimeoutError | ConnectionError):
        hint = (
            f"is the network up, and the server at {setting} running?"
            if proxy
            else ("is the network up?")
        )
        return _unreachable(
            f"the connection to {host} failed ({type(exc).__name__}: {_reason(exc)}): {hint}"
        )
    if isinstance(exc, discord.HTTPException):
        status = exc.status
        answered = f"{origin} ({host}) answered {status} {_one_line(exc.response.reason or '')}"
        answered = answered.rstrip()
        if status >= 500 or status == 429:
            hint = (
                f"the server at {setting} is failing or overloaded"
                if proxy
                else "Discord is having trouble; see https://discordstatus.com"
            )
            return _unreachable(f"{answered}: {hint}")
        if status == 401:
            return None  # a rejected token: the caller says what to do with it
        wrong = f", not {api_base}" if proxy else ""
        return Failure(
            f"{answered} for {exc.response.url.path}: discord.api_base must be Discord's API "
            f"root with its version (e.g. https://discord.com/api/v10) or a proxy of it{wrong}",
            retry=False,
            exit_code=EXIT_CONFIG,
        )
    return None


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: attempt n waits between half and all of
    `min(cap, base * 2 ** (n - 1))` seconds, so many bots restarting together spread out."""

    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2.0 ** min(attempt - 1, 30))
        return ceiling * rng.uniform(0.5, 1.0)


Sleep = Callable[[float], Awaitable[None]]


async def _reset_http(bot: commands.Bot) -> None:
    # A failed login leaves discord.py's session (and its connector) behind; close both and
    # let the next login create fresh ones, as the first one did.
    await bot.http.close()
    bot.http.connector = MISSING


async def login_with_retry(
    bot: commands.Bot,
    token: str,
    *,
    api_base: str,
    max_attempts: int | None,
    backoff: Backoff,
    stopping: asyncio.Event,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> bool:
    """Log in (the first REST requests and `setup_hook`), retrying failures to reach Discord.

    Returns False when `stopping` is set while waiting to retry. Raises `ConnectFailed` when
    the failure can't fix itself or `max_attempts` (None: no limit) were used up; anything
    else (a rejected token, bad content, ...) propagates unchanged. Only the requests before
    `setup_hook` are retried: once it has started, the bot's resources are being set up.
    """
    rng = rng or random.Random()
    hook_started = False
    setup_hook = bot.setup_hook

    async def tracked_setup_hook() -> None:
        nonlocal hook_started
        hook_started = True
        await setup_hook()

    bot.setup_hook = tracked_setup_hook  # type: ignore[method-assign]
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                await bot.login(token)
            except Exception as exc:
                if stopping.is_set() and not hook_started:
                    return False  # stopped mid-request: closing the client failed the request
                failure = describe(exc, api_base)
                if failure is None:
                    raise
                if hook_started or not failure.retry:
                    raise ConnectFailed(failure, attempt) from exc
                if max_attempts is not None and attempt >= max_attempts:
                    raise ConnectFailed(failure, attempt) from exc
                await _reset_http(bot)
                delay = backoff.delay(attempt, rng)
                of = f" of {max_attempts}" if max_attempts is not None else ""
                log.warning(
                    "%s; attempt %d%s failed, retrying in %.1f s",
                    failure.message,
                    attempt,
                    of,
                    delay,
                    extra={"attempt": attempt, "retry_in": round(delay, 3)},
                )
                if await _stopped_while(sleep(delay), stopping):
                    return False
                continue
            if attempt > 1:
                log.info("reached Discord after %d attempts", attempt)
            return True
    finally:
        del bot.setup_hook  # back to the class's method


async def _stopped_while(waiting: Awaitable[None], stopping: asyncio.Event) -> bool:
    """Wait for `waiting` unless `stopping` is set first; True when it was."""
    if stopping.is_set():
        if asyncio.iscoroutine(waiting):
            waiting.close()
        return True
    sleeper = asyncio.ensure_future(waiting)
    stopper = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, stopper):
            task.cancel()
    return stopping.is_set()
