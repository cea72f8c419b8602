"""Run an unmodified discord.py client against a FakeDiscord, in the current event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from bot.endpoints import apply_overrides

from .server import FakeDiscord


@contextlib.asynccontextmanager
async def run_client(
    client: discord.Client,
    fake: FakeDiscord,
    *,
    token: str | None = None,
    timeout: float = 20.0,  # noqa: ASYNC109 - a plain deadline in seconds
) -> AsyncIterator[discord.Client]:
    """Point discord.py at ``fake``, start ``client`` and wait until every shard got READY
    and its GUILD_CREATEs; close the client on exit.

    A client that fails to start (bad token, disallowed intents, ...) raises here instead
    of hanging until the timeout.
    """
    apply_overrides(fake.api_base, fake.gateway_url)
    task = asyncio.create_task(client.start(token or fake.token), name="fake-discord-client")
    ready = asyncio.create_task(fake.wait_ready(timeout=timeout))
    try:
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # re-raise why the client stopped
            raise RuntimeError("the client stopped before it was ready")
        ready.result()
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
            await asyncio.wait_for(task, 10.0)
        apply_overrides(None, None)
