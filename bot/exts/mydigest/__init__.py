"""`/mydigest`: a personal daily quote by DM, for anyone, from any server, DM or group DM.

- :mod:`._cog`: the ``MyDigest`` cog and its four commands (set, off, status, now)
- :mod:`._components`: the DM's buttons: the daily post's components plus a persistent
  **Stop** button (a ``DynamicItem``: it works on every DM ever sent, after any restart)
- :mod:`._sender`: the Discord side of sending a DM (``DiscordDmSender``)
- :mod:`._text`: what `/mydigest status` and `now` say

The sending itself is the digest service's (the ``Digest`` cog owns it): a second poster of the
same design as the servers' (:class:`bot.digest.recipients.UserRecipients`) on the same
throttle. This extension holds the commands and the DM's look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.exts.mydigest._cog import MyDigest
from bot.exts.mydigest._components import StopButton

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["MyDigest", "StopButton", "setup"]


async def setup(bot: SummitBot) -> None:
    bot.add_dynamic_items(StopButton)
    await bot.add_cog(MyDigest(bot))


async def teardown(bot: SummitBot) -> None:
    bot.remove_dynamic_items(StopButton)
