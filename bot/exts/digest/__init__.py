"""The daily quote extension: `/digest` for server managers, and the cog that owns the digest
service (scheduler, poster, catch-up, claim keeper).

- :mod:`._cog`: the ``Digest`` cog: starts and stops the service, follows guilds joining/leaving
- :mod:`._commands`: the five `/digest` commands
- :mod:`.options`: the ``time`` and ``timezone`` options (transformers)
- :mod:`._text`: what `/digest status` and `/digest now` say
- :mod:`._sender`: the Discord side of posting (``DiscordSender``, what a post is made of)

The decisions (due times, claims, retries, recovery) are Discord-free, in :mod:`bot.digest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.exts.digest._cog import Digest

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["Digest", "setup"]


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(Digest(bot))
